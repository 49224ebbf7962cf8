import { indexAffine } from '../program/affine.js';
import type { Expr, IndexVar } from '../program/ir.js';
import { boundIndices, mapChildren, substitute, walk } from '../program/traverse.js';
import { intervalsOf } from '../simplify/conditions.js';
import { recognizeDefinitions } from '../simplify/recognize.js';
import { type AdjointContext, normalize } from './pipeline.js';
import type { Step } from './types.js';

/**
 * The closed form of a weight gradient, where one exists: the adjoints it reads are expanded
 * while they are local (element-wise, no sum), as on paper for an output layer, which gives
 * Lemma 2.1's `dE/dw_ij = -e_j * y_j * (1 - y_j) * x_i`. When no sum is left, the primes on
 * the free indices serve no purpose and are dropped. Returns undefined where an adjoint with
 * a sum stands in the way: then the result in terms of delta is the clearest form.
 */
export function tidyIndices(
  result: Expr,
  context: AdjointContext,
  indices: readonly IndexVar[],
  steps: Step[],
): Expr | undefined {
  let expr = result;
  for (let depth = 0; depth < 32 && readsAdjoint(expr, context); depth++) {
    const expanded = expandLocalAdjoints(expr, context);
    if (expanded === expr) return undefined;
    expr = expanded;
  }
  if (readsAdjoint(expr, context)) return undefined;

  const free = intervalsOf(indices);
  const closed = normalize(recognizeDefinitions(expr, context.program.equations), free);
  steps.push({
    rule: 'substitute',
    description:
      'closed form: substitute the deltas, which are element-wise here, down to forward values',
    before: result,
    after: closed,
  });
  return dropPrimes(closed, indices, steps);
}

function readsAdjoint(expr: Expr, context: AdjointContext): boolean {
  for (const node of walk(expr)) {
    if (node.kind === 'access' && context.results.has(node.tensor)) return true;
  }
  return false;
}

/** Substitutes each adjoint read whose own result has no reduction. */
function expandLocalAdjoints(expr: Expr, context: AdjointContext): Expr {
  let changed = false;
  const visit = (node: Expr): Expr => {
    if (node.kind !== 'access' || !context.results.has(node.tensor))
      return mapChildren(node, visit);
    const result = context.results.get(node.tensor) as Expr;
    if (hasReduction(result)) return node;
    const derivation = context.derivations.find((d) => d.adjoint === node.tensor);
    if (derivation === undefined) return node;
    changed = true;
    const bindings = new Map(
      derivation.indices.map((v, k) => [v.name, node.indices[k] ?? indexAffine(v.name)]),
    );
    return substitute(result, bindings);
  };
  const after = visit(expr);
  return changed ? after : expr;
}

function hasReduction(expr: Expr): boolean {
  for (const node of walk(expr)) if (boundIndices(node).length > 0) return true;
  return false;
}

function dropPrimes(expr: Expr, indices: readonly IndexVar[], steps: Step[]): Expr {
  for (const node of walk(expr)) if (boundIndices(node).length > 0) return expr;
  const unprimed = indices.map((v) => ({ ...v, name: v.name.replace(/'+$/, '') }));
  const bindings = new Map(
    indices.map((v, k) => [v.name, indexAffine(unprimed[k]?.name ?? v.name)]),
  );
  const renamed = substitute(expr, bindings);
  steps.push({
    indices: unprimed,
    rule: 'rename',
    description:
      'no summation index is left, so the primes that kept the free indices apart are dropped',
    before: expr,
    after: renamed,
  });
  return renamed;
}
