import { type Affine, affine, affineIndices, coefficientOf } from '../program/affine.js';
import type { Condition, IndexVar } from '../program/ir.js';

/**
 * One side of a loop limit: `ceil(numerator / divisor)` for a lower limit, `floor(...)` for
 * an upper one. The numerator is affine in free indices and outer loop indices.
 */
export interface LimitTerm {
  readonly numerator: Affine;
  readonly divisor: number;
}

/**
 * The explicit range of one summed index: from the largest lower limit to the smallest
 * upper limit, both inclusive, visiting only values that pass the filters (divisibility,
 * and conditions that tie several inner indices together).
 */
export interface IndexRange {
  readonly index: IndexVar;
  readonly lower: readonly LimitTerm[];
  readonly upper: readonly LimitTerm[];
  readonly filters: readonly Condition[];
}

/**
 * Turns a reduction's conditions into loop limits. Each bounds condition is solved for the
 * innermost summed index it mentions, `lo <= c*v + rest <= hi`, giving
 * `ceil((lo - rest)/c) <= v <= floor((hi - rest)/c)` for positive c (and mirrored for
 * negative c); everything else is a filter on the innermost index it mentions.
 */
export function indexRanges(
  indices: readonly IndexVar[],
  conditions: readonly Condition[],
): IndexRange[] {
  const ranges = indices.map((index) => ({
    index,
    lower: [constantLimit(0)],
    upper: [constantLimit(index.extent - 1)],
    filters: [] as Condition[],
  }));
  for (const condition of conditions) {
    const position = innermost(indices, condition);
    const range = ranges[position];
    if (range === undefined) continue;
    const limits =
      condition.kind === 'bounds' ? solveBounds(condition, range.index.name) : undefined;
    if (limits === undefined) {
      range.filters.push(condition);
      continue;
    }
    range.lower.push(limits.lower);
    range.upper.push(limits.upper);
  }
  return ranges.map((r) => ({
    ...r,
    lower: mergeConstants(r.lower, Math.max),
    upper: mergeConstants(r.upper, Math.min),
  }));
}

function innermost(indices: readonly IndexVar[], condition: Condition): number {
  const names = new Set(affineIndices(condition.affine));
  for (let k = indices.length - 1; k >= 0; k--)
    if (names.has((indices[k] as IndexVar).name)) return k;
  return -1;
}

function solveBounds(
  condition: Condition & { kind: 'bounds' },
  index: string,
): { lower: LimitTerm; upper: LimitTerm } | undefined {
  const { affine: a } = condition;
  const c = coefficientOf(a, index);
  if (c === 0) return undefined;
  // lower * d <= c*v + rest <= upper * d, with rest the numerator without v.
  const rest = a.terms.filter((t) => t.index !== index);
  const side = (bound: number) =>
    affine(
      new Map(rest.map((t) => [t.index, -t.coefficient * Math.sign(c)])),
      (bound * a.divisor - a.constant) * Math.sign(c),
    );
  const magnitude = Math.abs(c);
  const low = side(c > 0 ? condition.lower : condition.upper);
  const high = side(c > 0 ? condition.upper : condition.lower);
  return {
    lower: { numerator: low, divisor: magnitude },
    upper: { numerator: high, divisor: magnitude },
  };
}

function constantLimit(value: number): LimitTerm {
  return { numerator: affine({}, value), divisor: 1 };
}

/** Keeps one constant limit, the tightest. */
function mergeConstants(
  limits: readonly LimitTerm[],
  pick: (a: number, b: number) => number,
): LimitTerm[] {
  const constants = limits.filter((l) => l.numerator.terms.length === 0);
  const others = limits.filter((l) => l.numerator.terms.length > 0);
  if (constants.length === 0) return others;
  const round = pick === Math.max ? Math.ceil : Math.floor;
  const value = constants.map((l) => round(l.numerator.constant / l.divisor)).reduce(pick);
  return [...others, constantLimit(value)];
}
