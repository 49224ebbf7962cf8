import type { Graph } from '../graph/types.js';
import { lowerGraph } from '../program/lower.js';
import { type DeriveOptions, deriveProgram } from './reverse.js';
import type { DerivedProgram } from './types.js';

/**
 * Lowers a layer graph and derives every gradient of its loss, with the trace of each.
 *
 * @example
 * const derived = deriveGraph(resolveGraph(json));
 * derived.derivations.find((d) => d.of === 'out/kernel')?.closedForm;
 */
export function deriveGraph(graph: Graph, options: DeriveOptions = {}): DerivedProgram {
  return deriveProgram(lowerGraph(graph), {
    learningRate: graph.optimizer.learningRate,
    ...options,
  });
}
