import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { GraphJson, LayerJson } from '../../src/graph/index.js';
import { convOutputSize, resolveGraph, samePadding } from '../../src/graph/index.js';

function graphOf(inputShape: number[], layers: LayerJson[]): GraphJson {
  return { name: 'net', input: { shape: inputShape }, layers, loss: 'squaredError' };
}

describe('convOutputSize', () => {
  it.each([
    // [in, kernel, stride, valid, same]
    [28, 5, 1, 24, 28],
    [7, 3, 1, 5, 7],
    [7, 3, 2, 3, 4],
    [8, 3, 2, 3, 4],
    [6, 2, 2, 3, 3],
    [5, 2, 2, 2, 3],
    [9, 3, 3, 3, 3],
    [10, 3, 3, 3, 4],
    [11, 4, 3, 3, 4],
    [5, 5, 3, 1, 2],
    [4, 1, 3, 2, 2],
  ])('in %i, kernel %i, stride %i: valid %i, same %i', (size, kernel, stride, valid, same) => {
    expect(convOutputSize(size, kernel, stride, 'valid')).toBe(valid);
    expect(convOutputSize(size, kernel, stride, 'same')).toBe(same);
  });

  it('agrees with TensorFlow.js for odd and even sizes, kernels 1..5 and strides 1..3', () => {
    for (const size of [5, 6, 7, 8, 11, 12]) {
      for (const kernel of [1, 2, 3, 4, 5]) {
        for (const stride of [1, 2, 3]) {
          for (const padding of ['valid', 'same'] as const) {
            const info = tf.backend_util.computeConv2DInfo(
              [1, size, size + 1, 1],
              [kernel, kernel, 1, 1],
              [stride, stride],
              1,
              padding,
            );
            expect(convOutputSize(size, kernel, stride, padding)).toBe(info.outHeight);
            expect(convOutputSize(size + 1, kernel, stride, padding)).toBe(info.outWidth);
          }
        }
      }
    }
  });
});

describe('samePadding', () => {
  it.each([
    // [in, kernel, stride, before, after]
    [28, 5, 1, 2, 2],
    [7, 3, 2, 1, 1],
    [8, 3, 2, 0, 1],
    [6, 3, 2, 0, 1],
    [5, 4, 1, 1, 2],
    [9, 2, 2, 0, 1],
    [10, 2, 2, 0, 0],
    [5, 5, 3, 1, 2],
    [4, 3, 3, 1, 1],
    [7, 1, 3, 0, 0],
  ])('in %i, kernel %i, stride %i: %i before, %i after', (size, kernel, stride, before, after) => {
    expect(samePadding(size, kernel, stride)).toEqual({ before, after });
  });

  it('puts the odd extra row at the bottom and the odd extra column at the right, as TensorFlow.js', () => {
    for (const size of [5, 6, 7, 8, 9]) {
      for (const kernel of [1, 2, 3, 4, 5]) {
        for (const stride of [1, 2, 3]) {
          const { padInfo } = tf.backend_util.computeConv2DInfo(
            [1, size, size, 1],
            [kernel, kernel, 1, 1],
            [stride, stride],
            1,
            'same',
          );
          const padding = samePadding(size, kernel, stride);
          expect([padding.before, padding.after]).toEqual([padInfo.top, padInfo.bottom]);
          expect([padding.before, padding.after]).toEqual([padInfo.left, padInfo.right]);
        }
      }
    }
  });
});

