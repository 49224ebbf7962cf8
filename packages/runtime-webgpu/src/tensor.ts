import { WeightsError } from './errors.js';

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

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks weight values before any is copied: every weight present, none unknown, Keras
 * shapes exactly, finite numbers. Codes and messages match the CPU runtime's.
 */
export function checkWeights(graph: string, slots: readonly WeightSlot[], values: WeightTensors) {
  const missing = slots.find((slot) => values[slot.name] === undefined);
  if (missing !== undefined) {
    throw new WeightsError(
      'E_WEIGHTS_MISSING',
      `the weights have no '${missing.name}': graph '${graph}' needs ${formatShape(missing.shape)} for it; add it`,
    );
  }
  const known = new Set(slots.map((slot) => slot.name));
  const unknown = Object.keys(values).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new WeightsError(
      'E_WEIGHTS_UNKNOWN',
      `the weights hold '${unknown}', which is not a weight of graph '${graph}' (its weights: ${[...known].join(', ')}); rename or remove it`,
    );
  }
  for (const slot of slots) checkWeight(graph, slot, values[slot.name] as Tensor);
}

function checkWeight(graph: string, slot: WeightSlot, tensor: Tensor): void {
  const sameShape =
    tensor.shape.length === slot.shape.length &&
    tensor.shape.every((dimension, axis) => dimension === slot.shape[axis]);
  if (!sameShape || tensor.data.length !== slot.size) {
    throw new WeightsError(
      'E_WEIGHTS_SHAPE',
      `weight '${slot.name}' has shape ${formatShape(tensor.shape)} and ${tensor.data.length} values, graph '${graph}' needs ${formatShape(slot.shape)}`,
    );
  }
  for (let k = 0; k < tensor.data.length; k += 1) {
    if (!Number.isFinite(tensor.data[k])) {
      throw new WeightsError(
        'E_WEIGHTS_NON_FINITE',
        `weight '${slot.name}' holds ${String(tensor.data[k])} at index ${k}; replace it with a finite number`,
      );
    }
  }
}
