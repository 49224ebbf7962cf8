import { compileTypeScript } from '@symgrad/compiler';
import { describe, expect, it } from 'vitest';
import { CpuModel, ModuleError } from '../src/index.js';
import { exampleGraph, graphOf } from './helpers.js';

describe('CpuModel.fromGeneratedSource', () => {
  const graph = exampleGraph('paper-dense');
  const source = compileTypeScript(graph).module.source;

  it('runs a module written by symgrad emit like a compiled one', () => {
    const compiled = CpuModel.compile(graph);
    const loaded = CpuModel.fromGeneratedSource(source, undefined, { file: 'paper-dense.ts' });
    compiled.initialize(4);
    loaded.initialize(4);
    expect(loaded.weights()).toEqual(compiled.weights());
    expect(loaded.weightSlots.map((slot) => [slot.name, slot.layer, slot.role])).toEqual([
      ['out/kernel', 'out', 'kernel'],
      ['out/bias', 'out', 'bias'],
    ]);
    const inputs = Float32Array.from([0.1, 0.2, 0.3]);
    const targets = Float32Array.from([1, 0]);
    expect(loaded.trainStep(inputs, targets, 1, 0.5)).toBe(compiled.trainStep(inputs, targets, 1));
  });

  it('refuses a module emitted from another graph', () => {
    const other = graphOf({ ...JSON.parse(JSON.stringify(exampleGraphJson)), name: 'other' });
    expect(() =>
      CpuModel.fromGeneratedSource(source, other, { file: 'paper-dense.ts' }),
    ).toThrowError(
      "paper-dense.ts was emitted from graph 'paper-dense', not 'other'; regenerate it with 'symgrad emit <graph.json> --target ts'",
    );
  });

  it('refuses a file that is not a generated module', () => {
    const load = () =>
      CpuModel.fromGeneratedSource('export const answer = 42;', graph, { file: 'a.ts' });
    expect(load).toThrowError(ModuleError);
    expect(load).toThrowError(/^a.ts is not a module symgrad emitted: it lacks 'createState'/);
  });

  it('needs a learning rate without its graph', () => {
    const loaded = CpuModel.fromGeneratedSource(source);
    loaded.initialize(1);
    expect(() => loaded.trainStep(new Float32Array(3), new Float32Array(2), 1)).toThrowError(
      /gives no learning rate here/,
    );
  });
});

const exampleGraphJson = {
  name: 'paper-dense',
  input: { shape: [3] },
  layers: [{ type: 'dense', name: 'out', units: 2, activation: 'sigmoid' }],
  loss: 'squaredError',
  optimizer: { type: 'sgd', learningRate: 0.5 },
};
