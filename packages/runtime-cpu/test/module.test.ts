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

  it('trains at the learning rate the module was emitted with, without its graph', () => {
    const inputs = Float32Array.from([1, -2, 0.5]);
    const targets = Float32Array.from([1, 0]);
    const implicit = CpuModel.fromGeneratedSource(source);
    const explicit = CpuModel.fromGeneratedSource(source);
    implicit.initialize(1);
    explicit.initialize(1);
    implicit.trainStep(inputs, targets, 1);
    explicit.trainStep(inputs, targets, 1, 0.5);
    expect(implicit.learningRate).toBe(0.5);
    expect(implicit.weights()).toEqual(explicit.weights());
    expect(implicit.weights()).not.toEqual(CpuModel.fromGeneratedSource(source).weights());
  });
});

const exampleGraphJson = {
  name: 'paper-dense',
  input: { shape: [3] },
  layers: [{ type: 'dense', name: 'out', units: 2, activation: 'sigmoid' }],
  loss: 'squaredError',
  optimizer: { type: 'sgd', learningRate: 0.5 },
};
