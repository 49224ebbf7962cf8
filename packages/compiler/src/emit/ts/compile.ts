import type { DerivedProgram } from '../../derive/types.js';
import type { Graph } from '../../graph/types.js';
import { type Schedule, scheduleTraining } from '../../schedule/kernels.js';
import type { GeneratedModel } from './contract.js';
import { emitTypeScript, type TsModule, transpileTypeScript } from './module.js';

export interface CompiledTypeScript {
  readonly derived: DerivedProgram;
  readonly schedule: Schedule;
  readonly module: TsModule;
}

/**
 * Derives, schedules and emits a graph as one TypeScript module. The input's gradient is
 * left out: training never needs it.
 */
export function compileTypeScript(graph: Graph): CompiledTypeScript {
  const { derived, schedule: plan } = scheduleTraining(graph);
  return { derived, schedule: plan, module: emitTypeScript(plan) };
}

/**
 * Turns emitted TypeScript into a live module in this process. The code has no imports, so
 * it runs in a function scope of its own.
 */
export function instantiateTypeScript(source: string): GeneratedModel {
  const exports: Record<string, unknown> = {};
  new Function('exports', transpileTypeScript(source))(exports);
  return exports as unknown as GeneratedModel;
}
