/**
 * Einsum layers get their gradients from the generic derivation alone: a depthwise
 * convolution, strided reads and a dense layer written in index notation, each checked
 * against TensorFlow.js ops written out here and against central differences of symgrad's
 * own float64 forward pass (which tests the derived backward equations, not the forward).
 */

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  finiteDifferenceGradient,
  mulberry32,
  randomInputs,
  randomWeights,
  type TensorData,
  targetsFor,
  tfjsReference,
  useCpuBackend,
} from '../../../testkit/src/index.js';
import { deriveGraph } from '../../src/derive/index.js';
import type { DerivedProgram } from '../../src/derive/types.js';
import { resolveGraph } from '../../src/graph/parse.js';
import { interpretForward } from '../../src/interpret/index.js';
import {
  expectEmittedMatches,
  FINITE_DIFFERENCE_TOLERANCE,
  type GradientCase,
  interpret,
  rows,
  TFJS_TOLERANCE,
} from './gradient-check.js';

beforeAll(useCpuBackend);

const sgd = { type: 'sgd', learningRate: 0.1 };

/** Resolves and derives `json`, and interprets it on a seeded batch. */
function einsumCase(json: unknown, batch: number, seed: number): GradientCase {
  const graph = resolveGraph(json, 'einsum.json');
  const derived = deriveGraph(graph);
  const rng = mulberry32(seed);
  const weights = randomWeights(graph, rng);
  const inputs = randomInputs(graph, batch, rng);
  const targets = targetsFor(graph, batch, rng);
  return {
    graph,
    derived,
    weights,
    inputs,
    targets,
    ...interpret(derived, weights, inputs, targets),
  };
}

/** The batch-mean loss by symgrad's forward equations only, in float64. */
function forwardLoss(
  derived: DerivedProgram,
  weights: Record<string, ArrayLike<number>>,
  inputs: Float64Array[],
  targets: Float64Array[],
): number {
  const losses = inputs.map((input, b) => {
    const values = interpretForward(derived.forward, weights, input, targets[b]);
    return values.get(derived.forward.loss)?.data[0] ?? Number.NaN;
  });
  return losses.reduce((total, loss) => total + loss, 0) / losses.length;
}

/** Every weight gradient and the input gradient equal central differences of `forwardLoss`. */
function expectMatchesForwardDifferences(c: GradientCase): void {
  const weights = Object.fromEntries(
    Object.entries(c.weights).map(([name, w]) => [name, Float64Array.from(w.data)]),
  );
  const [inputs, targets] = [rows(c.inputs), rows(c.targets)];
  const numeric = finiteDifferenceGradient(
    (w) => forwardLoss(c.derived, w, inputs, targets),
    weights,
  );
  for (const [name, expected] of Object.entries(numeric)) {
    expectClose(c.gradients[name] ?? [], expected, { ...FINITE_DIFFERENCE_TOLERANCE, label: name });
  }

  const input = { input: Float64Array.from(c.inputs.data) };
  const numericInput = finiteDifferenceGradient(
    (x) =>
      forwardLoss(
        c.derived,
        weights,
        rows({ shape: c.inputs.shape, data: x.input ?? input.input }),
        targets,
      ),
    input,
  );
  expectClose(c.inputGradient, numericInput.input ?? [], {
    ...FINITE_DIFFERENCE_TOLERANCE,
    label: 'input gradient',
  });
}

function tensor({ shape, data }: TensorData): tf.Tensor {
  return tf.tensor(Float32Array.from(data), shape, 'float32');
}

/** Loss and gradients of `lossOf` at the given tensors, by TensorFlow.js, in float32. */
function tfjsGradients(
  lossOf: (...values: tf.Tensor[]) => tf.Scalar,
  values: TensorData[],
): { loss: number; gradients: Float32Array[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(lossOf)(values.map(tensor));
    return {
      loss: value.dataSync()[0] as number,
      gradients: grads.map((g) => Float32Array.from(g.dataSync())),
    };
  });
}

/** mean_b 1/2 sum_j (t_j - y_j)^2, the squared error of DESIGN.md. */
function squaredError(y: tf.Tensor, t: tf.Tensor): tf.Scalar {
  const batch = t.shape[0] as number;
  return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(t, y)))), batch);
}

/** y = x K + b on a batch of rows. */
function denseOf(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const batch = x.shape[0] as number;
  return tf.add(tf.matMul(tf.reshape(x, [batch, -1]) as tf.Tensor2D, kernel as tf.Tensor2D), bias);
}

