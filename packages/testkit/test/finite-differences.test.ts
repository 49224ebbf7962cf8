import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/src/graph/types.js';
import {
  expectClose,
  finiteDifferenceGradient,
  float64Loss,
  mulberry32,
  oneHotTargets,
  randomInputs,
  randomWeights,
  relativeError,
  tfjsReference,
  useCpuBackend,
} from '../src/index.js';
import { resolveJson } from './resolve-json.js';

beforeAll(useCpuBackend);

describe('finiteDifferenceGradient', () => {
  // L(a, b) = a0^2 b0 + 3 a1: dL/da = [2 a0 b0, 3], dL/db = [a0^2]; central differences are
  // exact up to rounding for polynomials of degree <= 2 in each coordinate.
  const lossOf = (w: Record<string, Float64Array>) => w.a![0]! ** 2 * w.b![0]! + 3 * w.a![1]!;

  it('differentiates a polynomial and restores the weights', () => {
    const weights = { a: Float64Array.of(1.5, -2), b: Float64Array.of(0.5) };
    const gradient = finiteDifferenceGradient(lossOf, weights);
    expectClose(gradient.a as Float64Array, [1.5, 3], { relative: 1e-8, label: 'a' });
    expectClose(gradient.b as Float64Array, [2.25], { relative: 1e-8, label: 'b' });
    expect([...weights.a, ...weights.b]).toEqual([1.5, -2, 0.5]);
  });

  it('samples distinct seeded positions into a Map', () => {
    const weights = { a: new Float64Array(50).fill(1), b: Float64Array.of(0.5) };
    const sampled = finiteDifferenceGradient(lossOf, weights, { sample: 5, seed: 3 });
    const again = finiteDifferenceGradient(lossOf, weights, { sample: 5, seed: 3 });
    expect(sampled.a).toBeInstanceOf(Map);
    expect((sampled.a as Map<number, number>).size).toBe(5);
    expect([...(sampled.a as Map<number, number>).keys()]).toEqual([
      ...(again.a as Map<number, number>).keys(),
    ]);
    expect([...(sampled.b as Map<number, number>).keys()]).toEqual([0]);
  });

  it('leaves out a sampled position where a ReLU switches within the step', () => {
    // L(w) = relu(w0 - 1e-6) + w1^2: at w0 = 0 the step h = 1e-5 straddles the kink, and the
    // central difference, 0.45, is neither slope; w1 stays, at 2 w1.
    const kinked = (w: Record<string, Float64Array>) =>
      Math.max(w.w![0]! - 1e-6, 0) + w.w![1]! ** 2;
    const weights = { w: Float64Array.of(0, 0.75) };
    const sampled = finiteDifferenceGradient(kinked, weights, { sample: 2 });
    expect([...(sampled.w as Map<number, number>)]).toEqual([[1, expect.closeTo(1.5, 8)]]);
    // Drawn from more positions, a kink is replaced by another draw: still two compared.
    const wide = { w: Float64Array.of(0, 0.75, 0.5, -0.25) };
    const replaced = finiteDifferenceGradient(kinked, wide, { sample: 2, seed: 4 });
    expect((replaced.w as Map<number, number>).size).toBe(2);
    expect((replaced.w as Map<number, number>).has(0)).toBe(false);
    const dense = finiteDifferenceGradient(kinked, weights);
    expect((dense.w as Float64Array)[0]).toBeCloseTo(0.45, 8);
  });
});

describe('expectClose', () => {
  it('names the label, the first bad position and both values', () => {
    expect(() => expectClose([1, 2, 3.1], [1, 2, 3], { label: 'dense/kernel' })).toThrow(
      /dense\/kernel: at position 2 got 3\.1, expected 3/,
    );
    expect(() => expectClose([1, Number.NaN], [1, 2], { label: 'nan' })).toThrow(
      /nan: at position 1/,
    );
    expect(() => expectClose([0, 5], new Map([[1, 5]]))).not.toThrow();
    expect(relativeError(1, 1.1)).toBeCloseTo(0.1 / 1.1, 12);
  });
});

describe('finite differences against TensorFlow.js on conv + maxpool + dense softmax', () => {
  const graph: Graph = resolveJson({
    name: 'small-cnn',
    input: { shape: [6, 6, 2] },
    layers: [
      { type: 'conv2d', name: 'conv', filters: 3, kernelSize: [3, 3], activation: 'tanh' },
      { type: 'maxPooling2d', poolSize: [2, 2] },
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 4, activation: 'softmax' },
    ],
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.01 },
  });
  const rng = mulberry32(2024);
  const weights = randomWeights(graph, rng);
  const inputs = randomInputs(graph, 3, rng);
  const targets = oneHotTargets(3, 4, rng);

  it('agrees on the loss, every weight gradient and the input gradient', () => {
    const reference = tfjsReference(graph, weights, inputs, targets);
    const values = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, w.data]));
    expectClose(reference.loss, float64Loss(graph, values, inputs, targets), {
      relative: 1e-5,
      label: 'loss',
    });

    const numeric = finiteDifferenceGradient((w) => float64Loss(graph, w, inputs, targets), values);
    for (const name of Object.keys(weights)) {
      expectClose(reference.gradients[name]!, numeric[name] as Float64Array, {
        relative: 1e-3,
        absolute: 1e-5,
        label: name,
      });
    }

    const inputOnly = { input: Float64Array.from(inputs.data) };
    const inputLoss = (w: Record<string, Float64Array>) =>
      float64Loss(graph, values, { shape: inputs.shape, data: w.input! }, targets);
    const numericInput = finiteDifferenceGradient(inputLoss, inputOnly, { sample: 20 });
    expectClose(reference.inputGradient, numericInput.input!, {
      relative: 1e-3,
      absolute: 1e-5,
      label: 'input',
    });
  });

  it('refuses einsum layers by name', () => {
    const einsum = { ...graph, layers: [{ ...graph.layers[0]!, type: 'einsum' } as never] };
    expect(() => tfjsReference(einsum, weights, inputs, targets)).toThrow(
      'tfjsReference: einsum layers have no TensorFlow.js equivalent',
    );
  });
});
