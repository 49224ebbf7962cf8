import { SymgradError } from '../../errors.js';
import type { Graph } from '../../graph/types.js';
import { type Schedule, scheduleTraining } from '../../schedule/kernels.js';
import type { CompiledModule } from './compile.js';
import { type TsModule, writeWith } from './module.js';

// The browser build of the TypeScript emitter: the same `writeModule` on code-block-writer,
// the writer ts-morph itself wraps, so pages get the very text the CLI writes without
// bundling a TypeScript compiler. A test holds the two hosts to the same output.

/** Emits one standalone TypeScript module for a scheduled model (browser build). */
export function emitTypeScript(plan: Schedule): TsModule {
  return { source: writeWith(plan, 'typescript'), fileName: `${plan.name}.ts` };
}

/** A graph derived, scheduled and emitted as one TypeScript module. */
export type CompiledTypeScript = CompiledModule;

/** Derives, schedules and emits a graph as one TypeScript module (browser build). */
export function compileTypeScript(graph: Graph): CompiledTypeScript {
  const { derived, schedule: plan } = scheduleTraining(graph);
  return { derived, schedule: plan, module: emitTypeScript(plan) };
}

/** Browsers have no TypeScript transpiler here: run `emitJavaScript(plan, 'script')` instead. */
export function instantiateTypeScript(_source: string): never {
  throw needsNode('instantiateTypeScript');
}

/** See `instantiateTypeScript`: stripping types is Node-only. */
export function transpileTypeScript(_source: string): never {
  throw needsNode('transpileTypeScript');
}

function needsNode(name: string): SymgradError {
  return new SymgradError(
    'TS_TRANSPILER_MISSING',
    `${name} needs Node, where it strips types with the TypeScript compiler; in a browser, compile with compileJavaScript and run the result with instantiateScript`,
  );
}
