import { resolveGraph } from '@symgrad/compiler';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuModel, fromTfTensor, toTfTensor, weightsFromTf, weightsToTf } from '../src/index.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

const graph = resolveGraph(
  {
    name: 'tiny',
    input: { shape: [3] },
    layers: [{ type: 'dense', name: 'out', units: 2, activation: 'sigmoid' }],
    loss: 'squaredError',
    optimizer: { type: 'sgd', learningRate: 0.5 },
  },
  'tiny.json',
);

describe('the TensorFlow.js bridge', () => {
  it('takes tf.Tensors in and gives tf.Tensors back, with the same values', () => {
    const model = CpuModel.compile(graph);
    model.setWeights(
      weightsFromTf({
        'out/kernel': tf.tensor([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [3, 2]),
        'out/bias': tf.tensor([0.05, -0.05], [2]),
      }),
    );
    const x = tf.tensor([1, 0, 2, -1, 1, 0], [2, 3]);
    const t = tf.tensor([1, 0, 0, 1], [2, 2]);
    const { loss, gradients } = model.gradients(fromTfTensor(x), fromTfTensor(t));

    const back = weightsToTf(tf, gradients);
    expect(back['out/kernel']?.shape).toEqual([3, 2]);
    expect(Array.from(back['out/kernel']?.dataSync() ?? [])).toEqual(
      Array.from(gradients['out/kernel']?.data ?? []),
    );
    expect(Number.isFinite(loss)).toBe(true);
    expect(toTfTensor(tf, { shape: [2], data: [1, 2] }).shape).toEqual([2]);
  });
});
