import { type Affine, affineIndices, indexAffine, substituteAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Condition, Delta, Expr, IndexVar } from '../program/ir.js';
import {
  allIndexNames,
  exprEquals,
  freeIndices,
  freshName,
  substitute,
  substituteCondition,
  walk,
} from '../program/traverse.js';

/**
 * A sum of products in canonical form, the shape in which Kronecker deltas are eliminated:
 * `coefficient * sum_{indices | conditions} deltas * factors`. Factors are opaque here:
 * accesses, functions, quotients by expressions free of deltas.
 */
export interface Term {
  readonly coefficient: number;
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
  readonly deltas: readonly Delta[];
  readonly factors: readonly Expr[];
}

const UNIT: Term = { coefficient: 1, indices: [], conditions: [], deltas: [], factors: [] };

/** Expands an expression into terms, pulling sums, guards and deltas out of products. */
export function expand(expr: Expr): Term[] {
  switch (expr.kind) {
    case 'const':
      return expr.value === 0 ? [] : [{ ...UNIT, coefficient: expr.value }];
    case 'add':
      return expr.terms.flatMap(expand);
    case 'mul':
      return expr.factors.reduce<Term[]>(
        (terms, factor) => multiply(terms, expandFactor(factor)),
        [UNIT],
      );
    case 'sum':
      return expand(expr.body).map((t) => ({
        ...t,
        indices: [...expr.indices, ...t.indices],
        conditions: [...expr.conditions, ...t.conditions],
      }));
    case 'guard':
      return expand(expr.body).map((t) => ({
        ...t,
        conditions: [...expr.conditions, ...t.conditions],
      }));
    case 'delta':
      return [{ ...UNIT, deltas: [expr] }];
    case 'div':
      return multiply(expand(expr.numerator), [
        { ...UNIT, factors: [build.div(build.ONE, expr.denominator)] },
      ]);
    default:
      return [{ ...UNIT, factors: [expr] }];
  }
}

/**
 * A factor is only taken apart when it is a sum, whose constant factors can then move out,
 * or holds a delta or a condition that elimination must reach; `(1 - y_j)` stays as written,
 * so results keep the factored form a person writes.
 */
function expandFactor(factor: Expr): Term[] {
  const pullsOut = factor.kind === 'sum' || holdsIndexStructure(factor);
  return pullsOut ? expand(factor) : [{ ...UNIT, factors: [factor] }];
}

function holdsIndexStructure(expr: Expr): boolean {
  for (const node of walk(expr)) if (node.kind === 'delta' || node.kind === 'guard') return true;
  return false;
}

function multiply(left: readonly Term[], right: readonly Term[]): Term[] {
  return left.flatMap((a) => right.map((b) => combine(a, b)));
}

/** The product of two terms, renaming summed indices of `b` that `a` already uses. */
function combine(a: Term, b: Term): Term {
  const aNames = termIndexNames(a);
  const taken = new Set([...aNames, ...termIndexNames(b)]);
  const renames = new Map<string, Affine>();
  const indices = b.indices.map((v) => {
    if (!aNames.has(v.name)) return v;
    const fresh = freshName(v.name, taken);
    taken.add(fresh);
    renames.set(v.name, indexAffine(fresh));
    return { ...v, name: fresh };
  });
  const renamed = renames.size > 0 ? substituteTerm({ ...b, indices }, renames) : b;
  return {
    coefficient: a.coefficient * renamed.coefficient,
    indices: [...a.indices, ...renamed.indices],
    conditions: [...a.conditions, ...renamed.conditions],
    deltas: [...a.deltas, ...renamed.deltas],
    factors: [...a.factors, ...renamed.factors],
  };
}

/** Every index name a term mentions, bound or free. */
export function termIndexNames(t: Term): Set<string> {
  const names = new Set(t.indices.map((v) => v.name));
  for (const c of t.conditions) for (const n of affineIndices(c.affine)) names.add(n);
  for (const d of t.deltas) {
    for (const n of [...affineIndices(d.left), ...affineIndices(d.right)]) names.add(n);
  }
  for (const f of t.factors) for (const n of allIndexNames(f)) names.add(n);
  return names;
}

/** Substitutes index values in every part of a term (not in its summed index list). */
export function substituteTerm(t: Term, bindings: ReadonlyMap<string, Affine>): Term {
  const deltas = t.deltas.map((d) => ({
    ...d,
    left: substituteAffine(d.left, bindings),
    right: substituteAffine(d.right, bindings),
  }));
  return {
    ...t,
    conditions: t.conditions.map((c) => substituteCondition(c, bindings)),
    deltas,
    factors: t.factors.map((f) => substitute(f, bindings)),
  };
}

/**
 * Rebuilds an expression from terms: `coefficient * outer factors * sum(inner factors)`,
 * where the outer factors are those that do not depend on the summed indices.
 */
export function rebuild(terms: readonly Term[], options: RebuildOptions = {}): Expr {
  return build.add(...collectLikeTerms(terms).map((t) => rebuildTerm(t, options)));
}

export interface RebuildOptions {
  /** Keep every condition as a bracket beside the factors instead of in the sum's limits. */
  readonly conditionsAsBrackets?: boolean;
}

/** Adds the coefficients of terms that differ in nothing else. */
function collectLikeTerms(terms: readonly Term[]): Term[] {
  const collected: Term[] = [];
  for (const term of terms) {
    const shape = rebuildTerm({ ...term, coefficient: 1 });
    const k = collected.findIndex((c) => exprEquals(rebuildTerm({ ...c, coefficient: 1 }), shape));
    const existing = collected[k];
    if (existing === undefined) collected.push(term);
    else collected[k] = { ...existing, coefficient: existing.coefficient + term.coefficient };
  }
  return collected.filter((t) => t.coefficient !== 0);
}

export function rebuildTerm(t: Term, options: RebuildOptions = {}): Expr {
  if (options.conditionsAsBrackets) {
    const body = build.guard(
      t.conditions,
      build.mul(...(t.deltas as readonly Expr[]), ...t.factors),
    );
    return build.mul(build.constant(t.coefficient), build.sum(t.indices, body));
  }
  const summed = new Set(t.indices.map((v) => v.name));
  const dependsOnSum = (names: Iterable<string>) => [...names].some((n) => summed.has(n));
  const inner = t.factors.filter((f) => dependsOnSum(freeIndices(f)));
  const outer = t.factors.filter((f) => !dependsOnSum(freeIndices(f)));
  const innerConditions = t.conditions.filter((c) => dependsOnSum(affineIndices(c.affine)));
  const outerConditions = t.conditions.filter((c) => !dependsOnSum(affineIndices(c.affine)));
  const deltas = t.deltas as readonly Expr[];

  const body = build.mul(...deltas, ...inner);
  const summedPart = build.sum(t.indices, body, innerConditions);
  const product = build.mul(build.constant(t.coefficient), ...outer, summedPart);
  return build.guard(outerConditions, product);
}
