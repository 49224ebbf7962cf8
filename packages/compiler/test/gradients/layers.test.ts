/**
 * Every layer, activation and loss: symgrad's derived gradients against TensorFlow.js's
 * autodiff on the same graph, weights and batch, and against central differences of an
 * independent float64 forward pass.
 */

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, type TensorData, useCpuBackend } from '../../../testkit/src/index.js';
import { GraphError } from '../../src/errors.js';
import { resolveGraph } from '../../src/graph/parse.js';
import {
  type CaseOptions,
  expectEmittedMatches,
  expectEveryWeightDerived,
  expectMatchesFiniteDifferences,
  expectMatchesTensorflow,
  expectNonZeroGradients,
  type FiniteDifferenceCheck,
  type GradientCase,
  gradientCase,
} from './gradient-check.js';

beforeAll(useCpuBackend);

const sgd = { type: 'sgd', learningRate: 0.1 };

type LayerJson = Record<string, unknown>;

function graphJson(name: string, input: number[], layers: LayerJson[], loss: string) {
  return { name, input: { shape: input }, layers, loss, optimizer: sgd };
}

interface LayerCase {
  readonly title: string;
  readonly json: unknown;
  readonly options?: CaseOptions;
  readonly finiteDifferences?: FiniteDifferenceCheck;
  /** Checks on the resolved graph: the references read it, so they cannot catch its errors. */
  readonly resolved?: (c: GradientCase) => void;
  /** For the big examples, whose interpretation alone takes seconds. */
  readonly timeout?: number;
}

/** Runs the three checks of one case; the case is derived and interpreted once. */
function checkCase(layerCase: LayerCase): void {
  const { title, json, options, finiteDifferences, resolved, timeout } = layerCase;
  describe(title, () => {
    let memo: GradientCase | undefined;
    const get = (): GradientCase => {
      memo ??= gradientCase(json, options);
      return memo;
    };

    it(
      'derives a gradient for every weight, none of them zero',
      () => {
        expectEveryWeightDerived(get());
        expectNonZeroGradients(get());
        resolved?.(get());
      },
      timeout,
    );

    it(
      'matches TensorFlow.js: loss, weight gradients and input gradient',
      () => {
        expectMatchesTensorflow(get());
      },
      timeout,
    );

    it(
      'runs the same in the emitted TypeScript',
      () => {
        expectEmittedMatches(get());
      },
      timeout,
    );

    it(
      'matches central differences of a float64 loss',
      () => {
        expectMatchesFiniteDifferences(get(), finiteDifferences);
      },
      timeout,
    );
  });
}

const activations: { title: string; json: unknown; resolved: unknown }[] = [
  { title: 'linear', json: 'linear', resolved: { name: 'linear' } },
  { title: 'sigmoid', json: 'sigmoid', resolved: { name: 'sigmoid' } },
  { title: 'tanh', json: 'tanh', resolved: { name: 'tanh' } },
  { title: 'relu', json: 'relu', resolved: { name: 'relu' } },
  {
    title: 'leakyRelu alpha 0.1',
    json: { name: 'leakyRelu', alpha: 0.1 },
    resolved: { name: 'leakyRelu', alpha: 0.1 },
  },
  {
    title: 'leakyRelu default alpha',
    json: 'leakyRelu',
    resolved: { name: 'leakyRelu', alpha: 0.2 },
  },
  {
    title: 'elu alpha 0.5',
    json: { name: 'elu', alpha: 0.5 },
    resolved: { name: 'elu', alpha: 0.5 },
  },
  { title: 'elu default alpha', json: 'elu', resolved: { name: 'elu', alpha: 1 } },
  { title: 'softmax', json: 'softmax', resolved: { name: 'softmax' } },
];

const losses = ['squaredError', 'meanSquaredError', 'softmaxCrossEntropy'] as const;

