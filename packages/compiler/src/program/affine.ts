import { invariant } from '../errors.js';

/**
 * An affine index expression with an exact divisor:
 * `(sum_k coefficient_k * index_k + constant) / divisor`.
 *
 * The divisor is 1 for every access a layer writes. It appears when a Kronecker delta is
 * solved for an index whose coefficient is not 1 (a stride): `p = 2 * i` gives `i = p / 2`,
 * which is only an index when `p` is even, so such an affine always travels with a
 * divisibility condition. Affines are kept in normal form: terms sorted by index name, no
 * zero coefficients, a positive divisor and no common factor between divisor and the rest.
 */
export interface Affine {
  readonly terms: readonly AffineTerm[];
  readonly constant: number;
  readonly divisor: number;
}

/** One `coefficient * index` term of an affine expression. */
export interface AffineTerm {
  readonly index: string;
  readonly coefficient: number;
}

/** Builds an affine in normal form from a coefficient map, a constant and a divisor. */
export function affine(
  coefficients: Readonly<Record<string, number>> | ReadonlyMap<string, number>,
  constant = 0,
  divisor = 1,
): Affine {
  invariant(divisor !== 0, 'affine with a zero divisor');
  const entries = coefficients instanceof Map ? [...coefficients] : Object.entries(coefficients);
  const terms = entries
    .filter(([, coefficient]) => coefficient !== 0)
    .map(([index, coefficient]) => ({ index, coefficient }))
    .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  return normalize(terms, constant, divisor);
}

function normalize(terms: AffineTerm[], constant: number, divisor: number): Affine {
  const sign = divisor < 0 ? -1 : 1;
  let common = Math.abs(divisor);
  for (const term of terms) common = gcd(common, Math.abs(term.coefficient));
  common = gcd(common, Math.abs(constant));
  const scale = sign / (common === 0 ? 1 : common);
  return {
    terms: terms.map((t) => ({ index: t.index, coefficient: t.coefficient * scale })),
    constant: constant * scale + 0,
    divisor: divisor * scale,
  };
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** The affine `index`. */
export function indexAffine(index: string): Affine {
  return affine({ [index]: 1 });
}

/** The affine holding the constant `value`. */
export function constantAffine(value: number): Affine {
  return affine({}, value);
}

export function coefficientOf(a: Affine, index: string): number {
  return a.terms.find((t) => t.index === index)?.coefficient ?? 0;
}

export function isConstantAffine(a: Affine): boolean {
  return a.terms.length === 0;
}

/** The index name when `a` is exactly one index with coefficient 1, else undefined. */
export function soleIndex(a: Affine): string | undefined {
  const [term] = a.terms;
  if (a.terms.length !== 1 || a.constant !== 0 || a.divisor !== 1) return undefined;
  return term?.coefficient === 1 ? term.index : undefined;
}

export function affineIndices(a: Affine): string[] {
  return a.terms.map((t) => t.index);
}

/** `a + b`, exact for any divisors. */
export function addAffine(a: Affine, b: Affine): Affine {
  const coefficients = new Map<string, number>();
  for (const t of a.terms) coefficients.set(t.index, t.coefficient * b.divisor);
  for (const t of b.terms) {
    coefficients.set(t.index, (coefficients.get(t.index) ?? 0) + t.coefficient * a.divisor);
  }
  const constant = a.constant * b.divisor + b.constant * a.divisor;
  return affine(coefficients, constant, a.divisor * b.divisor);
}

export function scaleAffine(a: Affine, factor: number): Affine {
  const coefficients = new Map(a.terms.map((t) => [t.index, t.coefficient * factor]));
  return affine(coefficients, a.constant * factor, a.divisor);
}

export function subtractAffine(a: Affine, b: Affine): Affine {
  return addAffine(a, scaleAffine(b, -1));
}

/** Replaces each index named in `bindings` by its affine value. */
export function substituteAffine(a: Affine, bindings: ReadonlyMap<string, Affine>): Affine {
  let result = affine({}, a.constant, a.divisor);
  for (const term of a.terms) {
    const value = bindings.get(term.index);
    const replaced = value ?? indexAffine(term.index);
    const scaled = scaleAffine(replaced, term.coefficient);
    result = addAffine(result, { ...scaled, divisor: scaled.divisor * a.divisor });
  }
  return result;
}

export function renameAffine(a: Affine, names: ReadonlyMap<string, string>): Affine {
  const coefficients = new Map<string, number>();
  for (const t of a.terms) {
    const name = names.get(t.index) ?? t.index;
    coefficients.set(name, (coefficients.get(name) ?? 0) + t.coefficient);
  }
  return affine(coefficients, a.constant, a.divisor);
}

export function affineEquals(a: Affine, b: Affine): boolean {
  if (a.constant !== b.constant || a.divisor !== b.divisor) return false;
  if (a.terms.length !== b.terms.length) return false;
  return a.terms.every((t, k) => {
    const other = b.terms[k];
    return other !== undefined && other.index === t.index && other.coefficient === t.coefficient;
  });
}

/** Evaluates `a` for integer index values; the divisor must divide exactly. */
export function evaluateAffine(a: Affine, values: ReadonlyMap<string, number>): number {
  let numerator = a.constant;
  for (const t of a.terms) {
    const value = values.get(t.index);
    invariant(value !== undefined, `index '${t.index}' has no value`);
    numerator += t.coefficient * value;
  }
  return numerator / a.divisor;
}

/** The smallest and largest value of the numerator over inclusive index intervals. */
export function numeratorInterval(
  a: Affine,
  intervals: ReadonlyMap<string, readonly [number, number]>,
): [number, number] | undefined {
  let low = a.constant;
  let high = a.constant;
  for (const t of a.terms) {
    const interval = intervals.get(t.index);
    if (interval === undefined) return undefined;
    const [lo, hi] = interval;
    low += Math.min(t.coefficient * lo, t.coefficient * hi);
    high += Math.max(t.coefficient * lo, t.coefficient * hi);
  }
  return [low, high];
}

/** Plain text, e.g. `i + m - 1` or `(p - m + 1) / 2`. */
export function formatAffine(a: Affine, name: (index: string) => string = (i) => i): string {
  const parts: string[] = [];
  // Positive terms first, so that `i' - 2*i` reads as a person writes it.
  const ordered = [
    ...a.terms.filter((t) => t.coefficient > 0),
    ...a.terms.filter((t) => t.coefficient < 0),
  ];
  for (const t of ordered) {
    const magnitude = Math.abs(t.coefficient);
    const body = magnitude === 1 ? name(t.index) : `${magnitude}*${name(t.index)}`;
    parts.push(
      parts.length === 0 ? (t.coefficient < 0 ? `-${body}` : body) : signed(t.coefficient, body),
    );
  }
  if (a.constant !== 0 || parts.length === 0) {
    const body = String(Math.abs(a.constant));
    parts.push(parts.length === 0 ? String(a.constant) : signed(a.constant, body));
  }
  const numerator = parts.join(' ');
  if (a.divisor === 1) return numerator;
  return `${parts.length > 1 ? `(${numerator})` : numerator}/${a.divisor}`;
}

function signed(coefficient: number, body: string): string {
  return coefficient < 0 ? `- ${body}` : `+ ${body}`;
}
