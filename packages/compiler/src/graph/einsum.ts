import { EquationError } from '../errors.js';
import { type EinsumSyntax, parseEinsum } from './einsum-parser.js';
import { shapeText } from './site.js';
import type { EinsumAccess, EinsumEquation, EinsumExpr, EinsumIndex, Shape } from './types.js';

export { EINSUM_FUNCTIONS, type EinsumSyntax, parseEinsum } from './einsum-parser.js';

/**
 * Binds an einsum layer's equation: finds its input tensor, checks every index is bound and
 * every access has the rank of its tensor, infers index extents from the tensor shapes, and
 * proves every access stays in bounds, so later passes never meet an out-of-bounds read.
 */

/** What an equation is checked against. */
export interface EinsumContext {
  /** The shape of the layer's input, without the batch dimension. */
  readonly inputShape: Shape;
  /** Declared weight shapes by short name. */
  readonly weights: Readonly<Record<string, Shape>>;
  /** Starts every message, e.g. `net.json: layers[2] (einsum 'mix')`. */
  readonly where: string;
}

export interface BoundEinsum {
  readonly parsed: EinsumEquation;
  readonly outputShape: Shape;
}

/** One dimension of one access on the right-hand side, with the size of that dimension. */
interface DimensionUse {
  readonly access: EinsumAccess;
  readonly dimension: number;
  readonly index: EinsumIndex;
  readonly size: number;
}

/**
 * Parses and binds an equation.
 *
 * @example resolveEinsum('y[i] = x[2*i]', { inputShape: [9], weights: {}, where })
 *   gives extents `{ i: 5 }` and output shape `[5]`.
 */
export function resolveEinsum(equation: string, context: EinsumContext): BoundEinsum {
  const syntax = parseEinsum(equation, context.where);
  const outputIndices = checkOutput(syntax, context);
  const accesses = collectAccesses(syntax.body);
  const input = findInput(syntax, accesses, context);

  const shapes = new Map<string, Shape>(Object.entries(context.weights));
  shapes.set(input, context.inputShape);
  checkRanks(accesses, shapes, input, context);
  const summed = checkBindings(syntax.body, outputIndices, context);

  const uses = dimensionUses(accesses, shapes);
  const extents = inferExtents(uses, [...outputIndices, ...summed], context);
  checkBounds(uses, extents, input, context);

  const outputShape = outputIndices.map((index) => extents.get(index) ?? 0);
  const parsed = {
    output: syntax.output,
    body: syntax.body,
    extents: Object.fromEntries(extents),
    input,
  };
  return { parsed, outputShape };
}

function einsumError(context: EinsumContext, text: string): EquationError {
  return new EquationError('E_EINSUM', `${context.where}: ${text}`);
}

/** The left-hand side defines one element per index tuple, so its indices are plain names. */
function checkOutput(syntax: EinsumSyntax, context: EinsumContext): string[] {
  const indices: string[] = [];
  for (const index of syntax.output.indices) {
    const names = Object.keys(index.coefficients);
    const name = names[0];
    const plain = names.length === 1 && name && index.coefficients[name] === 1 && !index.constant;
    if (!plain || indices.includes(name)) {
      throw einsumError(
        context,
        `the output ${accessText(syntax.output)} must be indexed by distinct plain indices such as y[i,j]; move index arithmetic to the right-hand side`,
      );
    }
    indices.push(name);
  }
  return indices;
}

/** Every access of the right-hand side, in reading order. */
function collectAccesses(expr: EinsumExpr): EinsumAccess[] {
  switch (expr.kind) {
    case 'number':
      return [];
    case 'access':
      return [expr.access];
    case 'sum':
      return collectAccesses(expr.body);
    case 'binary':
      return [...collectAccesses(expr.left), ...collectAccesses(expr.right)];
    case 'negate':
      return collectAccesses(expr.operand);
    case 'call':
      return collectAccesses(expr.arg);
  }
}

/** The input is the one tensor on the right that is neither the output nor a declared weight. */
function findInput(
  syntax: EinsumSyntax,
  accesses: readonly EinsumAccess[],
  context: EinsumContext,
): string {
  const output = syntax.output.tensor;
  if (accesses.some((access) => access.tensor === output)) {
    throw einsumError(
      context,
      `the output '${output}' also appears on the right-hand side; an einsum layer cannot read its own output, so rename the output or the input`,
    );
  }

  const tensors = [...new Set(accesses.map((access) => access.tensor))];
  const unused = Object.keys(context.weights).find((weight) => !tensors.includes(weight));
  if (unused !== undefined) {
    throw einsumError(
      context,
      `weight '${unused}' is declared but not used in the equation; use it, or remove it from weights`,
    );
  }

  const inputs = tensors.filter((tensor) => !Object.hasOwn(context.weights, tensor));
  const [input, second] = inputs;
  if (input === undefined) {
    throw einsumError(
      context,
      'every tensor on the right-hand side is a weight, so the layer ignores its input; read the input with an access such as x[i]',
    );
  }
  if (second !== undefined) {
    throw einsumError(
      context,
      `'${input}' and '${second}' are both undeclared, but a layer has one input; declare the weights among them under "weights" with their shapes`,
    );
  }
  return input;
}

