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

/** A weight of the model: its Keras name and shape, and the buffers of it and its gradient. */
export interface WeightSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly buffer: string;
  readonly gradient: string;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}
