import { GraphError } from '../errors.js';
import type { EinsumAccess, EinsumExpr, EinsumLayer } from '../graph/types.js';
import { affine, soleIndex } from './affine.js';
import * as build from './build.js';
import type { Expr, IndexVar } from './ir.js';
import type { LayerPosition, ProgramBuilder, Source } from './lower.js';

/**
 * Lowers an einsum layer: its equation already is the forward equation in index notation,
 * so lowering only renames tensors (the input becomes `O^{l-1}`, each weight `<layer>/<name>`)
 * and binds index ranges. No gradient code exists for it anywhere: derive handles it like
 * every other equation.
 */
export function lowerEinsum(
  program: ProgramBuilder,
  layer: EinsumLayer,
  source: Source,
  at: LayerPosition,
): Source {
  const { parsed } = layer;
  if (source.shape.length !== layer.inputShape.length) {
    // TODO: einsum layers read their input with its own rank; after a flatten that rank is 1
    // while the tensor keeps its 3-D layout, and the flat index cannot be split affinely.
    throw new GraphError(
      'E_EINSUM_AFTER_FLATTEN',
      `${layer.path} (einsum '${layer.name}'): an einsum layer cannot follow a flatten yet; write the einsum over the unflattened [${source.shape.join(', ')}] input instead`,
    );
  }
  const names = tensorNames(program, layer, source, at);
  const extent = (name: string) => parsed.extents[name] as number;
  const output = parsed.output.indices.map((index) => {
    const name = soleIndex(affine(index.coefficients, index.constant)) as string;
    return { name, extent: extent(name) };
  });
  const body = lowerExpr(parsed.body, names, extent);
  return program.definePreActivation(layer, at, output, body, `einsum ${layer.equation}`);
}

/** Maps equation tensor names to program tensors, declaring the layer's weights. */
function tensorNames(
  program: ProgramBuilder,
  layer: EinsumLayer,
  source: Source,
  at: LayerPosition,
): Map<string, string> {
  const names = new Map([[layer.parsed.input, source.tensor]]);
  for (const [short, shape] of Object.entries(layer.weights)) {
    const indexNames = weightIndexNames(layer.parsed.body, short, shape.length);
    const name = program.declareWeight(`${layer.name}/${short}`, {
      layer,
      at,
      symbol: short,
      indexNames,
      shape,
    });
    names.set(short, name);
  }
  return names;
}

/** The index names the equation itself uses for a weight, where it reads it plainly. */
function weightIndexNames(body: EinsumExpr, weight: string, rank: number): string[] {
  const found = findAccess(body, weight);
  const plain = found?.indices.map((i) => soleIndex(affine(i.coefficients, i.constant)));
  if (plain?.every((name) => name !== undefined)) return plain as string[];
  return Array.from({ length: rank }, (_, axis) => `a${axis}`);
}

function findAccess(expr: EinsumExpr, tensor: string): EinsumAccess | undefined {
  switch (expr.kind) {
    case 'access':
      return expr.access.tensor === tensor ? expr.access : undefined;
    case 'sum':
      return findAccess(expr.body, tensor);
    case 'binary':
      return findAccess(expr.left, tensor) ?? findAccess(expr.right, tensor);
    case 'negate':
      return findAccess(expr.operand, tensor);
    case 'call':
      return findAccess(expr.arg, tensor);
    case 'number':
      return undefined;
  }
}

function lowerExpr(
  expr: EinsumExpr,
  names: ReadonlyMap<string, string>,
  extent: (index: string) => number,
): Expr {
  const lower = (e: EinsumExpr) => lowerExpr(e, names, extent);
  switch (expr.kind) {
    case 'number':
      return build.constant(expr.value);
    case 'access': {
      const indices = expr.access.indices.map((i) => affine(i.coefficients, i.constant));
      return build.access(names.get(expr.access.tensor) ?? expr.access.tensor, indices);
    }
    case 'sum': {
      const indices: IndexVar[] = expr.indices.map((name) => ({ name, extent: extent(name) }));
      return build.sum(indices, lower(expr.body));
    }
    case 'negate':
      return build.neg(lower(expr.operand));
    case 'call':
      return build.apply(expr.fn, lower(expr.arg));
    case 'binary':
      return lowerBinary(expr.op, lower(expr.left), lower(expr.right));
  }
}

function lowerBinary(op: '+' | '-' | '*' | '/', left: Expr, right: Expr): Expr {
  switch (op) {
    case '+':
      return build.add(left, right);
    case '-':
      return build.sub(left, right);
    case '*':
      return build.mul(left, right);
    case '/':
      return build.div(left, right);
  }
}
