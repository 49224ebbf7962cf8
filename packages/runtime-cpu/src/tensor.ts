/** A row-major tensor as the JSON contract has it: `{ "shape": [2, 3], "data": [...] }`. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** A tensor this runtime hands out: its own copy of the values, in float32. */
export interface Float32Tensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

/** Weight values by weight name (`conv1/kernel`), in Keras layouts. */
export type WeightTensors = Readonly<Record<string, Tensor>>;

/** The product of a shape's dimensions; 1 for a scalar. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** `[5, 5, 1, 6]`, as messages print shapes. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dimension, axis) => dimension === b[axis]);
}

/** The first index of `data[start, end)` that is NaN or infinite, or -1. */
export function firstNonFinite(data: ArrayLike<number>, start = 0, end = data.length): number {
  for (let k = start; k < end; k += 1) {
    if (!Number.isFinite(data[k])) return k;
  }
  return -1;
}

/**
 * Whether `data` holds only finite numbers. A float64 sum of float32 values cannot overflow,
 * so it is finite exactly when every term is: one pass, no branch per element.
 */
export function allFinite(data: Float32Array, length = data.length): boolean {
  let total = 0;
  for (let k = 0; k < length; k += 1) total += data[k] as number;
  return Number.isFinite(total);
}

/** How a non-finite number prints in messages. */
export function nonFiniteName(value: number): 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}