function checkRanks(
  accesses: readonly EinsumAccess[],
  shapes: ReadonlyMap<string, Shape>,
  input: string,
  context: EinsumContext,
): void {
  for (const access of accesses) {
    const shape = shapes.get(access.tensor) ?? [];
    if (access.indices.length === shape.length) continue;
    const count = (n: number) => `${n} ${n === 1 ? 'index' : 'indices'}`;
    const fix =
      access.tensor === input
        ? `index it with ${count(shape.length)}`
        : `index it with ${count(shape.length)} or change its shape in weights`;
    throw einsumError(
      context,
      `${accessText(access)} has ${count(access.indices.length)} but ${tensorText(access.tensor, input)} has shape ${shapeText(shape)}; ${fix}`,
    );
  }
}

/**
 * Checks that every index is bound, by the left-hand side or by an enclosing `sum`, and
 * returns the summed indices in order of appearance.
 */
function checkBindings(
  body: EinsumExpr,
  outputIndices: readonly string[],
  context: EinsumContext,
): string[] {
  const summed: string[] = [];
  const visit = (expr: EinsumExpr, bound: ReadonlySet<string>): void => {
    if (expr.kind === 'access') checkBound(expr.access, bound, context);
    if (expr.kind === 'binary') {
      visit(expr.left, bound);
      visit(expr.right, bound);
    }
    if (expr.kind === 'negate') visit(expr.operand, bound);
    if (expr.kind === 'call') visit(expr.arg, bound);
    if (expr.kind === 'sum') {
      checkSummable(expr.indices, bound, outputIndices, context);
      for (const index of expr.indices) if (!summed.includes(index)) summed.push(index);
      visit(expr.body, new Set([...bound, ...expr.indices]));
    }
  };
  visit(body, new Set(outputIndices));
  return summed;
}

function checkBound(access: EinsumAccess, bound: ReadonlySet<string>, context: EinsumContext) {
  for (const index of access.indices) {
    const unbound = Object.keys(index.coefficients).find((name) => !bound.has(name));
    if (unbound === undefined) continue;
    throw einsumError(
      context,
      `unbound index ${unbound} in ${accessText(access)}; put '${unbound}' on the left-hand side or sum over it with sum(${unbound}) before the product that uses it`,
    );
  }
}

function checkSummable(
  indices: readonly string[],
  bound: ReadonlySet<string>,
  outputIndices: readonly string[],
  context: EinsumContext,
): void {
  for (const [position, index] of indices.entries()) {
    if (outputIndices.includes(index)) {
      throw einsumError(
        context,
        `summed index '${index}' also appears on the left-hand side; remove it from the output or from sum(...)`,
      );
    }
    if (bound.has(index) || indices.indexOf(index) !== position) {
      throw einsumError(
        context,
        `index '${index}' is summed twice; sum over it once, or rename the inner one`,
      );
    }
  }
}

function dimensionUses(
  accesses: readonly EinsumAccess[],
  shapes: ReadonlyMap<string, Shape>,
): DimensionUse[] {
  return accesses.flatMap((access) => {
    const shape = shapes.get(access.tensor) ?? [];
    return access.indices.map((index, dimension) => ({
      access,
      dimension,
      index,
      size: shape[dimension] ?? 0,
    }));
  });
}

/**
 * Index extents, to a fixpoint. An index alone in a dimension takes that dimension's size.
 * Otherwise `c_v * v + rest + c0` in a dimension of size `D`, with every index of `rest`
 * known, bounds `v < floor((D - 1 - c0 - max(rest)) / c_v) + 1`: the largest `v` for which
 * the access still fits when the other indices take their largest contribution. The
 * smallest such bound wins, as for a valid convolution `x[i+m]`: `i < D - (k - 1)`.
 */
