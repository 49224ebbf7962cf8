import { deriveProgram } from '../../derive/reverse.js';
import type { DerivedProgram } from '../../derive/types.js';
import type { Graph } from '../../graph/types.js';
import { lowerGraph } from '../../program/lower.js';
import { type Schedule, schedule } from '../../schedule/kernels.js';
import { emitWgsl, type WgslProgram } from './program.js';

export interface CompiledWgsl {
  readonly derived: DerivedProgram;
  readonly schedule: Schedule;
  readonly program: WgslProgram;
}

/**
 * Derives, schedules and emits a graph as WGSL compute shaders. The input's gradient is left
 * out: training never needs it.
 */
export function compileWgsl(graph: Graph): CompiledWgsl {
  const derived = deriveProgram(lowerGraph(graph), {
    inputGradient: false,
    learningRate: graph.optimizer.learningRate,
  });
  const plan = schedule(derived);
  return { derived, schedule: plan, program: emitWgsl(plan) };
}
