import { WeightsError } from '../errors.js';
import type { Graph, Layer, WeightSpec } from './types.js';

/**
 * Every trainable weight of a graph, in layer order, with TensorFlow.js layouts so that
 * weight files move between symgrad and Keras unchanged: dense kernel `[in, units]` then
 * bias `[units]`; conv2d kernel `[kh, kw, inChannels, filters]` then bias `[filters]`;
 * einsum weights as `<layer>/<short name>` in the order they were declared.
 */
export function weightSpecs(graph: Graph): WeightSpec[] {
  return graph.layers.flatMap(layerWeights);
}

function layerWeights(layer: Layer): WeightSpec[] {
  const spec = (suffix: string, role: WeightSpec['role'], shape: readonly number[]) => ({
    name: `${layer.name}/${suffix}`,
    layer: layer.name,
    role,
    shape,
  });

  switch (layer.type) {
    case 'dense': {
      const kernel = spec('kernel', 'kernel', [layer.inputShape[0] ?? 0, layer.units]);
      return layer.useBias ? [kernel, spec('bias', 'bias', [layer.units])] : [kernel];
    }
    case 'conv2d': {
      const [kh, kw] = layer.kernelSize;
      const inChannels = layer.inputShape[2] ?? 0;
      const kernel = spec('kernel', 'kernel', [kh, kw, inChannels, layer.filters]);
      return layer.useBias ? [kernel, spec('bias', 'bias', [layer.filters])] : [kernel];
    }
    case 'einsum':
      return Object.entries(layer.weights).map(([name, shape]) => spec(name, 'einsum', shape));
    default:
      return [];
  }
}

/**
 * Checks weight values against the model before any is copied: every weight present, none
 * unknown, Keras shapes exactly, finite numbers. `file` names where they came from.
 */
export function checkWeightValues(
  graph: string,
  weights: readonly WeightShape[],
  values: unknown,
  file?: string,
): void {
  const source = file === undefined ? 'the weights object' : `'${file}'`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new WeightsError(
      'E_WEIGHTS_FORMAT',
      `${source} is not an object from weight name to { "shape": [...], "data": [...] }`,
    );
  }
  const given = values as Record<string, unknown>;
  const missing = weights.filter((weight) => !(weight.name in given));
  const first = missing[0];
  if (first !== undefined) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new WeightsError(
      'E_WEIGHTS_MISSING',
      `${source} has no weight '${first.name}'${more}: graph '${graph}' needs ${formatShape(first.shape)} for it (layer ${layerOf(first.name)}); add it, or initialise the model instead of loading weights`,
    );
  }
  const known = new Set(weights.map((weight) => weight.name));
  const unknown = Object.keys(given).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new WeightsError(
      'E_WEIGHTS_UNKNOWN',
      `${source} holds '${unknown}', which is not a weight of graph '${graph}' (its weights: ${[...known].join(', ')}); rename or remove it`,
    );
  }
  for (const weight of weights) checkWeight(weight, given[weight.name], source, graph);
}

function checkWeight(weight: WeightShape, value: unknown, source: string, graph: string): void {
  const size = elementCount(weight.shape);
  const at = `${source}: weight '${weight.name}'`;
  const tensor = value as { shape?: unknown; data?: unknown } | null;
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
      elementCount(tensor.shape) === size
        ? ' (as many values: check the layout, Keras has [in, units] for dense and [kh, kw, in, out] for conv2d kernels)'
        : '';
    throw new WeightsError(
      'E_WEIGHTS_SHAPE',
      `${at} has shape ${formatShape(tensor.shape)}, graph '${graph}' needs ${formatShape(weight.shape)}${layoutHint}`,
    );
  }
  if (tensor.data.length !== size) {
    throw new WeightsError(
      'E_WEIGHTS_SIZE',
      `${at} has ${tensor.data.length} values, its shape ${formatShape(weight.shape)} needs ${size}`,
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

/** A weight's name and Keras shape, as `weightSpecs` gives them and runtimes hold them. */
export interface WeightShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/** `conv1` for `conv1/kernel`: weights are named `<layer>/<role>`. */
function layerOf(weight: string): string {
  return weight.slice(0, Math.max(0, weight.lastIndexOf('/')));
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dimension, axis) => dimension === b[axis]);
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