function expectGradientsClose(c: GradientCase, names: string[], expected: Float32Array[]): void {
  names.forEach((name, k) => {
    const label = name === 'input' ? 'input gradient' : name;
    const actual = name === 'input' ? c.inputGradient : (c.gradients[name] ?? []);
    expectClose(actual, expected[k] ?? [], { ...TFJS_TOLERANCE, label });
  });
}

describe('depthwise convolution y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c] + b[c]', () => {
  const [batch, height, width, channels] = [2, 5, 6, 2];
  const json = {
    name: 'depthwise',
    input: { shape: [height, width, channels] },
    layers: [
      {
        type: 'einsum',
        name: 'depthwise',
        equation: 'y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c] + b[c]',
        weights: { w: [3, 2, channels], b: [channels] },
        activation: 'tanh',
      },
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 3 },
    ],
    loss: 'squaredError',
    optimizer: sgd,
  };
  let memo: GradientCase | undefined;
  const get = () => {
    memo ??= einsumCase(json, batch, 61);
    return memo;
  };

  it('has the output shape of a valid depthwise convolution and gradients for w and b', () => {
    expect(get().graph.layers[0]?.outputShape).toEqual([3, 5, channels]);
    expect(Object.keys(get().gradients).sort()).toEqual([
      'depthwise/b',
      'depthwise/w',
      'out/bias',
      'out/kernel',
    ]);
  });

  it('matches tf.depthwiseConv2d with the filter reshaped to [kh, kw, C, 1]', () => {
    const c = get();
    const w = c.weights;
    const reference = tfjsGradients(
      (x, filter, bias, kernel, outBias) => {
        const depthwise = tf.depthwiseConv2d(
          x as tf.Tensor4D,
          tf.reshape(filter, [3, 2, channels, 1]) as tf.Tensor4D,
          1,
          'valid',
        );
        const hidden = tf.tanh(tf.add(depthwise, bias as tf.Tensor));
        return squaredError(
          denseOf(hidden, kernel as tf.Tensor, outBias as tf.Tensor),
          tensor(c.targets),
        );
      },
      [
        c.inputs,
        w['depthwise/w'],
        w['depthwise/b'],
        w['out/kernel'],
        w['out/bias'],
      ] as TensorData[],
    );
    expectClose(c.loss, reference.loss, { ...TFJS_TOLERANCE, label: 'loss' });
    expectGradientsClose(
      c,
      ['input', 'depthwise/w', 'depthwise/b', 'out/kernel', 'out/bias'],
      reference.gradients,
    );
  });

  it('matches central differences of its forward equations', () => {
    expectMatchesForwardDifferences(get());
  });
});

describe('strided einsum y[i] = x[2*i]', () => {
  const json = {
    name: 'strided',
    input: { shape: [8] },
    layers: [
      { type: 'einsum', name: 'pick', equation: 'y[i] = x[2*i]' },
      { type: 'dense', name: 'out', units: 3, activation: 'sigmoid' },
    ],
    loss: 'squaredError',
    optimizer: sgd,
  };
  let memo: GradientCase | undefined;
  const get = () => {
    memo ??= einsumCase(json, 3, 62);
    return memo;
  };

  it('keeps every second element', () => {
    expect(get().graph.layers[0]?.outputShape).toEqual([4]);
  });

  it('gives exactly zero input gradient at odd positions and non-zero at even ones', () => {
    get().inputGradient.forEach((value, position) => {
      if (position % 2 === 1) expect(value, `at ${position}`).toBe(0);
      else expect(Math.abs(value), `at ${position}`).toBeGreaterThan(1e-8);
    });
  });

  it('matches TensorFlow.js reading the even elements by a slice', () => {
    const c = get();
    const reference = tfjsGradients(
      (x, kernel, bias) => {
        const even = tf.reshape(tf.slice(tf.reshape(x, [3, 4, 2]), [0, 0, 0], [3, 4, 1]), [3, 4]);
        const y = tf.sigmoid(denseOf(even, kernel as tf.Tensor, bias as tf.Tensor));
        return squaredError(y, tensor(c.targets));
      },
      [c.inputs, c.weights['out/kernel'], c.weights['out/bias']] as TensorData[],
    );
    expectClose(c.loss, reference.loss, { ...TFJS_TOLERANCE, label: 'loss' });
    expectGradientsClose(c, ['input', 'out/kernel', 'out/bias'], reference.gradients);
  });

  it('matches central differences of its forward equations', () => {
    expectMatchesForwardDifferences(get());
  });
});

