import { DataError, WeightsError } from '../errors.js';
import { elementCount, formatShape, sameShape, type Tensor } from '../tensor.js';
import type { ModelLayout, WeightSlot } from './layout.js';

/**
 * Checks weight values against the model before any is copied: every weight present, none
 * unknown, Keras shapes exactly, finite numbers. `file` names where they came from.
 */
export function checkWeights(layout: ModelLayout, values: unknown, file?: string): void {
  const source = file === undefined ? 'the weights object' : `'${file}'`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new WeightsError(
      'E_WEIGHTS_FORMAT',
      `${source} is not an object from weight name to { "shape": [...], "data": [...] }`,
    );
  }
  const given = values as Record<string, unknown>;
  const missing = layout.weights.filter((weight) => !(weight.name in given));
  const first = missing[0];
  if (first !== undefined) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new WeightsError(
      'E_WEIGHTS_MISSING',
      `${source} has no weight '${first.name}'${more}: graph '${layout.name}' needs ${formatShape(first.shape)} for it (layer ${first.layer}); add it, or initialise the model instead of loading weights`,
    );
  }
  const known = new Set(layout.weights.map((weight) => weight.name));
  const unknown = Object.keys(given).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new WeightsError(
      'E_WEIGHTS_UNKNOWN',
      `${source} holds '${unknown}', which is not a weight of graph '${layout.name}' (its weights: ${[...known].join(', ')}); rename or remove it`,
    );
  }
  for (const weight of layout.weights) checkWeight(weight, given[weight.name], source, layout.name);
}

function checkWeight(weight: WeightSlot, value: unknown, source: string, graph: string): void {
  const at = `${source}: weight '${weight.name}'`;
  const tensor = value as Partial<Tensor> | null;
  if (
    typeof tensor !== 'object' ||
    tensor === null ||
    !isShape(tensor.shape) ||
    !isArrayLike(tensor.data)
  ) {
    throw new WeightsError('E_WEIGHTS_FORMAT', `${at} must be { "shape": [...], "data": [...] }`);
  }
  if (!sameShape(tensor.shape, weight.shape)) {
    const layoutHint =
      elementCount(tensor.shape) === weight.size
        ? ' (as many values: check the layout, Keras has [in, units] for dense and [kh, kw, in, out] for conv2d kernels)'
        : '';
    throw new WeightsError(
      'E_WEIGHTS_SHAPE',
      `${at} has shape ${formatShape(tensor.shape)}, graph '${graph}' needs ${formatShape(weight.shape)}${layoutHint}`,
    );
  }
  if (tensor.data.length !== weight.size) {
    throw new WeightsError(
      'E_WEIGHTS_SIZE',
      `${at} has ${tensor.data.length} values, its shape ${formatShape(weight.shape)} needs ${weight.size}`,
    );
  }
  const bad = firstNotFinite(tensor.data);
  if (bad >= 0) {
    throw new WeightsError(
      'E_WEIGHTS_NON_FINITE',
      `${at} holds ${String(tensor.data[bad])} at index ${bad}; replace it with a finite number`,
    );
  }
}

/**
 * The batch size of an inputs or targets tensor, checked against the shape of one example:
 * `[batch, ...exampleShape]`, or `[batch, n]` with n the number of values of one example,
 * which holds the same row-major data. `what` names the tensor: `inputs 'x.json'`.
 */
export function batchSizeOf(
  tensor: Tensor,
  exampleShape: readonly number[],
  what: string,
  graph: string,
): number {
  const exampleSize = elementCount(exampleShape);
  const expected = `[batch, ${exampleShape.join(', ')}]`;
  if (!isShape(tensor.shape) || !isArrayLike(tensor.data)) {
    throw new DataError('E_DATA_FORMAT', `${what} must be { "shape": ${expected}, "data": [...] }`);
  }
  const [batch = 0, ...rest] = tensor.shape;
  const fits = sameShape(rest, exampleShape) || (rest.length === 1 && rest[0] === exampleSize);
  if (tensor.shape.length === 0 || batch < 1 || !fits) {
    throw new DataError(
      'E_DATA_SHAPE',
      `${what} have shape ${formatShape(tensor.shape)}, graph '${graph}' takes ${expected}; give one example of ${exampleSize} values per index of the first axis`,
    );
  }
  if (tensor.data.length !== batch * exampleSize) {
    throw new DataError(
      'E_DATA_SIZE',
      `${what} have shape ${formatShape(tensor.shape)} but ${tensor.data.length} values; that shape holds ${batch * exampleSize}`,
    );
  }
  const bad = firstNotFinite(tensor.data);
  if (bad >= 0) {
    throw new DataError(
      'E_DATA_NON_FINITE',
      `${what} hold ${String(tensor.data[bad])} at index ${bad} (example ${Math.floor(bad / exampleSize)}); give finite numbers`,
    );
  }
  return batch;
}

/** Checks a flat array holds at least `batch` examples of `exampleSize` values. */
export function checkBatchArray(
  data: ArrayLike<number>,
  batch: number,
  exampleSize: number,
  what: string,
): void {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new DataError('E_DATA_BATCH', `batch size ${batch} must be a whole number of at least 1`);
  }
  if (data.length < batch * exampleSize) {
    throw new DataError(
      'E_DATA_SIZE',
      `${what} hold ${data.length} values, a batch of ${batch} examples of ${exampleSize} values needs ${batch * exampleSize}`,
    );
  }
}

function isShape(shape: unknown): shape is readonly number[] {
  return (
    Array.isArray(shape) &&
    shape.every((dimension) => Number.isInteger(dimension) && (dimension as number) >= 0)
  );
}

function isArrayLike(data: unknown): data is ArrayLike<unknown> {
  return Array.isArray(data) || ArrayBuffer.isView(data);
}

/** The first index whose value is not a finite number (NaN, an infinity, null, a string). */
function firstNotFinite(data: ArrayLike<unknown>): number {
  for (let k = 0; k < data.length; k += 1) {
    const value = data[k];
    if (typeof value !== 'number' || !Number.isFinite(value)) return k;
  }
  return -1;
}
