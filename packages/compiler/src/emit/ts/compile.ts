import type { DerivedProgram } from '../../derive/types.js';
import type { Graph } from '../../graph/types.js';
import { type Schedule, scheduleTraining } from '../../schedule/kernels.js';
import type { GeneratedModel } from './contract.js';
import { emitJavaScript, type TsModule } from './module.js';

/** A graph derived, scheduled and emitted as one module. */
export interface CompiledModule {
  readonly derived: DerivedProgram;
  readonly schedule: Schedule;
  readonly module: TsModule;
}

/**
 * Derives, schedules and emits a graph as JavaScript, in the script form by default, ready
 * for `instantiateScript`. The input's gradient is left out: training never needs it.
 */
export function compileJavaScript(
  graph: Graph,
  dialect: 'javascript' | 'script' = 'script',
): CompiledModule {
  const { derived, schedule: plan } = scheduleTraining(graph);
  return { derived, schedule: plan, module: emitJavaScript(plan, dialect) };
}

/**
 * Turns an emitted script (`emitJavaScript(plan, 'script')`) into a live module in this
 * realm. The code has no imports, so it runs in a function scope of its own; no transpiler
 * or module loader is involved, which is what lets browsers and worker threads run it.
 */
export function instantiateScript(source: string): GeneratedModel {
  return new Function(source)() as GeneratedModel;
}