describe('strided 1-D convolution y[i] = sum(m) w[m] * x[2*i+m]', () => {
  const json = {
    name: 'strided-conv',
    input: { shape: [9] },
    layers: [
      {
        type: 'einsum',
        name: 'conv',
        equation: 'y[i] = sum(m) w[m] * x[2*i+m]',
        weights: { w: [3] },
        activation: 'elu',
      },
    ],
    loss: 'meanSquaredError',
    optimizer: sgd,
  };
  let memo: GradientCase | undefined;
  const get = () => {
    memo ??= einsumCase(json, 3, 63);
    return memo;
  };

  it('matches tf.conv1d with stride 2', () => {
    const c = get();
    expect(c.graph.layers[0]?.outputShape).toEqual([4]);
    const reference = tfjsGradients(
      (x, w) => {
        const z = tf.conv1d(
          tf.reshape(x, [3, 9, 1]) as tf.Tensor3D,
          tf.reshape(w, [3, 1, 1]) as tf.Tensor3D,
          2,
          'valid',
        );
        const y = tf.reshape(tf.elu(z), [3, 4]);
        return tf.mean(tf.square(tf.sub(tensor(c.targets), y)));
      },
      [c.inputs, c.weights['conv/w']] as TensorData[],
    );
    expectClose(c.loss, reference.loss, { ...TFJS_TOLERANCE, label: 'loss' });
    expectGradientsClose(c, ['input', 'conv/w'], reference.gradients);
  });

  it('matches central differences of its forward equations', () => {
    expectMatchesForwardDifferences(get());
  });
});

describe('dense layer written as einsum y[j] = sum(i) w[i,j] * x[i] + b[j]', () => {
  const layers = (layer: Record<string, unknown>) => ({
    name: 'dense-einsum',
    input: { shape: [4] },
    layers: [layer],
    loss: 'squaredError',
    optimizer: sgd,
  });
  const einsumJson = layers({
    type: 'einsum',
    name: 'mix',
    equation: 'y[j] = sum(i) w[i,j] * x[i] + b[j]',
    weights: { w: [4, 3], b: [3] },
    activation: 'sigmoid',
  });
  const denseJson = layers({ type: 'dense', name: 'mix', units: 3, activation: 'sigmoid' });
  let memo: GradientCase | undefined;
  const get = () => {
    memo ??= einsumCase(einsumJson, 3, 64);
    return memo;
  };

  it('matches TensorFlow.js on the same layer written as dense', () => {
    const c = get();
    const dense = resolveGraph(denseJson);
    const weights = { 'mix/kernel': c.weights['mix/w'], 'mix/bias': c.weights['mix/b'] };
    const reference = tfjsReference(
      dense,
      weights as Record<string, TensorData>,
      c.inputs,
      c.targets,
    );
    expectClose(c.loss, reference.loss, { ...TFJS_TOLERANCE, label: 'loss' });
    expectClose(
      c.gradients['mix/w'] ?? [],
      reference.gradients['mix/kernel'] ?? [],
      TFJS_TOLERANCE,
    );
    expectClose(c.gradients['mix/b'] ?? [], reference.gradients['mix/bias'] ?? [], TFJS_TOLERANCE);
    expectClose(c.inputGradient, reference.inputGradient, TFJS_TOLERANCE);
  });

  it('gives the same numbers as symgrad’s own dense layer', () => {
    const c = get();
    const derived = deriveGraph(resolveGraph(denseJson));
    const weights = { 'mix/kernel': c.weights['mix/w'], 'mix/bias': c.weights['mix/b'] };
    const dense = interpret(derived, weights as Record<string, TensorData>, c.inputs, c.targets);
    const exact = { relative: 1e-12, absolute: 1e-15 };
    expectClose(c.loss, dense.loss, exact);
    expectClose(c.gradients['mix/w'] ?? [], dense.gradients['mix/kernel'] ?? [], exact);
    expectClose(c.gradients['mix/b'] ?? [], dense.gradients['mix/bias'] ?? [], exact);
    expectClose(c.inputGradient, dense.inputGradient, exact);
  });

  it('matches central differences of its forward equations', () => {
    expectMatchesForwardDifferences(get());
  });
});

/** An einsum layer named `e`, with optional weights and activation. */
function einsumLayer(equation: string, weights?: Record<string, number[]>, activation?: string) {
  return {
    type: 'einsum',
    name: 'e',
    equation,
    ...(weights && { weights }),
    ...(activation && { activation }),
  };
}

