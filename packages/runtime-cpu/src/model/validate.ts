import { DataError } from '../errors.js';
import { elementCount, formatShape, sameShape, type Tensor } from '../tensor.js';

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
