import { DatasetError } from './errors.js';

/**
 * Labelled examples, row-major and one after another, ready to copy into a model's batch
 * buffers: example `k`'s input is `inputs[k * inputSize ... (k + 1) * inputSize]`.
 */
export interface Dataset {
  /** `size` inputs of shape `inputShape`, without the batch axis. */
  readonly inputs: Float32Array;
  /** `size` one-hot rows of `classes` values. */
  readonly targets: Float32Array;
  /** The class of each example, the index of the 1 in its target row. */
  readonly labels: Uint8Array;
  readonly size: number;
  readonly inputShape: readonly number[];
  readonly classes: number;
}

export interface DatasetArrays {
  readonly inputs: ArrayLike<number>;
  /** Class of each example; needed unless `targets` is given. */
  readonly labels?: ArrayLike<number>;
  /** One row of `classes` values per example; built one-hot from `labels` when left out. */
  readonly targets?: ArrayLike<number>;
  readonly inputShape: readonly number[];
  readonly classes: number;
}

/**
 * A data set from plain arrays, for tests and small problems. Labels become one-hot targets;
 * targets alone give labels by their largest entry.
 *
 * @example datasetFromArrays({ inputs: [0, 1, 1, 0], labels: [1, 0], inputShape: [2], classes: 2 })
 */
export function datasetFromArrays(arrays: DatasetArrays): Dataset {
  const inputSize = elementCount(arrays.inputShape);
  const size = arrays.inputs.length / inputSize;
  if (!Number.isInteger(size)) {
    throw new DatasetError(
      'E_DATASET_SIZE',
      `inputs hold ${arrays.inputs.length} values, not a whole number of examples of shape [${arrays.inputShape.join(', ')}] (${inputSize} values each); pass complete examples`,
    );
  }
  const targets = arrays.targets ?? oneHot(requireLabels(arrays), arrays.classes);
  if (targets.length !== size * arrays.classes) {
    throw new DatasetError(
      'E_DATASET_SIZE',
      `targets hold ${targets.length} values, ${size} examples of ${arrays.classes} classes need ${size * arrays.classes}; give one row per example`,
    );
  }
  const labels = Uint8Array.from(arrays.labels ?? labelsOf(targets, arrays.classes));
  return {
    inputs: Float32Array.from(arrays.inputs),
    targets: Float32Array.from(targets),
    labels,
    size,
    inputShape: [...arrays.inputShape],
    classes: arrays.classes,
  };
}

/**
 * The same examples seen through another input shape with as many values, such as `[784]`
 * for `[28, 28, 1]`: row-major data is the same in both, so only the sizes are checked.
 */
export function reshapeInputs(dataset: Dataset, inputShape: readonly number[]): Dataset {
  const from = elementCount(dataset.inputShape);
  const to = elementCount(inputShape);
  if (from !== to) {
    throw new DatasetError(
      'E_DATASET_SHAPE',
      `the data set's inputs have shape [${dataset.inputShape.join(', ')}] (${from} values), the graph takes [${inputShape.join(', ')}] (${to} values); change the graph's input shape to one of ${from} values`,
    );
  }
  return { ...dataset, inputShape: [...inputShape] };
}

/** The first `count` examples, sharing memory with `dataset`. */
export function takeExamples(dataset: Dataset, count: number): Dataset {
  const size = Math.min(count, dataset.size);
  const inputSize = elementCount(dataset.inputShape);
  return {
    ...dataset,
    inputs: dataset.inputs.subarray(0, size * inputSize),
    targets: dataset.targets.subarray(0, size * dataset.classes),
    labels: dataset.labels.subarray(0, size),
    size,
  };
}

/** The product of a shape's dimensions; 1 for a scalar. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function requireLabels(arrays: DatasetArrays): ArrayLike<number> {
  if (arrays.labels === undefined) {
    throw new DatasetError('E_DATASET_LABELS', 'a data set needs labels or targets; give either');
  }
  return arrays.labels;
}

function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const targets = new Float32Array(labels.length * classes);
  for (let example = 0; example < labels.length; example += 1) {
    const label = labels[example] as number;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new DatasetError(
        'E_DATASET_LABELS',
        `label ${label} of example ${example} is not a class in 0..${classes - 1}; fix the label or the class count`,
      );
    }
    targets[example * classes + label] = 1;
  }
  return targets;
}

function labelsOf(targets: ArrayLike<number>, classes: number): Uint8Array {
  const labels = new Uint8Array(targets.length / classes);
  for (let example = 0; example < labels.length; example += 1) {
    let best = 0;
    for (let c = 1; c < classes; c += 1) {
      const row = example * classes;
      if ((targets[row + c] as number) > (targets[row + best] as number)) best = c;
    }
    labels[example] = best;
  }
  return labels;
}
