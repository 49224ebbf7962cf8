import {
  type Affine,
  affine,
  coefficientOf,
  constantAffine,
  formatAffine,
  isConstantAffine,
  subtractAffine,
} from '../program/affine.js';
import * as build from '../program/build.js';
import type { Condition, IndexVar } from '../program/ir.js';
import { type Intervals, intervalsOf, pruneConditions } from '../simplify/conditions.js';
import { substituteTerm, type Term } from './terms.js';

/** What one elimination did, for the sentence in the trace. */
export interface Elimination {
  readonly index: string;
  readonly value: Affine;
  readonly divisible: boolean;
}

/**
 * Eliminates every Kronecker delta of a term. A delta `[a = b]` is an affine equation; it is
 * solved for a summed index `v` (one with coefficient 1 when there is one, else the smallest,
 * which needs a divisibility condition), `v` is replaced by its solution everywhere and the sum
 * over `v` disappears: every term of it but one vanishes. The range of `v` becomes a condition
 * on the solution. A delta between free indices only becomes a condition. This turns the
 * scatter `dx[a(i)] += ...` into a gather over the indices that remain.
 */
export function eliminateDeltas(term: Term, log: Elimination[]): Term | undefined {
  let current = term;
  while (current.deltas.length > 0) {
    const [first, ...rest] = current.deltas;
    if (first === undefined) break;
    const next = eliminateOne(
      { ...current, deltas: rest },
      subtractAffine(first.left, first.right),
      log,
    );
    if (next === undefined) return undefined;
    current = next;
  }
  return eliminateSingletons(current, log);
}

function eliminateOne(term: Term, difference: Affine, log: Elimination[]): Term | undefined {
  if (isConstantAffine(difference)) return difference.constant === 0 ? term : undefined;
  const index = chooseIndex(term.indices, difference);
  if (index === undefined) {
    return { ...term, conditions: [...term.conditions, build.bounds(difference, 0, 0)] };
  }
  // The numerator of the difference is c*v + rest = 0, so v = -rest / c, an index only
  // where c divides -rest.
  const coefficient = coefficientOf(difference, index.name);
  const rest = difference.terms.filter((t) => t.index !== index.name);
  const value = affine(
    new Map(rest.map((t) => [t.index, -t.coefficient])),
    -difference.constant,
    coefficient,
  );
  const divisible = value.divisor !== 1;
  log.push({ index: index.name, value, divisible });
  return solveFor(term, index, value, divisible);
}

/** Prefers an index with coefficient +-1, so that no divisibility condition is needed. */
function chooseIndex(indices: readonly IndexVar[], difference: Affine): IndexVar | undefined {
  const candidates = indices.filter((v) => coefficientOf(difference, v.name) !== 0);
  const magnitude = (v: IndexVar) => Math.abs(coefficientOf(difference, v.name));
  return [...candidates].sort((a, b) => magnitude(a) - magnitude(b))[0];
}

function solveFor(term: Term, index: IndexVar, value: Affine, divisible: boolean): Term {
  const conditions: Condition[] = [build.bounds(value, 0, index.extent - 1)];
  if (divisible) conditions.unshift(build.divisible(value));
  const remaining = term.indices.filter((v) => v.name !== index.name);
  const substituted = substituteTerm(term, new Map([[index.name, value]]));
  return {
    ...substituted,
    indices: remaining,
    conditions: [...substituted.conditions, ...conditions],
  };
}

/** A sum over an index with a single value is its body at that value. */
function eliminateSingletons(term: Term, log: Elimination[]): Term {
  const singletons = term.indices.filter((v) => v.extent === 1);
  if (singletons.length === 0) return term;
  const bindings = new Map(singletons.map((v) => [v.name, constantAffine(0)] as const));
  for (const v of singletons)
    log.push({ index: v.name, value: constantAffine(0), divisible: false });
  const substituted = substituteTerm(term, bindings);
  return { ...substituted, indices: term.indices.filter((v) => v.extent !== 1) };
}

/**
 * Drops conditions that hold for every value in range, given the free indices' ranges and
 * the summed indices' own; a term with a condition that never holds is zero.
 */
export function pruneTerm(term: Term, free: Intervals): Term | undefined {
  const intervals = intervalsOf(term.indices, free);
  const conditions = pruneConditions(term.conditions, intervals);
  return conditions === undefined ? undefined : { ...term, conditions };
}

/** `m = m'` for the trace. */
export function describeElimination(e: Elimination, name: (index: string) => string): string {
  return `${name(e.index)} = ${formatAffine(e.value, name)}`;
}
