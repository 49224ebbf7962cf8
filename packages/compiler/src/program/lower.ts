import { samePadding } from '../graph/shapes.js';
import type { Conv2dLayer, DenseLayer, Graph, Layer, Pooling2dLayer } from '../graph/types.js';
import { decide, intervalsOf } from '../simplify/conditions.js';
import { type Affine, affine, indexAffine } from './affine.js';
import * as build from './build.js';
import type { Condition, Equation, Expr, IndexVar, Program, TensorDecl } from './ir.js';
import { lowerActivation } from './lower-activation.js';
import { lowerEinsum } from './lower-einsum.js';
import { lowerLoss } from './lower-loss.js';

/**
 * Lowers a layer graph to the tensor program of one example: each layer becomes forward
 * equations in index notation, numbered as in the paper (layer l reads `O^{l-1}`, computes
 * the pre-activation `x^l` and the output `O^l`; the input is `x`, the last output `y`).
 *
 * @example
 * A dense layer with 3 inputs, 2 units and a sigmoid becomes
 * `x^1[j] = sum(i<3) w^1[i,j] * x[i] + b^1[j]` and `y[j] = sigmoid(x^1[j])`.
 */
export function lowerGraph(graph: Graph): Program {
  const program = new ProgramBuilder(graph.name);
  let source: Source = program.declareInput(graph.inputShape);

  graph.layers.forEach((layer, position) => {
    const isLast = position === graph.layers.length - 1;
    source = lowerLayer(program, layer, source, { number: position + 1, isLast });
  });

  return lowerLoss(program, graph, source);
}

/** The value a layer reads: a tensor, and the shape its consumer sees (flatten is a view). */
export interface Source {
  readonly tensor: string;
  /** The tensor's own shape, e.g. `[4, 4, 6]` even after a flatten. */
  readonly shape: readonly number[];
  /** The pre-activation behind this output, which softmax cross-entropy reads. */
  readonly preActivation?: Source;
  /** Set when a softmax produced this output: its shift and normaliser. */
  readonly softmax?: { readonly shift: string; readonly normalizer: string; readonly exps: string };
}

export interface LayerPosition {
  readonly number: number;
  readonly isLast: boolean;
}

function lowerLayer(
  program: ProgramBuilder,
  layer: Layer,
  source: Source,
  at: LayerPosition,
): Source {
  switch (layer.type) {
    case 'dense':
      return lowerActivation(program, layer, lowerDense(program, layer, source, at), at);
    case 'conv2d':
      return lowerActivation(program, layer, lowerConv2d(program, layer, source, at), at);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return lowerPooling(program, layer, source, at);
    case 'flatten':
      return source;
    case 'activation':
      return lowerActivation(program, layer, source, at);
    case 'einsum':
      return lowerActivation(program, layer, lowerEinsum(program, layer, source, at), at);
  }
}

/** The elements of a source, visited with one index per dimension of its own shape. */
export interface Elements {
  readonly indices: IndexVar[];
  /** The access to the source at those indices. */
  readonly value: Expr;
}

export function elementsOf(source: Source, names: readonly string[]): Elements {
  const indices = source.shape.map((extent, axis) => ({ name: names[axis] ?? `i${axis}`, extent }));
  const value = build.access(
    source.tensor,
    indices.map((v) => indexAffine(v.name)),
  );
  return { indices, value };
}

/**
 * `x^l[j] = sum_i w^l[i,j] * O^{l-1}[i] + b^l[j]`. After a flatten the sum runs over the
 * flattened tensor's own indices `p, q, r`, and the kernel is read as `[h, w, c, units]`:
 * the same elements, since row `(p * w + q) * c + r` of `[h * w * c, units]` is exactly them.
 */
function lowerDense(program: ProgramBuilder, layer: DenseLayer, source: Source, at: LayerPosition) {
  const flattened = source.shape.length > 1;
  const input = elementsOf(source, flattened ? ['p', 'q', 'r'] : ['i']);
  const unit = flattened ? 'u' : 'j';
  const units = { name: unit, extent: layer.units };
  const kernel = program.declareWeight(`${layer.name}/kernel`, {
    layer,
    at,
    symbol: 'w',
    indexNames: [...input.indices.map((v) => v.name), unit],
    shape: [...source.shape, layer.units],
    ...(flattened ? { externalShape: [elementCount(source.shape), layer.units] } : {}),
  });
  const rows = input.indices.map((v) => indexAffine(v.name));
  const weighted = build.mul(build.access(kernel, [...rows, indexAffine(unit)]), input.value);
  const body = withBias(program, layer, at, build.sum(input.indices, weighted), [unit], [units]);
  return program.definePreActivation(layer, at, [units], body, 'weighted sum of the inputs');
}