describe('dense layer, each activation under each loss', () => {
  for (const activation of activations) {
    for (const loss of losses) {
      const crossEntropyValid = activation.title === 'linear' || activation.title === 'softmax';
      if (loss === 'softmaxCrossEntropy' && !crossEntropyValid) continue;
      checkCase({
        title: `dense ${activation.title}, ${loss}`,
        json: graphJson(
          'dense',
          [4],
          [{ type: 'dense', name: 'out', units: 3, activation: activation.json }],
          loss,
        ),
        options: { batch: 3, seed: 7 },
        resolved: (c) => {
          expect(c.graph.layers[0]).toMatchObject({ activation: activation.resolved });
        },
      });
    }
  }
});

describe('dense layers', () => {
  checkCase({
    title: 'dense without bias',
    json: graphJson(
      'noBias',
      [5],
      [
        { type: 'dense', name: 'hidden', units: 4, activation: 'tanh', useBias: false },
        { type: 'dense', name: 'out', units: 3, activation: 'sigmoid', useBias: false },
      ],
      'squaredError',
    ),
    options: { batch: 3, seed: 3 },
    resolved: (c) =>
      expect(Object.keys(c.gradients).sort()).toEqual(['hidden/kernel', 'out/kernel']),
  });

  checkCase({
    title: 'deep MLP, 4 layers',
    json: graphJson(
      'deep',
      [6],
      [
        { type: 'dense', name: 'd1', units: 8, activation: 'tanh' },
        { type: 'dense', name: 'd2', units: 7, activation: { name: 'leakyRelu', alpha: 0.1 } },
        { type: 'dense', name: 'd3', units: 5, activation: 'elu', alpha: 0.5 },
        { type: 'dense', name: 'd4', units: 4, activation: 'softmax' },
      ],
      'softmaxCrossEntropy',
    ),
    options: { batch: 3, seed: 4 },
    resolved: (c) => expect(c.graph.layers[2]).toMatchObject({ activation: { alpha: 0.5 } }),
  });

  checkCase({
    title: 'deep MLP, 4 layers, sigmoid output under meanSquaredError',
    json: graphJson(
      'deepMse',
      [5],
      [
        { type: 'dense', units: 6, activation: 'relu' },
        { type: 'dense', units: 6, activation: 'sigmoid' },
        { type: 'dense', units: 4, activation: 'elu' },
        { type: 'dense', units: 3, activation: 'sigmoid' },
      ],
      'meanSquaredError',
    ),
    options: { batch: 3, seed: 5 },
    resolved: (c) =>
      expect(c.graph.layers.map((l) => l.name)).toEqual([
        'dense_1',
        'dense_2',
        'dense_3',
        'dense_4',
      ]),
  });
});

/** A conv2d layer named `conv`, with `fields` on top. */
function conv(fields: LayerJson): LayerJson {
  return { type: 'conv2d', name: 'conv', ...fields };
}

function expectConv(c: GradientCase, strides: number[], padding: string, outputShape: number[]) {
  const layer = c.graph.layers.find((l) => l.type === 'conv2d');
  expect(layer).toMatchObject({ strides, padding, outputShape });
}