describe('shape inference', () => {
  it('chains LeNet shapes and flattens row-major', () => {
    const graph = resolveGraph(
      graphOf(
        [28, 28, 1],
        [
          { type: 'conv2d', filters: 6, kernelSize: 5, activation: 'relu' },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'conv2d', filters: 16, kernelSize: [5, 5], padding: 'same' },
          { type: 'averagePooling2d', poolSize: [3, 3], strides: 2, padding: 'same' },
          { type: 'flatten' },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
      ),
    );
    expect(graph.layers.map((layer) => layer.outputShape)).toEqual([
      [24, 24, 6],
      [12, 12, 6],
      [12, 12, 16],
      [6, 6, 16],
      [576],
      [10],
    ]);
    expect(graph.layers.map((layer) => layer.inputShape[0])).toEqual([28, 24, 12, 12, 6, 576]);
  });

  it('fills Keras defaults: conv strides 1, pooling strides = pool size, valid, linear, bias', () => {
    const graph = resolveGraph(
      graphOf(
        [9, 9, 2],
        [
          { type: 'conv2d', filters: 3, kernelSize: [3, 2] },
          { type: 'maxPooling2d', poolSize: [2, 3] },
        ],
      ),
    );
    const [conv, pool] = graph.layers;
    expect(conv).toMatchObject({
      strides: [1, 1],
      padding: 'valid',
      activation: { name: 'linear' },
      useBias: true,
      outputShape: [7, 8, 3],
    });
    expect(pool).toMatchObject({ strides: [2, 3], padding: 'valid', outputShape: [3, 2, 3] });
    expect(graph.optimizer).toEqual({ type: 'sgd', learningRate: 0.01 });
  });

  it('matches TensorFlow.js pooling shapes with strides 1..3', () => {
    for (const [size, pool, stride] of [
      [7, 2, 1],
      [7, 3, 2],
      [8, 3, 3],
      [9, 2, 3],
    ] as const) {
      for (const padding of ['valid', 'same'] as const) {
        const graph = resolveGraph(
          graphOf(
            [size, size, 1],
            [{ type: 'maxPooling2d', poolSize: pool, strides: stride, padding }],
          ),
        );
        const info = tf.backend_util.computePool2DInfo(
          [1, size, size, 1],
          [pool, pool],
          [stride, stride],
          1,
          padding,
        );
        expect(graph.layers[0]?.outputShape).toEqual([info.outHeight, info.outWidth, 1]);
      }
    }
  });

  it('resolves activations with their alpha defaults', () => {
    const graph = resolveGraph(
      graphOf(
        [4],
        [
          { type: 'dense', units: 4, activation: 'leakyRelu' },
          { type: 'dense', units: 4, activation: 'elu' },
          { type: 'dense', units: 4, activation: { name: 'leakyRelu', alpha: 0.1 } },
          { type: 'dense', units: 4, activation: 'elu', alpha: 0.5 },
          { type: 'activation', activation: 'softmax' },
        ],
      ),
    );
    expect(graph.layers.map((layer) => ('activation' in layer ? layer.activation : null))).toEqual([
      { name: 'leakyRelu', alpha: 0.2 },
      { name: 'elu', alpha: 1 },
      { name: 'leakyRelu', alpha: 0.1 },
      { name: 'elu', alpha: 0.5 },
      { name: 'softmax' },
    ]);
  });
});

describe('layer names', () => {
  it('names unnamed layers <type>_<n>, counting per type from 1, and records paths', () => {
    const graph = resolveGraph(
      graphOf(
        [8, 8, 1],
        [
          { type: 'conv2d', filters: 2, kernelSize: 3 },
          { type: 'conv2d', name: 'features', filters: 2, kernelSize: 3 },
          { type: 'conv2d', filters: 2, kernelSize: 1 },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 3 },
          { type: 'dense', units: 2 },
        ],
      ),
    );
    expect(graph.layers.map((layer) => layer.name)).toEqual([
      'conv2d_1',
      'features',
      'conv2d_2',
      'maxPooling2d_1',
      'flatten_1',
      'dense_1',
      'dense_2',
    ]);
    expect(graph.layers.map((layer) => layer.path)).toEqual([
      'layers[0]',
      'layers[1]',
      'layers[2]',
      'layers[3]',
      'layers[4]',
      'layers[5]',
      'layers[6]',
    ]);
  });
});
