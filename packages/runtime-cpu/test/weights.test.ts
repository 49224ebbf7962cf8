import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glorotFans, loadWeights, saveWeights, WeightsError } from '../src/index.js';
import { exampleGraph, modelOf } from './helpers.js';

function weightsError(action: () => unknown): WeightsError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).not.toContain('\n');
    return error as WeightsError;
  }
  return expect.fail('expected a WeightsError');
}

describe('setWeights', () => {
  const model = modelOf(exampleGraph('paper-dense'));
  const valid = () => ({
    'out/kernel': { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
    'out/bias': { shape: [2], data: [0.5, -0.5] },
  });

  it('replaces every weight, row-major in the Keras shape', () => {
    model.setWeights(valid());
    const weights = model.weights();
    expect(weights['out/kernel']).toEqual({
      shape: [3, 2],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    });
  });

  it('names a missing weight and the file', () => {
    const { 'out/kernel': kernel } = valid();
    const error = weightsError(() => model.setWeights({ 'out/kernel': kernel }, 'w.json'));
    expect(error.code).toBe('E_WEIGHTS_MISSING');
    expect(error.message).toBe(
      "'w.json' has no weight 'out/bias': graph 'paper-dense' needs [2] for it (layer out); add it, or initialise the model instead of loading weights",
    );
  });

  it('names the expected and the given shape', () => {
    const weights = { ...valid(), 'out/kernel': { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] } };
    const error = weightsError(() => model.setWeights(weights, 'w.json'));
    expect(error.code).toBe('E_WEIGHTS_SHAPE');
    expect(error.message).toMatch(
      /^'w.json': weight 'out\/kernel' has shape \[2, 3\], graph 'paper-dense' needs \[3, 2\] \(as many values: check the layout/,
    );
  });

  it('refuses a value that is not finite', () => {
    const weights = { ...valid(), 'out/bias': { shape: [2], data: [0, Number.POSITIVE_INFINITY] } };
    const error = weightsError(() => model.setWeights(weights, 'w.json'));
    expect(error.message).toBe(
      "'w.json': weight 'out/bias' holds Infinity at index 1; replace it with a finite number",
    );
  });

  it('refuses a weight the graph does not have', () => {
    const weights = { ...valid(), 'hidden/kernel': { shape: [1], data: [0] } };
    const error = weightsError(() => model.setWeights(weights));
    expect(error.code).toBe('E_WEIGHTS_UNKNOWN');
    expect(error.message).toMatch(
      /^the weights object holds 'hidden\/kernel', which is not a weight of graph 'paper-dense' \(its weights: out\/kernel, out\/bias\); rename or remove it$/,
    );
  });

  it('refuses data of the wrong length', () => {
    const weights = { ...valid(), 'out/bias': { shape: [2], data: [0] } };
    expect(weightsError(() => model.setWeights(weights)).message).toBe(
      "the weights object: weight 'out/bias' has 1 values, its shape [2] needs 2",
    );
  });

  it('changes nothing when the check fails', () => {
    model.setWeights(valid());
    const bad = { ...valid(), 'out/kernel': { shape: [3, 2], data: [9, 9, 9, 9, 9, Number.NaN] } };
    weightsError(() => model.setWeights(bad));
    expect(model.weights()['out/kernel']!.data[0]).toBe(1);
  });
});

describe('initialize', () => {
  it('draws Glorot-uniform kernels within their limit and zero biases, the same for a seed', () => {
    const model = modelOf(exampleGraph('paper-conv'));
    model.initialize(42);
    const first = model.weights();
    for (const slot of model.weightSlots) {
      const data = first[slot.name]!.data;
      if (slot.role === 'bias') {
        expect(data.every((value) => value === 0)).toBe(true);
        continue;
      }
      const { fanIn, fanOut } = glorotFans(slot);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      expect(data.every((value) => Math.abs(value) <= limit)).toBe(true);
      expect(data.some((value) => value !== 0)).toBe(true);
    }
    model.initialize(42);
    expect(model.weights()).toEqual(first);
    model.initialize(43);
    expect(model.weights()).not.toEqual(first);
  });

  it('uses the Keras fans of dense and conv kernels', () => {
    const slot = (shape: number[], role: 'kernel' | 'bias' | 'einsum') =>
      ({ name: 'w', layer: 'l', role, shape, size: 0, buffer: '', gradient: '' }) as const;
    expect(glorotFans(slot([784, 128], 'kernel'))).toEqual({ fanIn: 784, fanOut: 128 });
    expect(glorotFans(slot([5, 5, 1, 6], 'kernel'))).toEqual({ fanIn: 25, fanOut: 150 });
    expect(glorotFans(slot([3, 4, 5], 'einsum'))).toEqual({ fanIn: 12, fanOut: 5 });
  });
});

describe('weight files', () => {
  const folder = mkdtempSync(join(tmpdir(), 'symgrad-weights-'));

  it('round-trip float32 values exactly and leave no temporary file', () => {
    const model = modelOf(exampleGraph('paper-conv'));
    model.initialize(5);
    const file = join(folder, 'paper-conv.json');
    saveWeights(file, model.weights());
    expect(readdirSync(folder)).toEqual(['paper-conv.json']);

    const other = modelOf(exampleGraph('paper-conv'));
    other.setWeights(loadWeights(file), file);
    expect(other.weights()).toEqual(model.weights());
    expect(JSON.parse(readFileSync(file, 'utf8'))['conv1/bias']).toEqual({ shape: [1], data: [0] });
  });

  it('say in one line that a file is not JSON', () => {
    const file = join(folder, 'broken.json');
    writeFileSync(file, '{ "out/kernel": { "shape": [3, 2], "data": [1, 2');
    const error = weightsError(() => loadWeights(file));
    expect(error.code).toBe('E_WEIGHTS_JSON');
    expect(error.message).toMatch(/^weights file '.*broken.json' is not valid JSON \(/);
  });

  it('name the weight whose tensor is malformed', () => {
    const file = join(folder, 'malformed.json');
    writeFileSync(
      file,
      JSON.stringify({ 'out/kernel': { shape: [3, 2], data: [1, 2, 3, 4, 5, null] } }),
    );
    expect(weightsError(() => loadWeights(file)).message).toMatch(
      /^weights file '.*malformed.json': weight 'out\/kernel' holds null at index 5, not a finite number$/,
    );
    writeFileSync(file, JSON.stringify({ 'out/kernel': [1, 2] }));
    expect(weightsError(() => loadWeights(file)).message).toMatch(
      /weight 'out\/kernel' must be \{ "shape": \[...\], "data": \[...\] \}/,
    );
  });

  it('say when a file cannot be read or written', () => {
    expect(weightsError(() => loadWeights(join(folder, 'absent.json'))).message).toMatch(
      /^cannot read weights file '.*absent.json': no such file or directory; check the path$/,
    );
    expect(weightsError(() => saveWeights(join(folder, 'no', 'such', 'w.json'), {})).code).toBe(
      'E_WEIGHTS_WRITE',
    );
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});
