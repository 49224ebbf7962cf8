import { describe, expect, it } from 'vitest';
import { loadMnist } from '../src/index.js';

describe('loadMnist', () => {
  const { train, test } = loadMnist();

  it('splits the 10,000 digits into 8,000 for training and 2,000 held out', () => {
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    expect(train.inputs.length).toBe(8000 * 784);
    expect(train.targets.length).toBe(8000 * 10);
    expect(test.labels.length).toBe(2000);
    expect(train.inputShape).toEqual([28, 28, 1]);
    expect(train.classes).toBe(10);
  });

  it('keeps every class near a tenth of the training set', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of train.labels) counts[label]! += 1;
    for (const count of counts) {
      expect(count).toBeGreaterThan(650);
      expect(count).toBeLessThan(950);
    }
  });

  it('gives one-hot targets that agree with the labels', () => {
    for (let example = 0; example < train.size; example += 97) {
      const row = Array.from(train.targets.subarray(example * 10, example * 10 + 10));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row[train.labels[example]!]).toBe(1);
    }
  });

  it('holds pixels in [0, 1], with ink in every image', () => {
    let low = Infinity;
    let high = -Infinity;
    for (const value of train.inputs) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    expect(low).toBe(0);
    expect(high).toBe(1);
    for (let example = 0; example < test.size; example += 1) {
      const image = test.inputs.subarray(example * 784, (example + 1) * 784);
      expect(image.some((value) => value > 0.5)).toBe(true);
    }
  });

  it('splits the same way for the same seed and differently for another', () => {
    const again = loadMnist({ seed: 2024 });
    expect(sameValues(again.train.labels, train.labels)).toBe(true);
    expect(sameValues(again.test.inputs, test.inputs)).toBe(true);
    const other = loadMnist({ seed: 7 });
    expect(sameValues(other.train.labels, train.labels)).toBe(false);
  });

  it('keeps training and held-out examples apart', () => {
    const key = (inputs: Float32Array, example: number) =>
      Array.from(inputs.subarray(example * 784, (example + 1) * 784)).join(',');
    const seen = new Set(Array.from({ length: train.size }, (_, k) => key(train.inputs, k)));
    let shared = 0;
    for (let example = 0; example < test.size; example += 1) {
      if (seen.has(key(test.inputs, example))) shared += 1;
    }
    // The package may repeat an image or two; a leak of the split would share thousands.
    expect(shared).toBeLessThan(5);
  });

  it('takes another training size and rejects one that leaves nothing held out', () => {
    expect(loadMnist({ trainSize: 9000 }).test.size).toBe(1000);
    expect(() => loadMnist({ trainSize: 10000 })).toThrowError(/trainSize 10000 must be/);
  });
});

/** Element-wise equality; vitest's deep equality is slow on millions of floats. */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k += 1) if (a[k] !== b[k]) return false;
  return true;
}
