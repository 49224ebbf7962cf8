import { deriveGraph, type Graph, interpretGradients } from '@symgrad/compiler';
import { describe, expect, it } from 'vitest';
import { exampleGraph, graphOf, modelOf, oneHotRows, Random, uniform } from './helpers.js';

/** Convolution, max pooling, average pooling, strides and `same` padding, then dense. */
const convPoolDense = graphOf({
  name: 'conv-pool-dense',
  input: { shape: [9, 9, 2] },
  layers: [
    {
      type: 'conv2d',
      name: 'conv1',
      filters: 3,
      kernelSize: [3, 3],
      padding: 'same',
      activation: 'relu',
    },
    { type: 'maxPooling2d', name: 'pool1', poolSize: [2, 2] },
    {
      type: 'conv2d',
      name: 'conv2',
      filters: 4,
      kernelSize: [2, 2],
      strides: [2, 2],
      activation: 'tanh',
    },
    { type: 'averagePooling2d', name: 'pool2', poolSize: [2, 2] },
    { type: 'flatten' },
    { type: 'dense', name: 'hidden', units: 5, activation: 'elu' },
    { type: 'dense', name: 'out', units: 3, activation: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
});

/**
 * The compiled model's loss and gradients against the compiler's float64 interpreter, which
 * evaluates the derived equations one element at a time.
 */
function compareWithInterpreter(graph: Graph, batch: number, seed: number) {
  const model = modelOf(graph);
  model.initialize(seed);
  const random = new Random(seed + 1);
  const weights = model.weights();
  // Non-zero biases, so that their gradients' paths are exercised too.
  for (const slot of model.weightSlots) {
    if (slot.role === 'bias') weights[slot.name]!.data.set(uniform(slot.size, random, -0.2, 0.2));
  }
  model.setWeights(weights);

  const inputSize = model.inputShape.reduce((a, b) => a * b, 1);
  const classes = model.outputShape.reduce((a, b) => a * b, 1);
  const inputs = uniform(batch * inputSize, random);
  const targets =
    graph.loss === 'softmaxCrossEntropy'
      ? oneHotRows(batch, classes, seed)
      : uniform(batch * classes, random, 0, 1);
  const result = model.gradients(
    { shape: [batch, ...model.inputShape], data: inputs },
    { shape: [batch, ...model.outputShape], data: targets },
  );

  const rows = (data: Float32Array, size: number) =>
    Array.from({ length: batch }, (_, k) => data.subarray(k * size, (k + 1) * size));
  const plain = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, w.data]));
  const oracle = interpretGradients(
    deriveGraph(graph),
    plain,
    rows(inputs, inputSize),
    rows(targets, classes),
  );
  return { result, oracle };
}

/** Within 1e-4 of the oracle, relative to the value or, for tiny values, to the tensor's scale. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (let k = 0; k < expected.length; k += 1) scale = Math.max(scale, Math.abs(expected[k]!));
  for (let k = 0; k < expected.length; k += 1) {
    const tolerance = 1e-4 * Math.max(Math.abs(expected[k]!), 1e-2 * scale, 1e-7);
    if (Math.abs(actual[k]! - expected[k]!) > tolerance) {
      expect.fail(`${what}[${k}] is ${actual[k]}, the interpreter gives ${expected[k]}`);
    }
  }
}

describe.each([
  ['paper-dense', () => exampleGraph('paper-dense'), 3],
  ['paper-conv', () => exampleGraph('paper-conv'), 4],
  ['conv + pool + dense', () => convPoolDense, 5],
])('gradients of %s', (_, graphFactory, batch) => {
  it('equal the float64 interpreter of the derived equations within 1e-4', () => {
    const graph = graphFactory();
    const { result, oracle } = compareWithInterpreter(graph, batch, 11);
    expect(Math.abs(result.loss - oracle.loss)).toBeLessThan(
      1e-4 * Math.max(1, Math.abs(oracle.loss)),
    );
    expect(Object.keys(result.gradients).sort()).toEqual(Object.keys(oracle.gradients).sort());
    for (const [name, gradient] of Object.entries(result.gradients)) {
      expectClose(gradient.data, oracle.gradients[name]!, name);
    }
  });
});

describe('gradients', () => {
  it('are reported in Keras shapes, by weight name, before any update', () => {
    const model = modelOf(exampleGraph('paper-conv'));
    model.initialize(3);
    const before = model.weights();
    const { gradients } = model.gradients(
      { shape: [2, 8, 8, 1], data: new Float32Array(128).fill(0.5) },
      { shape: [2, 3], data: oneHotRows(2, 3) },
    );
    expect(gradients['out/kernel']!.shape).toEqual([25, 3]);
    expect(gradients['conv1/kernel']!.shape).toEqual([3, 3, 1, 1]);
    expect(model.weights()).toEqual(before);
  });

  it('takes a batch larger than the buffers by growing them once', () => {
    const graph = exampleGraph('paper-dense');
    const small = modelOf(graph, { maxBatch: 1 });
    small.initialize(5);
    const inputs = { shape: [4, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] };
    const targets = { shape: [4, 2], data: [0, 1, 1, 0, 0.5, 0.5, 1, 1] };
    const grown = small.gradients(inputs, targets);
    expect(small.maxBatch).toBe(4);
    const large = modelOf(graph, { maxBatch: 8 });
    large.setWeights(small.weights());
    expect(large.gradients(inputs, targets)).toEqual(grown);
  });
});
