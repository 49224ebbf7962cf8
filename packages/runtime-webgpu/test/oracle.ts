import { deriveGraph, type Graph, interpretGradients } from '@symgrad/compiler';
import { expectClose } from '../../testkit/src/finite-differences.js';
import { mulberry32, randomInputs, randomWeights, targetsFor } from '../../testkit/src/random.js';
import type { Float32Tensor } from '../src/index.js';

/** A batch and weights drawn from a seed, in float32 as the device holds them. */
export interface Batch {
  readonly batch: number;
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly weights: Record<string, Float32Tensor>;
}

/** The float64 oracle's results agree with float32 shaders to this. */
export const ORACLE_TOLERANCE = { relative: 1e-4, absolute: 1e-5 };

export function randomBatch(graph: Graph, batch: number, seed: number): Batch {
  const rng = mulberry32(seed);
  const weights: Record<string, Float32Tensor> = {};
  for (const [name, w] of Object.entries(randomWeights(graph, rng))) {
    weights[name] = { shape: w.shape, data: Float32Array.from(w.data) };
  }
  const inputs = Float32Array.from(randomInputs(graph, batch, rng).data);
  const targets = Float32Array.from(targetsFor(graph, batch, rng).data);
  return { batch, inputs, targets, weights };
}

/**
 * The compiler's float64 interpreter of the derived equations, on the float32 values of the
 * batch: what every backend must compute.
 */
export function oracle(
  graph: Graph,
  b: Batch,
): { loss: number; gradients: Record<string, Float64Array> } {
  const values = Object.fromEntries(
    Object.entries(b.weights).map(([name, w]) => [name, Float64Array.from(w.data)]),
  );
  const rows = (data: Float32Array) => {
    const size = data.length / b.batch;
    return Array.from({ length: b.batch }, (_, k) =>
      Float64Array.from(data.subarray(k * size, (k + 1) * size)),
    );
  };
  return interpretGradients(deriveGraph(graph), values, rows(b.inputs), rows(b.targets));
}

/** Loss and every weight gradient within the oracle's tolerance. */
export function expectMatchesOracle(
  actual: { loss: number; gradients: Record<string, Float32Tensor> },
  expected: { loss: number; gradients: Record<string, Float64Array> },
  label: string,
): void {
  expectClose(actual.loss, expected.loss, { ...ORACLE_TOLERANCE, label: `${label}: loss` });
  const names = Object.keys(expected.gradients).sort();
  if (names.join() !== Object.keys(actual.gradients).sort().join()) {
    throw new Error(`${label}: gradients of ${Object.keys(actual.gradients)}, expected ${names}`);
  }
  for (const name of names) {
    expectClose(actual.gradients[name]?.data ?? [], expected.gradients[name] ?? [], {
      ...ORACLE_TOLERANCE,
      label: `${label}: ${name}`,
    });
  }
}