describe('more einsum equations, against central differences of their forward equations', () => {
  const cases: [string, number[], unknown[]][] = [
    [
      'dilated: y[i] = sum(m) w[m] * x[i+2*m]',
      [9],
      [einsumLayer('y[i] = sum(m) w[m] * x[i+2*m]', { w: [3] })],
    ],
    [
      'coprime strides: x[2*i + 3*m]',
      [12],
      [einsumLayer('y[i] = sum(m) w[m] * x[2*i + 3*m]', { w: [3] })],
    ],
    [
      'coprime strides: x[3*i + 2*m]',
      [12],
      [einsumLayer('y[i] = sum(m) w[m] * x[3*i + 2*m]', { w: [3] })],
    ],
    [
      'two window indices on one axis: x[i+m+n]',
      [8],
      [einsumLayer('y[i] = sum(m,n) w[m,n] * x[i+m+n]', { w: [2, 3] })],
    ],
    [
      'a negative window offset: x[i-m+2]',
      [8],
      [einsumLayer('y[i] = sum(m) w[m] * x[i-m+2]', { w: [3] })],
    ],
    ['reversed weights: w[4-i] * x[i]', [5], [einsumLayer('y[i] = w[4-i] * x[i]', { w: [5] })]],
    ['a strided weight read: w[2*j]', [3], [einsumLayer('y[j] = w[2*j] * x[j]', { w: [6] })]],
    ['the input twice: x[i] * x[i]', [4], [einsumLayer('y[i] = x[i] * x[i]')]],
    ['an outer product: y[i,j] = x[i] * x[j]', [4], [einsumLayer('y[i,j] = x[i] * x[j]')]],
    ['x[i] times the sum of x', [4], [einsumLayer('y[i] = x[i] * sum(j) x[j]')]],
    [
      'a weight twice: w[i] * w[i] * x[i]',
      [4],
      [einsumLayer('y[i] = w[i] * w[i] * x[i]', { w: [4] })],
    ],
    [
      'division by a weight expression',
      [4],
      [einsumLayer('y[i] = x[i] / (2 + w[i] * w[i])', { w: [4] })],
    ],
    [
      'scalar functions',
      [4],
      [
        einsumLayer(
          'y[i] = exp(x[i]) / (1 + exp(x[i])) + tanh(w[i] * x[i]) - log(2 + sigmoid(x[i]))',
          { w: [4] },
        ),
      ],
    ],
    ['relu inside the equation', [4], [einsumLayer('y[i] = relu(w[i] + x[i])', { w: [4] })]],
    [
      'a 1 x 1 convolution: y[i,j,u] = sum(c) w[c,u] * x[i,j,c]',
      [3, 3, 2],
      [einsumLayer('y[i,j,u] = sum(c) w[c,u] * x[i,j,c]', { w: [2, 3] })],
    ],
    [
      'a transpose: y[j,i,c] = w[i,j,c] * x[i,j,c]',
      [2, 3, 2],
      [einsumLayer('y[j,i,c] = w[i,j,c] * x[i,j,c]', { w: [2, 3, 2] })],
    ],
    [
      'a 2-D strided read with an offset, then dense',
      [6, 5, 1],
      [
        einsumLayer('y[i,j,c] = x[2*i+1, 2*j, c]'),
        { type: 'flatten' },
        { type: 'dense', name: 'd', units: 2 },
      ],
    ],
    [
      'two einsum layers in a row',
      [6],
      [
        einsumLayer('y[i] = sum(m) w[m] * x[i+m]', { w: [2] }, 'tanh'),
        {
          type: 'einsum',
          name: 'f',
          equation: 'y[i] = sum(m) v[m] * x[2*i+m]',
          weights: { v: [3] },
        },
      ],
    ],
    [
      'einsum, then conv2d with same padding',
      [5, 5, 2],
      [
        einsumLayer('y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c]', { w: [2, 2, 2] }, 'elu'),
        { type: 'conv2d', filters: 2, kernelSize: 2, padding: 'same' },
      ],
    ],
    [
      'max pooling, then an einsum transpose',
      [6, 6, 1],
      [
        { type: 'maxPooling2d', poolSize: 2 },
        einsumLayer('y[i,j,c] = w[c] * x[j,i,c]', { w: [1] }),
      ],
    ],
  ];
  for (const [title, input, layers] of cases) {
    it(title, () => {
      const json = {
        name: 'e',
        input: { shape: input },
        layers,
        loss: 'squaredError',
        optimizer: sgd,
      };
      const c = einsumCase(json, 2, 65);
      expectMatchesForwardDifferences(c);
      expectEmittedMatches(c);
    });
  }
});