describe('conv2d layers', () => {
  checkCase({
    title: 'conv2d valid, stride 1, under squaredError on its 3-D output',
    json: graphJson(
      'convValid',
      [5, 5, 1],
      [conv({ filters: 1, kernelSize: [3, 3], activation: 'sigmoid' })],
      'squaredError',
    ),
    options: { batch: 2, seed: 11 },
    resolved: (c) => expectConv(c, [1, 1], 'valid', [3, 3, 1]),
  });

  checkCase({
    title: 'conv2d valid, stride 1, non-square kernel, then flatten and dense',
    json: graphJson(
      'convValidDense',
      [6, 5, 1],
      [
        conv({ filters: 2, kernelSize: [3, 2], activation: 'tanh' }),
        { type: 'flatten' },
        { type: 'dense', name: 'out', units: 3, activation: 'softmax' },
      ],
      'softmaxCrossEntropy',
    ),
    options: { batch: 2, seed: 12 },
    resolved: (c) => expectConv(c, [1, 1], 'valid', [4, 4, 2]),
  });

  checkCase({
    title: 'conv2d stride 2, valid',
    json: graphJson(
      'convStride2Valid',
      [7, 8, 2],
      [conv({ filters: 3, kernelSize: 3, strides: 2, activation: 'relu' })],
      'meanSquaredError',
    ),
    options: { batch: 2, seed: 13 },
    resolved: (c) => expectConv(c, [2, 2], 'valid', [3, 3, 3]),
  });

  checkCase({
    title: 'conv2d stride 2, same (padding after only on one axis)',
    json: graphJson(
      'convStride2Same',
      [7, 6, 2],
      [
        conv({
          filters: 2,
          kernelSize: [3, 3],
          strides: [2, 2],
          padding: 'same',
          activation: 'elu',
        }),
      ],
      'squaredError',
    ),
    options: { batch: 2, seed: 14 },
    resolved: (c) => expectConv(c, [2, 2], 'same', [4, 3, 2]),
  });

  checkCase({
    title: 'conv2d stride [2, 1], same, even kernel',
    json: graphJson(
      'convMixedStride',
      [6, 5, 1],
      [conv({ filters: 2, kernelSize: [4, 2], strides: [2, 1], padding: 'same' })],
      'squaredError',
    ),
    options: { batch: 2, seed: 15 },
    resolved: (c) => expectConv(c, [2, 1], 'same', [3, 5, 2]),
  });

  checkCase({
    title: 'conv2d same, even kernel (the odd padding row goes after)',
    json: graphJson(
      'convSameEven',
      [5, 5, 1],
      [conv({ filters: 2, kernelSize: [2, 4], padding: 'same', activation: 'tanh' })],
      'squaredError',
    ),
    options: { batch: 2, seed: 16 },
    resolved: (c) => expectConv(c, [1, 1], 'same', [5, 5, 2]),
  });

  checkCase({
    title: 'conv2d same, odd kernel',
    json: graphJson(
      'convSameOdd',
      [5, 4, 2],
      [conv({ filters: 2, kernelSize: [3, 5], padding: 'same', activation: 'sigmoid' })],
      'meanSquaredError',
    ),
    options: { batch: 2, seed: 17 },
    resolved: (c) => expectConv(c, [1, 1], 'same', [5, 4, 2]),
  });

  checkCase({
    title: 'conv2d multi-channel in and out, two layers',
    json: graphJson(
      'convChannels',
      [5, 5, 3],
      [
        conv({ name: 'conv1', filters: 4, kernelSize: [2, 2], activation: 'tanh' }),
        conv({ name: 'conv2', filters: 3, kernelSize: [2, 3], activation: 'leakyRelu' }),
        { type: 'flatten' },
        { type: 'dense', name: 'out', units: 2 },
      ],
      'squaredError',
    ),
    options: { batch: 2, seed: 18 },
  });

  checkCase({
    title: 'conv2d without bias',
    json: graphJson(
      'convNoBias',
      [5, 5, 2],
      [conv({ filters: 3, kernelSize: [3, 3], useBias: false, activation: 'tanh' })],
      'squaredError',
    ),
    options: { batch: 2, seed: 19 },
    resolved: (c) => expect(Object.keys(c.gradients)).toEqual(['conv/kernel']),
  });
});

/** Pooling after a convolution, so that the kernel's gradient passes back through the pool. */
function pooled(name: string, pool: LayerJson, input = [8, 8, 1]) {
  return graphJson(
    name,
    input,
    [
      conv({ filters: 2, kernelSize: [2, 2], activation: 'tanh' }),
      pool,
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 3, activation: 'sigmoid' },
    ],
    'squaredError',
  );
}

