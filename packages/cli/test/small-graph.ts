import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A tensor as the CLI reads and writes it: row-major `data` in `shape`. */
export interface TensorJson {
  readonly shape: number[];
  readonly data: number[];
}

/**
 * Convolution, max pooling, flatten and a softmax layer: every kind of index expression the
 * CLI's gradients go through, small enough that the float64 interpreter takes milliseconds.
 */
export const CONV_POOL_DENSE = {
  name: 'conv-pool-dense',
  input: { shape: [6, 6, 1] },
  layers: [
    { type: 'conv2d', name: 'conv', filters: 2, kernelSize: [3, 3], activation: 'relu' },
    { type: 'maxPooling2d', name: 'pool', poolSize: [2, 2] },
    { type: 'flatten' },
    { type: 'dense', name: 'out', units: 3, activation: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
};

/** The weights of `CONV_POOL_DENSE` in Keras layouts: 6x6 -> conv 4x4x2 -> pool 2x2x2 = 8. */
export const CONV_POOL_DENSE_SHAPES: Readonly<Record<string, number[]>> = {
  'conv/kernel': [3, 3, 1, 2],
  'conv/bias': [2],
  'out/kernel': [8, 3],
  'out/bias': [3],
};

/**
 * `count` values in [low, high) from a seeded generator (mulberry32), each exactly a float32,
 * so that the CLI, which computes in float32, and the float64 oracle start from equal numbers.
 */
export function uniformValues(count: number, seed: number, low = -0.5, high = 0.5): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Math.fround(low + (high - low) * next()));
}

/** A tensor of seeded uniform values. */
export function uniformTensor(shape: number[], seed: number, low?: number, high?: number) {
  const count = shape.reduce((n, d) => n * d, 1);
  return { shape, data: uniformValues(count, seed, low, high) };
}

/** `batch` one-hot rows of `classes`, example k of class k mod classes. */
export function oneHotTargets(batch: number, classes: number): TensorJson {
  const data = Array.from({ length: batch * classes }, (_, i) =>
    i % classes === Math.floor(i / classes) % classes ? 1 : 0,
  );
  return { shape: [batch, classes], data };
}

/** The rows of a batch tensor, one per example. */
export function examples(tensor: TensorJson): number[][] {
  const [batch = 1] = tensor.shape;
  const size = tensor.data.length / batch;
  return Array.from({ length: batch }, (_, k) => tensor.data.slice(k * size, (k + 1) * size));
}

/**
 * A fresh folder under the system's temporary one, removed after the file's tests; `file`
 * writes a value there as JSON, or a string as it is, and returns its path.
 */
export function temporaryFolder(): { path: string; file(name: string, value: unknown): string } {
  const path = mkdtempSync(join(tmpdir(), 'symgrad-cli-'));
  afterAll(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    file(name, value) {
      const file = join(path, name);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    },
  };
}
