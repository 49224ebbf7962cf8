import { describe, expect, it } from 'vitest';
import { DatasetError, datasetFromArrays, reshapeInputs, takeExamples } from '../src/index.js';
import { mulberry32, shuffledIndices } from '../src/random.js';

describe('datasetFromArrays', () => {
  it('builds one-hot targets from labels', () => {
    const data = datasetFromArrays({
      inputs: [0, 1, 1, 0, 1, 1],
      labels: [1, 0, 2],
      inputShape: [2],
      classes: 3,
    });
    expect(data.size).toBe(3);
    expect(Array.from(data.targets)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('reads labels off targets', () => {
    const data = datasetFromArrays({
      inputs: [1, 2],
      targets: [0.1, 0.7, 0.2, 0.9, 0.05, 0.05],
      inputShape: [1],
      classes: 3,
    });
    expect(Array.from(data.labels)).toEqual([1, 0]);
  });

  it('rejects inputs that are not whole examples, in one line', () => {
    const build = () =>
      datasetFromArrays({ inputs: [1, 2, 3], labels: [0], inputShape: [2], classes: 2 });
    expect(build).toThrowError(DatasetError);
    expect(build).toThrowError(/^inputs hold 3 values, not a whole number of examples/);
  });

  it('rejects a label outside the classes', () => {
    const build = () =>
      datasetFromArrays({ inputs: [1], labels: [4], inputShape: [1], classes: 2 });
    expect(build).toThrowError(/label 4 of example 0 is not a class in 0..1/);
  });
});

describe('reshapeInputs', () => {
  const data = datasetFromArrays({
    inputs: new Array(8).fill(0),
    labels: [0, 1],
    inputShape: [2, 2, 1],
    classes: 2,
  });

  it('views the same values through a shape of the same size', () => {
    const flat = reshapeInputs(data, [4]);
    expect(flat.inputShape).toEqual([4]);
    expect(flat.inputs).toBe(data.inputs);
  });

  it('names both shapes when the sizes differ', () => {
    expect(() => reshapeInputs(data, [5])).toThrowError(
      /inputs have shape \[2, 2, 1\] \(4 values\), the graph takes \[5\] \(5 values\)/,
    );
  });

  it('takes a prefix of the examples', () => {
    expect(takeExamples(data, 1).size).toBe(1);
    expect(takeExamples(data, 1).inputs.length).toBe(4);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation that depends only on the seed', () => {
    const first = shuffledIndices(100, mulberry32(5));
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect(shuffledIndices(100, mulberry32(5))).toEqual(first);
    expect(shuffledIndices(100, mulberry32(6))).not.toEqual(first);
  });
});