/**
 * `x^l[i,j,c] = sum_{m,n,k} w^l[m,n,k,c] * O^{l-1}[s*i + m - p, s*j + n - q, k] + b^l[c]`,
 * where the sum skips the zero padding: positions outside the input contribute nothing.
 */
function lowerConv2d(
  program: ProgramBuilder,
  layer: Conv2dLayer,
  source: Source,
  at: LayerPosition,
) {
  const [height, width, channels] = source.shape as [number, number, number];
  const [outHeight, outWidth] = layer.outputShape as [number, number, number];
  const output = [
    { name: 'i', extent: outHeight },
    { name: 'j', extent: outWidth },
    { name: 'c', extent: layer.filters },
  ];
  const window = [
    { name: 'm', extent: layer.kernelSize[0] },
    { name: 'n', extent: layer.kernelSize[1] },
    { name: 'k', extent: channels },
  ];
  const kernel = program.declareWeight(`${layer.name}/kernel`, {
    layer,
    at,
    symbol: 'w',
    indexNames: ['m', 'n', 'k', 'c'],
    shape: [layer.kernelSize[0], layer.kernelSize[1], channels, layer.filters],
  });
  const rows = windowPosition('i', 'm', layer.strides[0], height, layer.kernelSize[0], layer);
  const cols = windowPosition('j', 'n', layer.strides[1], width, layer.kernelSize[1], layer);
  const conditions = paddingConditions([rows, cols], [height, width], [...output, ...window]);
  const input = build.access(source.tensor, [rows.position, cols.position, indexAffine('k')]);
  const weight = build.access(kernel, ['m', 'n', 'k', 'c'].map(indexAffine));
  const body = withBias(
    program,
    layer,
    at,
    build.sum(window, build.mul(weight, input), conditions),
    ['c'],
    output,
  );
  return program.definePreActivation(layer, at, output, body, 'convolution of the input');
}

interface WindowAxis {
  readonly position: Affine;
}

/** The input row read by output row `i` at window row `m`: `s * i + m - padding before`. */
function windowPosition(
  outer: string,
  inner: string,
  stride: number,
  size: number,
  window: number,
  layer: Conv2dLayer | Pooling2dLayer,
): WindowAxis {
  const before = layer.padding === 'same' ? samePadding(size, window, stride).before : 0;
  return { position: affine({ [outer]: stride, [inner]: 1 }, -before) };
}

/** `0 <= position <= size - 1` for each axis where the window can reach into the padding. */
function paddingConditions(
  axes: readonly WindowAxis[],
  sizes: readonly number[],
  indices: readonly IndexVar[],
): Condition[] {
  const intervals = intervalsOf(indices);
  return axes
    .map((axis, k) => build.bounds(axis.position, 0, (sizes[k] as number) - 1))
    .filter((condition) => decide(condition, intervals) !== true);
}

/**
 * Max pooling `O^l[i,j,c] = max_{m,n} O^{l-1}[s*i + m - p, s*j + n - q, c]` and average
 * pooling, which divides by the number of positions inside the input, as TensorFlow does
 * with same padding.
 */
function lowerPooling(
  program: ProgramBuilder,
  layer: Pooling2dLayer,
  source: Source,
  at: LayerPosition,
): Source {
  const [height, width, channels] = source.shape as [number, number, number];
  const [outHeight, outWidth] = layer.outputShape as [number, number, number];
  const output = [
    { name: 'i', extent: outHeight },
    { name: 'j', extent: outWidth },
    { name: 'c', extent: channels },
  ];
  const window = [
    { name: 'm', extent: layer.poolSize[0] },
    { name: 'n', extent: layer.poolSize[1] },
  ];
  const rows = windowPosition('i', 'm', layer.strides[0], height, layer.poolSize[0], layer);
  const cols = windowPosition('j', 'n', layer.strides[1], width, layer.poolSize[1], layer);
  const conditions = paddingConditions([rows, cols], [height, width], [...output, ...window]);
  const input = build.access(source.tensor, [rows.position, cols.position, indexAffine('c')]);

  const body =
    layer.type === 'maxPooling2d'
      ? build.max(window, input, conditions)
      : build.div(build.sum(window, input, conditions), windowCount(window, conditions));
  const what = layer.type === 'maxPooling2d' ? 'largest value' : 'mean';
  return program.defineOutput(layer, at, output, body, `${what} of each pooling window`);
}

