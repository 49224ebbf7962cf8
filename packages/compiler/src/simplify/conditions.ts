import { type Affine, gcd, numeratorInterval } from '../program/affine.js';
import type { Condition, IndexVar } from '../program/ir.js';

/** Inclusive value intervals of index variables, `[0, extent - 1]` unless narrowed. */
export type Intervals = ReadonlyMap<string, readonly [number, number]>;

export function intervalsOf(indices: readonly IndexVar[], outer: Intervals = new Map()): Intervals {
  const result = new Map(outer);
  for (const v of indices) result.set(v.name, [0, v.extent - 1]);
  return result;
}

/**
 * Decides a condition from the ranges of its indices alone: true when every value in range
 * satisfies it, false when none does, undefined when it depends on the values.
 */
export function decide(condition: Condition, intervals: Intervals): boolean | undefined {
  if (condition.kind === 'divisible') return decideDivisible(condition.affine, intervals);
  const range = numeratorInterval(condition.affine, intervals);
  if (range === undefined) return undefined;
  // The value is numerator / d, and a divided affine always travels with the condition that
  // d divides the numerator, so only whole quotients between ceil(low/d) and floor(high/d) occur.
  const d = condition.affine.divisor;
  const low = Math.ceil(range[0] / d);
  const high = Math.floor(range[1] / d);
  if (high < condition.lower || low > condition.upper) return false;
  if (low >= condition.lower && high <= condition.upper) return true;
  return undefined;
}

/** A numerator is always a multiple of the divisor when every coefficient and the constant are. */
function decideDivisible(a: Affine, intervals: Intervals): boolean | undefined {
  let common = a.constant;
  for (const t of a.terms) common = gcd(common, t.coefficient);
  if (common % a.divisor === 0) return true;
  const range = numeratorInterval(a, intervals);
  if (range !== undefined && range[0] === range[1]) return range[0] % a.divisor === 0;
  return undefined;
}

/**
 * Drops the conditions that always hold. Returns undefined when one never holds: then the
 * expression they guard is zero.
 */
export function pruneConditions(
  conditions: readonly Condition[],
  intervals: Intervals,
): Condition[] | undefined {
  const kept: Condition[] = [];
  for (const condition of conditions) {
    const verdict = decide(condition, intervals);
    if (verdict === false) return undefined;
    if (verdict === undefined) kept.push(condition);
  }
  return kept;
}