function expectPool(c: GradientCase, padding: string, outputShape: number[]) {
  const layer = c.graph.layers.find((l) => l.type.endsWith('Pooling2d'));
  expect(layer).toMatchObject({ padding, outputShape });
}

describe('max pooling', () => {
  checkCase({
    title: 'max pooling 3 stride 2 (overlapping windows), valid',
    json: pooled('maxValid', { type: 'maxPooling2d', poolSize: 3, strides: 2 }),
    options: { batch: 2, seed: 21 },
    resolved: (c) => expectPool(c, 'valid', [3, 3, 2]),
  });

  checkCase({
    title: 'max pooling 3 stride 2 (overlapping windows), same',
    json: pooled('maxSame', { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'same' }),
    options: { batch: 2, seed: 22 },
    resolved: (c) => expectPool(c, 'same', [4, 4, 2]),
  });

  checkCase({
    title: 'max pooling with Keras default strides (the pool size), on the input',
    json: graphJson(
      'maxDefault',
      [6, 5, 2],
      [
        { type: 'maxPooling2d', poolSize: [2, 2] },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
      'squaredError',
    ),
    options: { batch: 2, seed: 23 },
    resolved: (c) => expectPool(c, 'valid', [3, 2, 2]),
  });
});

describe('max pooling with ties, which go to the first maximum as in TensorFlow', () => {
  const json = graphJson(
    'maxTies',
    [5, 5, 1],
    [
      { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'valid' },
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 2 },
    ],
    'squaredError',
  );
  /** Values from {-1, 0, 1}: most windows hold their maximum more than once. */
  const ties: TensorData = {
    shape: [2, 5, 5, 1],
    data: Float64Array.from({ length: 50 }, (_, k) => ((k * 7 + (k >> 2)) % 3) - 1),
  };
  const constant: TensorData = { shape: [1, 5, 5, 1], data: new Float64Array(25).fill(0.5) };

  it('matches TensorFlow.js on inputs full of ties', () => {
    expectMatchesTensorflow(gradientCase(json, { inputs: ties, seed: 24 }));
  });

  it('matches central differences in the weights after the pool', () => {
    const c = gradientCase(json, { inputs: ties, seed: 24 });
    expectMatchesFiniteDifferences(c, { input: false });
  });

  it('sends each window gradient to the first element only, when the input is constant', () => {
    const c = gradientCase(json, { inputs: constant, seed: 25 });
    expectMatchesTensorflow(c);
    // Windows start at rows and columns 0 and 2; their first elements are (0,0), (0,2), (2,0),
    // (2,2). Every other element, though it ties, gets nothing.
    const firsts = [0, 2, 10, 12];
    c.inputGradient.forEach((value, position) => {
      if (firsts.includes(position))
        expect(Math.abs(value), `at ${position}`).toBeGreaterThan(1e-6);
      else expect(value, `at ${position}`).toBe(0);
    });
  });
});

describe('max pooling with same padding never lets the padding win', () => {
  const json = graphJson(
    'maxSameTies',
    [5, 5, 1],
    [
      { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'same' },
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 2 },
    ],
    'squaredError',
  );

  it('gives a constant negative input gradient at the first in-bounds element of each window', () => {
    const inputs: TensorData = { shape: [1, 5, 5, 1], data: new Float64Array(25).fill(-0.5) };
    const c = gradientCase(json, { inputs, seed: 26 });
    expectMatchesTensorflow(c);
    // Windows span rows (and columns) -1..1, 1..3 and 3..5; their first in-bounds rows are 0, 1, 3.
    const firsts = [0, 1, 3].flatMap((row) => [0, 1, 3].map((col) => row * 5 + col));
    c.inputGradient.forEach((value, position) => {
      if (firsts.includes(position))
        expect(Math.abs(value), `at ${position}`).toBeGreaterThan(1e-6);
      else expect(value, `at ${position}`).toBe(0);
    });
  });
});