/** The number of window positions inside the input: the pool size unless padding cuts it. */
function windowCount(window: readonly IndexVar[], conditions: readonly Condition[]): Expr {
  if (conditions.length === 0) return build.constant(window.reduce((n, v) => n * v.extent, 1));
  return build.sum(window, build.ONE, conditions);
}

function withBias(
  program: ProgramBuilder,
  layer: DenseLayer | Conv2dLayer,
  at: LayerPosition,
  weighted: Expr,
  biasIndex: readonly string[],
  output: readonly IndexVar[],
): Expr {
  if (!layer.useBias) return weighted;
  const units = output.find((v) => v.name === biasIndex[0]) as IndexVar;
  const bias = program.declareWeight(`${layer.name}/bias`, {
    layer,
    at,
    symbol: 'b',
    indexNames: [units.name],
    shape: [units.extent],
  });
  return build.add(weighted, build.access(bias, biasIndex.map(indexAffine)));
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, extent) => n * extent, 1);
}

interface WeightOptions {
  readonly layer: Layer;
  readonly at: LayerPosition;
  readonly symbol: string;
  readonly indexNames: readonly string[];
  readonly shape: readonly number[];
  readonly externalShape?: readonly number[];
}

/** Collects tensors and equations in order, naming them by layer and role. */
export class ProgramBuilder {
  readonly tensors: TensorDecl[] = [];
  readonly equations: Equation[] = [];
  input = 'x';

  constructor(readonly name: string) {}

  declare(decl: TensorDecl): string {
    this.tensors.push(decl);
    return decl.name;
  }

  declareInput(shape: readonly number[]): Source {
    const indexNames = shape.length === 1 ? ['i'] : ['i', 'j', 'k'];
    this.declare({ name: 'x', shape, role: 'input', indexNames, notation: { symbol: 'x' } });
    return { tensor: 'x', shape };
  }

  declareWeight(name: string, options: WeightOptions): string {
    return this.declare({
      name,
      shape: options.shape,
      ...(options.externalShape ? { externalShape: options.externalShape } : {}),
      role: 'weight',
      indexNames: options.indexNames,
      notation: { symbol: options.symbol, layer: options.at.number },
      layer: options.layer.name,
    });
  }

  /** Defines `x^l`, the layer's pre-activation. */
  definePreActivation(
    layer: Layer,
    at: LayerPosition,
    indices: readonly IndexVar[],
    body: Expr,
    comment: string,
  ): Source {
    const notation = { symbol: 'x', layer: at.number };
    return this.defineLayerTensor(layer, 'preActivation', notation, indices, body, comment);
  }

  /** Defines `O^l`, the layer's output (`y` for the last layer). */
  defineOutput(
    layer: Layer,
    at: LayerPosition,
    indices: readonly IndexVar[],
    body: Expr,
    comment: string,
  ): Source {
    const notation = at.isLast ? { symbol: 'y' } : { symbol: 'O', layer: at.number };
    return this.defineLayerTensor(layer, 'output', notation, indices, body, comment);
  }

  /** `<layer>/preActivation` or `<layer>/output`: declared, and defined by `body`. */
  private defineLayerTensor(
    layer: Layer,
    kind: 'preActivation' | 'output',
    notation: TensorDecl['notation'],
    indices: readonly IndexVar[],
    body: Expr,
    comment: string,
  ): Source {
    const name = `${layer.name}/${kind}`;
    const shape = indices.map((v) => v.extent);
    const role = kind === 'output' ? 'activation' : 'preActivation';
    const indexNames = indices.map((v) => v.name);
    this.declare({ name, shape, role, indexNames, notation, layer: layer.name });
    this.equations.push({ tensor: name, indices, body, layer: layer.name, comment });
    return { tensor: name, shape };
  }

  /** Defines a helper tensor of a layer or of the loss, such as softmax's normaliser. */
  defineIntermediate(
    decl: Omit<TensorDecl, 'role' | 'shape' | 'indexNames'>,
    indices: readonly IndexVar[],
    body: Expr,
    comment: string,
  ): string {
    this.declare({
      ...decl,
      shape: indices.map((v) => v.extent),
      role: 'intermediate',
      indexNames: indices.map((v) => v.name),
    });
    this.equations.push({
      tensor: decl.name,
      indices,
      body,
      comment,
      ...(decl.layer ? { layer: decl.layer } : {}),
    });
    return decl.name;
  }

  finish(fields: Pick<Program, 'loss' | 'target' | 'output' | 'identities'>): Program {
    return {
      name: this.name,
      tensors: this.tensors,
      equations: this.equations,
      input: this.input,
      ...fields,
    };
  }
}
