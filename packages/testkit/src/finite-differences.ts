/**
 * Gradients by central differences, and comparisons that say where they disagree.
 */

import { mulberry32, randomInt } from './random.js';

export interface FiniteDifferenceOptions {
  /** Step h in (L(w + h) - L(w - h)) / 2h. Default 1e-5, which suits a float64 loss. */
  epsilon?: number;
  /**
   * Probe only this many positions per weight, chosen at random; all positions if absent.
   * A sampled position where the loss has a kink within `epsilon` is drawn again (see
   * `sampledGradient`).
   */
  sample?: number;
  /** Seed for the sampled positions. Default 1. */
  seed?: number;
}

/**
 * dL/dw by central differences: (L(w + h e_i) - L(w - h e_i)) / 2h for each position i.
 *
 * `lossOf` should compute in float64; the error is O(h^2) plus the loss's rounding error
 * divided by h. Weights are perturbed in place and restored after each probe.
 *
 * @returns per weight, a dense `Float64Array`, or with `sample` a `Map` position -> value.
 */
export function finiteDifferenceGradient(
  lossOf: (weights: Record<string, Float64Array>) => number,
  weights: Record<string, Float64Array>,
  options: FiniteDifferenceOptions = {},
): Record<string, Float64Array | Map<number, number>> {
  const epsilon = options.epsilon ?? 1e-5;
  const rng = mulberry32(options.seed ?? 1);
  const unmoved = options.sample === undefined ? Number.NaN : lossOf(weights);
  const gradients: Record<string, Float64Array | Map<number, number>> = {};

  for (const [name, values] of Object.entries(weights)) {
    // The loss with this weight's element at `position` moved by `delta`, restored after.
    const moved = (position: number, delta: number): number => {
      const original = values[position] as number;
      values[position] = original + delta;
      const loss = lossOf(weights);
      values[position] = original;
      return loss;
    };
    if (options.sample === undefined) {
      gradients[name] = Float64Array.from(
        { length: values.length },
        (_, position) => (moved(position, epsilon) - moved(position, -epsilon)) / (2 * epsilon),
      );
      continue;
    }
    const slopes = (position: number): Slopes => ({
      forward: (moved(position, epsilon) - unmoved) / epsilon,
      backward: (unmoved - moved(position, -epsilon)) / epsilon,
    });
    const draw = () => randomInt(rng, values.length);
    gradients[name] = sampledGradient(name, values.length, options.sample, slopes, draw);
  }
  return gradients;
}

/** The one-sided difference quotients of the loss at a position, ahead and behind. */
interface Slopes {
  readonly forward: number;
  readonly backward: number;
}

/**
 * Slopes on the two sides of a position that differ by more than this, relative to the larger
 * (or to 1), mark a kink. On a smooth loss they differ by about |L''| h, 1e-5 |L''| at the
 * default step; a ReLU or an ELU switching within h of the position makes them differ by the
 * jump of the derivative.
 */
const KINK_TOLERANCE = 1e-3;

/**
 * The central differences (their mean) at `count` sampled positions of a weight of `size`
 * elements. A position where the loss bends sharply within the step (a pre-activation that a
 * ReLU, leaky ReLU or ELU sees cross 0) gives the mean of two one-sided derivatives, which no
 * gradient equals: another position is drawn in its place.
 */
function sampledGradient(
  name: string,
  size: number,
  count: number,
  slopes: (position: number) => Slopes,
  draw: () => number,
): Map<number, number> {
  const smooth = new Map<number, number>();
  const keep = (position: number): boolean => {
    const { forward, backward } = slopes(position);
    const scale = Math.max(1, Math.abs(forward), Math.abs(backward));
    if (Math.abs(forward - backward) > KINK_TOLERANCE * scale) return false;
    smooth.set(position, (forward + backward) / 2);
    return true;
  };
  const positions = samplePositions(size, count, keep, draw);
  if (positions.length === 0) {
    throw new Error(`finite differences: every position of '${name}' sits at a kink`);
  }
  return new Map(positions.map((position) => [position, smooth.get(position) as number]));
}

/**
 * `count` distinct positions in [0, size) that pass `keep`, in increasing order, drawn until
 * there are as many or every position has been tried; with count >= size, every one that
 * passes. Where every draw passes, the draws are those a plain sample makes.
 */
function samplePositions(
  size: number,
  count: number,
  keep: (position: number) => boolean,
  draw: () => number,
): number[] {
  if (count >= size) return Array.from({ length: size }, (_, i) => i).filter(keep);
  const tried = new Set<number>();
  const chosen: number[] = [];
  while (chosen.length < count && tried.size < size) {
    const position = draw();
    if (tried.has(position)) continue;
    tried.add(position);
    if (keep(position)) chosen.push(position);
  }
  return chosen.sort((a, b) => a - b);
}

/** |a - b| / max(|a|, |b|), and 0 when both are 0. */
export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/** The largest relative error over paired positions; `expected` may be a sparse Map. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number> | Map<number, number>,
): number {
  let worst = 0;
  for (const [position, value] of entries(expected)) {
    worst = Math.max(worst, relativeError(actual[position] as number, value));
  }
  return worst;
}

export interface CloseOptions {
  /** Allowed |actual - expected| relative to |expected|. Default 1e-4. */
  relative?: number;
  /** Allowed |actual - expected| regardless of size, for values near zero. Default 1e-6. */
  absolute?: number;
  /** What is being compared, e.g. `conv1/kernel`; it opens the error message. */
  label?: string;
}

/**
 * Throws unless |actual_i - expected_i| <= absolute + relative * |expected_i| everywhere.
 * `expected` may be a `Map` from position to value (sampled finite differences); then only
 * those positions are compared. The error names the label, the first bad position and both
 * values.
 */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | Map<number, number> | number,
  options: CloseOptions = {},
): void {
  const { relative = 1e-4, absolute = 1e-6, label = 'value' } = options;
  const actualValues = typeof actual === 'number' ? [actual] : actual;
  const expectedValues = typeof expected === 'number' ? [expected] : expected;
  if (!(expectedValues instanceof Map) && actualValues.length !== expectedValues.length) {
    throw new Error(
      `${label}: length ${actualValues.length} differs from the expected ${expectedValues.length}`,
    );
  }

  for (const [position, want] of entries(expectedValues)) {
    const got = actualValues[position];
    const tolerance = absolute + relative * Math.abs(want);
    if (got === undefined || !(Math.abs(got - want) <= tolerance)) {
      throw new Error(
        `${label}: at position ${position} got ${got}, expected ${want} ` +
          `(difference ${got === undefined ? 'n/a' : Math.abs(got - want)}, tolerance ${tolerance})`,
      );
    }
  }
}

function* entries(values: ArrayLike<number> | Map<number, number>): Generator<[number, number]> {
  if (values instanceof Map) {
    yield* [...values.entries()].sort(([a], [b]) => a - b);
    return;
  }
  for (let i = 0; i < values.length; i++) yield [i, values[i] as number];
}