describe('average pooling', () => {
  checkCase({
    title: 'average pooling 3 stride 2, valid',
    json: pooled('avgValid', { type: 'averagePooling2d', poolSize: 3, strides: 2 }),
    options: { batch: 2, seed: 31 },
    resolved: (c) => expectPool(c, 'valid', [3, 3, 2]),
  });

  checkCase({
    title: 'average pooling 3 stride 2, same (edge windows average fewer elements)',
    json: pooled('avgSame', { type: 'averagePooling2d', poolSize: 3, strides: 2, padding: 'same' }),
    options: { batch: 2, seed: 32 },
    resolved: (c) => expectPool(c, 'same', [4, 4, 2]),
  });

  checkCase({
    title: 'average pooling 2, same, on the input (padding after only)',
    json: graphJson(
      'avgSameInput',
      [5, 5, 2],
      [
        { type: 'averagePooling2d', poolSize: 2, padding: 'same' },
        { type: 'flatten' },
        { type: 'dense', units: 3, activation: 'tanh' },
      ],
      'meanSquaredError',
    ),
    options: { batch: 2, seed: 33 },
    resolved: (c) => expectPool(c, 'same', [3, 3, 2]),
  });

  checkCase({
    title: 'average pooling 2 with default strides, valid, on the input',
    json: graphJson(
      'avgValidInput',
      [5, 4, 1],
      [{ type: 'averagePooling2d', poolSize: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }],
      'squaredError',
    ),
    options: { batch: 2, seed: 34 },
    resolved: (c) => expectPool(c, 'valid', [2, 2, 1]),
  });
});

describe('flatten and activation layers', () => {
  checkCase({
    title: 'flatten then dense: the [h, w, c, units] kernel is Keras’s [h*w*c, units]',
    json: graphJson(
      'flattenDense',
      [3, 3, 2],
      [{ type: 'flatten' }, { type: 'dense', name: 'out', units: 4, activation: 'sigmoid' }],
      'squaredError',
    ),
    options: { batch: 3, seed: 41 },
    resolved: (c) => expect(c.gradients['out/kernel']).toHaveLength(72),
  });

  checkCase({
    title: 'separate activation layers after dense layers',
    json: graphJson(
      'activationLayers',
      [4],
      [
        { type: 'dense', units: 5 },
        { type: 'activation', activation: 'tanh' },
        { type: 'dense', units: 4 },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.3 },
        { type: 'dense', units: 3 },
        { type: 'activation', activation: 'elu' },
      ],
      'squaredError',
    ),
    options: { batch: 3, seed: 42 },
    resolved: (c) =>
      expect(c.graph.layers[3]).toMatchObject({ activation: { name: 'leakyRelu', alpha: 0.3 } }),
  });

  checkCase({
    title: 'separate activation layers after a convolution',
    json: graphJson(
      'convActivationLayers',
      [5, 5, 1],
      [
        conv({ filters: 2, kernelSize: 2 }),
        { type: 'activation', activation: 'relu' },
        { type: 'activation', activation: 'sigmoid' },
      ],
      'squaredError',
    ),
    options: { batch: 2, seed: 43 },
  });

  checkCase({
    title: 'softmax as a separate layer, under squaredError',
    json: graphJson(
      'softmaxLayerSquared',
      [4],
      [
        { type: 'dense', units: 3 },
        { type: 'activation', activation: 'softmax' },
      ],
      'squaredError',
    ),
    options: { batch: 3, seed: 44 },
  });

  checkCase({
    title: 'softmax as a separate layer, under meanSquaredError, after a hidden layer',
    json: graphJson(
      'softmaxLayerMse',
      [4],
      [
        { type: 'dense', units: 5, activation: 'sigmoid' },
        { type: 'dense', units: 4 },
        { type: 'activation', activation: 'softmax' },
      ],
      'meanSquaredError',
    ),
    options: { batch: 3, seed: 45 },
  });

  checkCase({
    title: 'softmax as a separate layer, under softmaxCrossEntropy',
    json: graphJson(
      'softmaxLayerCrossEntropy',
      [4],
      [
        { type: 'dense', units: 3, activation: 'tanh' },
        { type: 'activation', activation: 'softmax' },
      ],
      'softmaxCrossEntropy',
    ),
    options: { batch: 3, seed: 46 },
  });
});

