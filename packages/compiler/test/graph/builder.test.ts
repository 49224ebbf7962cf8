import { describe, expect, it } from 'vitest';
import { graph, resolveGraph, weightSpecs } from '../../src/graph/index.js';

const lenet = graph('lenet', { inputShape: [28, 28, 1] })
  .conv2d({ name: 'conv1', filters: 6, kernelSize: 5, activation: 'relu' })
  .maxPooling2d({ poolSize: 2 })
  .flatten()
  .dense({ name: 'out', units: 10, activation: 'softmax' })
  .loss('softmaxCrossEntropy');

describe('graph builder', () => {
  it('produces the JSON a user would write', () => {
    expect(lenet.sgd(0.05).toJson()).toEqual({
      name: 'lenet',
      input: { shape: [28, 28, 1] },
      layers: [
        { type: 'conv2d', name: 'conv1', filters: 6, kernelSize: 5, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', name: 'out', units: 10, activation: 'softmax' },
      ],
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.05 },
    });
  });

  it('builds the same Graph as resolveGraph on that JSON', () => {
    const built = lenet.build();
    expect(built).toEqual(resolveGraph(lenet.toJson()));
    expect(built.layers.map((layer) => layer.outputShape)).toEqual([
      [24, 24, 6],
      [12, 12, 6],
      [864],
      [10],
    ]);
  });

  it('is immutable, so a prefix can be shared', () => {
    const trunk = graph('net', { inputShape: [4] }).dense({ units: 3 });
    const a = trunk.dense({ units: 2 }).loss('squaredError');
    const b = trunk.activation('tanh').loss('meanSquaredError');
    expect(a.toJson().layers).toHaveLength(2);
    expect(b.toJson().layers).toEqual([
      { type: 'dense', units: 3 },
      { type: 'activation', activation: 'tanh' },
    ]);
  });
});

describe('weightSpecs', () => {
  it('lists kernels then biases in layer order, with TensorFlow.js layouts', () => {
    const net = graph('net', { inputShape: [8, 8, 3] })
      .conv2d({ filters: 4, kernelSize: [3, 2] })
      .conv2d({ filters: 5, kernelSize: 1, useBias: false })
      .flatten()
      .einsum({ equation: 'y[j] = sum(i) w[i,j] * x[i] + b[j]', weights: { w: [210, 7], b: [7] } })
      .dense({ name: 'out', units: 2 })
      .loss('squaredError')
      .build();
    expect(weightSpecs(net)).toEqual([
      { name: 'conv2d_1/kernel', layer: 'conv2d_1', role: 'kernel', shape: [3, 2, 3, 4] },
      { name: 'conv2d_1/bias', layer: 'conv2d_1', role: 'bias', shape: [4] },
      { name: 'conv2d_2/kernel', layer: 'conv2d_2', role: 'kernel', shape: [1, 1, 4, 5] },
      { name: 'einsum_1/w', layer: 'einsum_1', role: 'einsum', shape: [210, 7] },
      { name: 'einsum_1/b', layer: 'einsum_1', role: 'einsum', shape: [7] },
      { name: 'out/kernel', layer: 'out', role: 'kernel', shape: [7, 2] },
      { name: 'out/bias', layer: 'out', role: 'bias', shape: [2] },
    ]);
  });
});
