/**
 * tfjsReference against the two results of the reference derivation, computed here by loops:
 * Lemma 2.1 (dense, sigmoid, squared error) and Theorem 2.2 (single-channel convolution).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/src/graph/types.js';
import {
  expectClose,
  mulberry32,
  randomTargets,
  randomTensor,
  tfjsReference,
  useCpuBackend,
} from '../src/index.js';

beforeAll(useCpuBackend);

const sgd = { type: 'sgd', learningRate: 0.01 } as const;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('dense sigmoid layer with squared error', () => {
  const [batch, inUnits, units] = [3, 4, 3];
  const graph: Graph = {
    name: 'lemma',
    inputShape: [inUnits],
    layers: [
      {
        type: 'dense',
        name: 'out',
        units,
        activation: { name: 'sigmoid' },
        useBias: true,
        inputShape: [inUnits],
        outputShape: [units],
        path: 'layers[0]',
      },
    ],
    loss: 'squaredError',
    optimizer: sgd,
  };
  const rng = mulberry32(11);
  const kernel = randomTensor([inUnits, units], rng);
  const bias = randomTensor([units], rng);
  const x = randomTensor([batch, inUnits], rng);
  const t = randomTargets([batch, units], rng);

  const y = (b: number, j: number) => {
    let z = bias.data[j] as number;
    for (let i = 0; i < inUnits; i++) z += x.data[b * inUnits + i]! * kernel.data[i * units + j]!;
    return sigmoid(z);
  };
  /** -(t_j - y_j) y_j (1 - y_j) / batch: dL/dz_j for one example of the batch mean. */
  const delta = (b: number, j: number) => {
    const out = y(b, j);
    return (-(t.data[b * units + j]! - out) * out * (1 - out)) / batch;
  };

  const result = () => tfjsReference(graph, { 'out/kernel': kernel, 'out/bias': bias }, x, t);

  it('matches E = mean_b 1/2 sum_j (t_j - y_j)^2', () => {
    let loss = 0;
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < units; j++) loss += 0.5 * (t.data[b * units + j]! - y(b, j)) ** 2;
    expectClose(result().loss, loss / batch, { label: 'loss' });
  });

  it('matches dE/dw_ij = mean_b -(t_j - y_j) y_j (1 - y_j) x_i', () => {
    const expected = new Float64Array(inUnits * units);
    for (let i = 0; i < inUnits; i++)
      for (let j = 0; j < units; j++)
        for (let b = 0; b < batch; b++)
          expected[i * units + j]! += delta(b, j) * x.data[b * inUnits + i]!;
    expectClose(result().gradients['out/kernel']!, expected, { label: 'out/kernel' });
  });

  it('matches dE/db_j and dE/dx_i = sum_j delta_j w_ij', () => {
    const biasGradient = new Float64Array(units);
    const inputGradient = new Float64Array(batch * inUnits);
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < units; j++) {
        biasGradient[j]! += delta(b, j);
        for (let i = 0; i < inUnits; i++)
          inputGradient[b * inUnits + i]! += delta(b, j) * kernel.data[i * units + j]!;
      }
    expectClose(result().gradients['out/bias']!, biasGradient, { label: 'out/bias' });
    expectClose(result().inputGradient, inputGradient, { label: 'input' });
  });
});

describe('single-channel convolution, valid, stride 1', () => {
  const [batch, h, v, k1, k2] = [2, 6, 5, 3, 2];
  const [oh, ov] = [h - k1 + 1, v - k2 + 1];
  const graph: Graph = {
    name: 'theorem',
    inputShape: [h, v, 1],
    layers: [
      {
        type: 'conv2d',
        name: 'conv',
        filters: 1,
        kernelSize: [k1, k2],
        strides: [1, 1],
        padding: 'valid',
        activation: { name: 'sigmoid' },
        useBias: true,
        inputShape: [h, v, 1],
        outputShape: [oh, ov, 1],
        path: 'layers[0]',
      },
    ],
    loss: 'squaredError',
    optimizer: sgd,
  };
  const rng = mulberry32(5);
  const kernel = randomTensor([k1, k2, 1, 1], rng);
  const bias = randomTensor([1], rng);
  const x = randomTensor([batch, h, v, 1], rng);
  const t = randomTargets([batch, oh, ov, 1], rng);
  const at = (b: number, i: number, j: number) => x.data[(b * h + i) * v + j]!;

  /** delta_{i,j} = dL/dx^l_{i,j} for sigmoid output and the batch-mean squared error. */
  const delta = (b: number, i: number, j: number) => {
    let z = bias.data[0]!;
    for (let m = 0; m < k1; m++)
      for (let n = 0; n < k2; n++) z += kernel.data[m * k2 + n]! * at(b, i + m, j + n);
    const out = sigmoid(z);
    return (-(t.data[(b * oh + i) * ov + j]! - out) * out * (1 - out)) / batch;
  };

  it('matches dL/dw_{m,n} = sum_{i,j} delta_{i,j} O_{i+m,j+n}', () => {
    const expected = new Float64Array(k1 * k2);
    let biasGradient = 0;
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ov; j++) {
          biasGradient += delta(b, i, j);
          for (let m = 0; m < k1; m++)
            for (let n = 0; n < k2; n++)
              expected[m * k2 + n]! += delta(b, i, j) * at(b, i + m, j + n);
        }
    const result = tfjsReference(graph, { 'conv/kernel': kernel, 'conv/bias': bias }, x, t);
    expectClose(result.gradients['conv/kernel']!, expected, { label: 'conv/kernel' });
    expectClose(result.gradients['conv/bias']!, [biasGradient], { label: 'conv/bias' });
  });

  it('rejects weights of the wrong shape, naming the weight', () => {
    const wrong = randomTensor([k2, k1, 1, 1], rng);
    expect(() => tfjsReference(graph, { 'conv/kernel': wrong, 'conv/bias': bias }, x, t)).toThrow(
      /conv\/kernel/,
    );
  });
});

describe('average pooling with same padding', () => {
  // One row [x0..x3], pool 1 x 2, stride 1, same: windows {x0,x1} {x1,x2} {x2,x3} {x3}, so
  // d(sum y)/dx = [1/2, 1, 1, 1/2 + 1]. tf.avgPool's own gradient gives [1/2, 1, 1, 1].
  it('divides the gradient by the in-bounds count, as the forward pass does', () => {
    const graph: Graph = {
      name: 'pool',
      inputShape: [1, 4, 1],
      layers: [
        {
          type: 'averagePooling2d',
          name: 'pool',
          poolSize: [1, 2],
          strides: [1, 1],
          padding: 'same',
          inputShape: [1, 4, 1],
          outputShape: [1, 4, 1],
          path: 'layers[0]',
        },
      ],
      loss: 'meanSquaredError',
      optimizer: sgd,
    };
    const x = { shape: [1, 1, 4, 1], data: [1, 2, 3, 4] };
    // Targets y - 2 make dL/dy = 2 (y - t) / 4 = 1 everywhere.
    const t = { shape: [1, 1, 4, 1], data: [1.5 - 2, 2.5 - 2, 3.5 - 2, 4 - 2] };
    const result = tfjsReference(graph, {}, x, t);
    expectClose(result.loss, 4, { label: 'loss' });
    expectClose(result.inputGradient, [0.5, 1, 1, 1.5], { label: 'input' });
  });
});
