import type { Tensor, WeightTensors } from './tensor.js';

/**
 * An optional bridge to TensorFlow.js for users who hold `tf.Tensor`s. It imports nothing from
 * TensorFlow.js: a tensor is anything with a `shape` and `dataSync()`, and `tf` itself is
 * passed in, so nobody who does not use TensorFlow.js depends on it.
 *
 * @example
 * const { loss, gradients } = model.gradients(fromTfTensor(x), fromTfTensor(y));
 * const kernel = toTfTensor(tf, gradients['conv1/kernel']);
 */
export interface TfTensorLike {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

/** What `toTfTensor` needs of the `tf` namespace. */
export interface TfLike<T> {
  tensor(values: Float32Array, shape: number[]): T;
}

/** A symgrad tensor with a copy of the values of a `tf.Tensor` (read synchronously). */
export function fromTfTensor(tensor: TfTensorLike): Tensor {
  return { shape: [...tensor.shape], data: Float32Array.from(tensor.dataSync()) };
}

/** A `tf.Tensor` with the values of a symgrad tensor. */
export function toTfTensor<T>(tf: TfLike<T>, tensor: Tensor): T {
  return tf.tensor(Float32Array.from(tensor.data), [...tensor.shape]);
}

/** Weights by name from `tf.Tensor`s, e.g. a Keras model's weights renamed to `<layer>/kernel`. */
export function weightsFromTf(tensors: Readonly<Record<string, TfTensorLike>>): WeightTensors {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, fromTfTensor(t)]));
}

/** Weights (or gradients) by name as `tf.Tensor`s. */
export function weightsToTf<T>(tf: TfLike<T>, tensors: WeightTensors): Record<string, T> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, toTfTensor(tf, t)]));
}
