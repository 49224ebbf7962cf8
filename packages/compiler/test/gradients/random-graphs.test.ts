/**
 * A property over random small valid graphs: symgrad's derived loss, weight gradients and
 * input gradient agree with TensorFlow.js on the same graph, weights and batch, and so does
 * the emitted TypeScript. The seed is fixed so that every run draws the same graphs.
 */

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { arbitraryGraphJson, useCpuBackend } from '../../../testkit/src/index.js';
import {
  expectEmittedMatches,
  expectEveryWeightDerived,
  expectMatchesTensorflow,
  gradientCase,
} from './gradient-check.js';

beforeAll(useCpuBackend);

/**
 * 40 runs keep CI deterministic and quick; set SYMGRAD_PROPERTY_RUNS and SYMGRAD_PROPERTY_SEED
 * to search wider by hand.
 */
const NUM_RUNS = Number(process.env.SYMGRAD_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.SYMGRAD_PROPERTY_SEED ?? 20_240_601);

/** Each property takes a few seconds here; vitest's 5 s default is too tight for slow CI. */
const PROPERTY_TIMEOUT = 120_000 * Math.max(1, NUM_RUNS / 40);

/** Graph and data seeds, drawn together so that a failure reports both. */
const draws = (options: Parameters<typeof arbitraryGraphJson>[0]) =>
  fc.record({
    json: arbitraryGraphJson(options),
    dataSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    batch: fc.integer({ min: 1, max: 3 }),
  });

describe('random valid graphs', () => {
  it(
    'match TensorFlow.js: loss, every weight gradient and the input gradient',
    () => {
      fc.assert(
        fc.property(draws({ alphaStyle: 'object' }), ({ json, dataSeed, batch }) => {
          const c = gradientCase(json, { batch, seed: dataSeed });
          expectEveryWeightDerived(c);
          expectMatchesTensorflow(c);
          expectEmittedMatches(c);
        }),
        { numRuns: NUM_RUNS, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'match TensorFlow.js with alpha written on the layer',
    () => {
      fc.assert(
        fc.property(draws({ alphaStyle: 'field' }), ({ json, dataSeed, batch }) => {
          const c = gradientCase(json, { batch, seed: dataSeed });
          expect(Number.isFinite(c.loss)).toBe(true);
          expectMatchesTensorflow(c);
        }),
        { numRuns: Math.ceil(NUM_RUNS / 2), seed: SEED + 1 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});
