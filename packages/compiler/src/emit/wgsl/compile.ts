import type { DerivedProgram } from '../../derive/types.js';
import type { Graph } from '../../graph/types.js';
import { type Schedule, scheduleTraining } from '../../schedule/kernels.js';
import type { GpuOptions } from '../../schedule/workgroup.js';
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
export function compileWgsl(graph: Graph, options: GpuOptions = {}): CompiledWgsl {
  const { derived, schedule: plan } = scheduleTraining(graph);
  return { derived, schedule: plan, program: emitWgsl(plan, options) };
}