function inferExtents(
  uses: readonly DimensionUse[],
  indices: readonly string[],
  context: EinsumContext,
): Map<string, number> {
  const extents = bindAloneIndices(uses, context);

  let progress = true;
  while (progress) {
    progress = false;
    for (const index of indices) {
      if (extents.has(index)) continue;
      const extent = extentFromConstraints(index, uses, extents, context);
      if (extent === undefined) continue;
      extents.set(index, extent);
      progress = true;
    }
  }

  const unknown = indices.find((index) => !extents.has(index));
  if (unknown !== undefined) {
    throw einsumError(
      context,
      `cannot infer the extent of index '${unknown}'; use it alone in a dimension of a weight or of the input, such as w[${unknown}], so that its size is that dimension's`,
    );
  }
  return new Map(indices.map((index) => [index, extents.get(index) ?? 0]));
}

/** Extents of indices used alone (`w[m,n,c]`); two different sizes for one index conflict. */
function bindAloneIndices(uses: readonly DimensionUse[], context: EinsumContext) {
  const extents = new Map<string, number>();
  const sources = new Map<string, DimensionUse>();
  for (const use of uses) {
    const index = aloneIndex(use.index);
    if (index === undefined) continue;
    const earlier = sources.get(index);
    if (earlier && earlier.size !== use.size) {
      throw einsumError(
        context,
        `index '${index}' spans ${earlier.size} in ${accessText(earlier.access)} but ${use.size} in ${accessText(use.access)}; make those dimensions the same size`,
      );
    }
    extents.set(index, use.size);
    sources.set(index, use);
  }
  return extents;
}

function aloneIndex(index: EinsumIndex): string | undefined {
  const entries = Object.entries(index.coefficients);
  const [only] = entries;
  if (entries.length !== 1 || index.constant !== 0 || only?.[1] !== 1) return undefined;
  return only[0];
}

/** The tightest bound on `index` from uses where every other index is known, if any. */
function extentFromConstraints(
  index: string,
  uses: readonly DimensionUse[],
  extents: ReadonlyMap<string, number>,
  context: EinsumContext,
): number | undefined {
  let best: number | undefined;
  for (const use of uses) {
    const coefficient = use.index.coefficients[index] ?? 0;
    const others = Object.entries(use.index.coefficients).filter(([name]) => name !== index);
    if (coefficient <= 0 || others.some(([name]) => !extents.has(name))) continue;

    const reach = others.reduce(
      (sum, [name, c]) => sum + Math.max(c * ((extents.get(name) ?? 1) - 1), 0),
      0,
    );
    const extent = Math.floor((use.size - 1 - use.index.constant - reach) / coefficient) + 1;
    if (extent < 1) {
      throw einsumError(
        context,
        `index '${index}' has no valid values: ${accessText(use.access)} does not fit dimension ${use.dimension} (size ${use.size}) even with ${index} = 0; make that dimension larger or the other index ranges smaller`,
      );
    }
    best = best === undefined ? extent : Math.min(best, extent);
  }
  return best;
}

/** Interval analysis: each affine index takes its extreme values at the index range ends. */
function checkBounds(
  uses: readonly DimensionUse[],
  extents: ReadonlyMap<string, number>,
  input: string,
  context: EinsumContext,
): void {
  for (const use of uses) {
    let lowest = use.index.constant;
    let highest = use.index.constant;
    for (const [name, coefficient] of Object.entries(use.index.coefficients)) {
      const span = coefficient * ((extents.get(name) ?? 1) - 1);
      lowest += Math.min(span, 0);
      highest += Math.max(span, 0);
    }
    if (lowest >= 0 && highest < use.size) continue;

    const ranges = Object.keys(use.index.coefficients)
      .map((name) => `${name} < ${extents.get(name)}`)
      .join(', ');
    throw einsumError(
      context,
      `${accessText(use.access)} reads outside ${tensorText(use.access.tensor, input)}: dimension ${use.dimension} reaches ${lowest}..${highest} (with ${ranges}) but has size ${use.size}; change the index expression so it stays within 0..${use.size - 1}`,
    );
  }
}

function tensorText(tensor: string, input: string): string {
  return tensor === input ? `the layer input '${tensor}'` : `weight '${tensor}'`;
}

/** Renders an access as users write it: `x[i+m,2*j-1,c]`. */
export function accessText(access: EinsumAccess): string {
  return `${access.tensor}[${access.indices.map(indexText).join(',')}]`;
}

function indexText(index: EinsumIndex): string {
  let text = '';
  for (const [name, coefficient] of Object.entries(index.coefficients)) {
    const magnitude = Math.abs(coefficient) === 1 ? name : `${Math.abs(coefficient)}*${name}`;
    text += coefficient < 0 ? `-${magnitude}` : `${text ? '+' : ''}${magnitude}`;
  }
  if (index.constant !== 0 || text === '') {
    text += index.constant < 0 || text === '' ? `${index.constant}` : `+${index.constant}`;
  }
  return text;
}
