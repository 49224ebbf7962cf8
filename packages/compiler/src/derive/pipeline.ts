import { formatAffine } from '../program/affine.js';
import type { Expr, IndexVar, Program, TensorDecl } from '../program/ir.js';
import { exprEquals } from '../program/traverse.js';
import { intervalsOf } from '../simplify/conditions.js';
import { applyIdentities, recognizeDefinitions } from '../simplify/recognize.js';
import { type Elimination, eliminateDeltas, pruneTerm } from './eliminate.js';
import { expand, rebuild } from './terms.js';
import type { Derivation, Step } from './types.js';

/** What the simplification of an adjoint needs from the derivation in progress. */
export interface AdjointContext {
  readonly program: Program;
  readonly decls: ReadonlyMap<string, TensorDecl>;
  readonly results: ReadonlyMap<string, Expr>;
  readonly derivations: readonly Derivation[];
  inlineAdjoints(expr: Expr): Expr;
  isInlinedAdjoint(name: string): boolean;
}

/**
 * After differentiation: eliminate the Kronecker deltas, turn the conditions that remain into
 * explicit bounds, substitute helper adjoints, and recognise forward tensors and identities.
 * Each stage that changes the expression adds a step.
 */
export function simplifyAdjoint(
  differentiated: Expr,
  context: AdjointContext,
  indices: readonly IndexVar[],
  steps: Step[],
): Expr {
  const free = intervalsOf(indices);
  const push = (rule: Step['rule'], description: string, before: Expr, after: Expr) => {
    if (!exprEquals(before, after)) steps.push({ rule, description, before, after });
    return after;
  };

  const log: Elimination[] = [];
  const terms = expand(differentiated).flatMap((t) => eliminateDeltas(t, log) ?? []);
  let expr = push(
    'deltaElimination',
    eliminationDescription(log),
    differentiated,
    rebuild(terms, { conditionsAsBrackets: true }),
  );

  const bounded = terms.flatMap((t) => pruneTerm(t, free) ?? []);
  expr = push('bounds', boundsDescription(), expr, rebuild(bounded));

  const inlined = normalize(context.inlineAdjoints(expr), free);
  expr = push(
    'substitute',
    'substitute the gradients of the helper tensors derived before',
    expr,
    inlined,
  );

  const recognized = normalize(recognizeDefinitions(expr, context.program.equations), free);
  expr = push(
    'recognize',
    'recognise forward values: these expressions are tensors the forward pass already computed',
    expr,
    recognized,
  );

  const shapes = new Map(context.program.tensors.map((t) => [t.name, t.shape] as const));
  const { expr: reduced, used } = applyIdentities(expr, context.program.identities, shapes);
  const identityDescription = used.map((i) => i.description).join('; ');
  expr = push('identity', identityDescription, expr, normalize(reduced, free));

  return normalize(recognizeDefinitions(expr, context.program.equations), free);
}

/** Expands and rebuilds, so that like terms are collected and constants folded. */
export function normalize(expr: Expr, free: ReturnType<typeof intervalsOf>): Expr {
  const log: Elimination[] = [];
  const terms = expand(expr).flatMap((t) => eliminateDeltas(t, log) ?? []);
  return rebuild(terms.flatMap((t) => pruneTerm(t, free) ?? []));
}

function eliminationDescription(log: readonly Elimination[]): string {
  if (log.length === 0) return 'no sum is left to collapse';
  const solved = [...new Set(log.map((e) => `${e.index} = ${formatAffine(e.value)}`))].join(', ');
  const divisible = log.filter((e) => e.divisible);
  const divisibility =
    divisible.length === 0
      ? ''
      : `; the solution for ${[...new Set(divisible.map((e) => e.index))].join(', ')} is an index only where the division is exact, which becomes a divisibility condition`;
  return `Kronecker delta elimination: in each sum, every term vanishes except the one where ${solved}; the range of each eliminated index becomes a condition on its solution${divisibility}`;
}

function boundsDescription(): string {
  return 'bounds: conditions that always hold for indices in range are dropped; the others become the explicit limits of the remaining sums, so each element is a gather over exactly the terms that contribute';
}