/**
 * symgrad refuses softmax on a 3-D output for activation and einsum layers (a named E_SHAPE
 * error); a conv2d layer's own softmax activation should be refused alike, or else computed
 * as Keras does, over the channels of each position. See KNOWN_FAILURES.md.
 */
describe('softmax on a 3-D output is refused, never computed differently from Keras', () => {
  const softmaxLayer = graphJson(
    'softmaxLayer3d',
    [1, 2, 2],
    [{ type: 'activation', activation: 'softmax' }],
    'squaredError',
  );
  const convSoftmax = graphJson(
    'convSoftmax',
    [1, 2, 2],
    [conv({ filters: 2, kernelSize: 1, activation: 'softmax' })],
    'squaredError',
  );

  it('refuses a softmax activation layer on a [1, 2, 2] input', () => {
    expect(() => resolveGraph(softmaxLayer, 'graph.json')).toThrow(GraphError);
    expect(() => resolveGraph(softmaxLayer, 'graph.json')).toThrow(/softmax needs a 1-D/);
  });

  it('refuses a conv2d softmax activation on a [1, 2, 2] output, or matches TensorFlow.js', () => {
    let c: GradientCase;
    try {
      c = gradientCase(convSoftmax, { batch: 2, seed: 47 });
    } catch (error) {
      expect(error).toBeInstanceOf(GraphError);
      return;
    }
    expectMatchesTensorflow(c);
  });
});

function example(name: string): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../../../examples/${name}.json`, import.meta.url), 'utf8'),
  );
}

describe('the examples', () => {
  checkCase({
    title: 'paper-dense',
    json: example('paper-dense'),
    options: { batch: 3, seed: 51 },
  });
  checkCase({ title: 'paper-conv', json: example('paper-conv'), options: { batch: 2, seed: 52 } });

  // The symgrad interpreter loops over every index box plainly: LeNet takes about 7 s for one
  // example, the 784-128-10 MLP about 1.5 s for two. Finite differences probe a sample.
  checkCase({
    title: 'lenet, one example',
    json: example('lenet'),
    options: { batch: 1, seed: 54 },
    finiteDifferences: { sample: 4 },
    timeout: 60_000,
  });
  checkCase({
    title: 'mlp',
    json: example('mlp'),
    options: { batch: 2, seed: 55 },
    finiteDifferences: { sample: 6 },
    timeout: 30_000,
  });

  it('paper-dense gives Lemma 2.1: dE/dw_ij = -e_j y_j (1 - y_j) x_i, averaged over the batch', () => {
    const c = gradientCase(example('paper-dense'), { batch: 3, seed: 53 });
    const [inUnits, units, batch] = [3, 2, 3];
    const kernel = c.weights['out/kernel']?.data ?? [];
    const bias = c.weights['out/bias']?.data ?? [];
    const expected = new Float64Array(inUnits * units);
    for (let b = 0; b < batch; b++) {
      const x = (i: number) => c.inputs.data[b * inUnits + i] as number;
      for (let j = 0; j < units; j++) {
        let z = bias[j] as number;
        for (let i = 0; i < inUnits; i++) z += x(i) * (kernel[i * units + j] as number);
        const y = 1 / (1 + Math.exp(-z));
        const e = (c.targets.data[b * units + j] as number) - y;
        for (let i = 0; i < inUnits; i++) {
          const k = i * units + j;
          expected[k] = (expected[k] ?? 0) + (-e * y * (1 - y) * x(i)) / batch;
        }
      }
    }
    expectClose(c.gradients['out/kernel'] ?? [], expected, { relative: 1e-12, absolute: 1e-15 });
  });
});
