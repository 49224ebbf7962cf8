import { createRequire } from 'node:module';
import type { Graph } from '../../graph/types.js';
import { type Schedule, scheduleTraining } from '../../schedule/kernels.js';
import type { CompiledModule } from './compile.js';
import type { GeneratedModel } from './contract.js';
import { type TsModule, writeModule } from './module.js';

// ts-morph carries a whole TypeScript compiler: it loads on the first TypeScript emit, so
// that runtimes running the JavaScript dialect, and every CLI command that emits none, start
// without it.
const load = createRequire(import.meta.url);
type TsMorph = typeof import('ts-morph');
let tsMorph: TsMorph | undefined;

function loadTsMorph(): TsMorph {
  tsMorph ??= load('ts-morph') as TsMorph;
  return tsMorph;
}

/**
 * Emits one standalone TypeScript module for a scheduled model, as a ts-morph source file;
 * see `writeModule` for what it exports and how its kernels read.
 */
export function emitTypeScript(plan: Schedule): TsModule {
  const { IndentationText, Project } = loadTsMorph();
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces },
  });
  const fileName = `${plan.name}.ts`;
  const file = project.createSourceFile(fileName, '', { overwrite: true });
  file.addStatements((writer) => writeModule(writer, plan, 'typescript'));
  return { source: file.getFullText(), fileName };
}

/** Strips the types from TypeScript source, for running it in-process: a CommonJS body. */
export function transpileTypeScript(source: string): string {
  const { ts } = loadTsMorph();
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  return ts.transpileModule(source, { compilerOptions: options }).outputText;
}

/** A graph derived, scheduled and emitted as one TypeScript module. */
export type CompiledTypeScript = CompiledModule;

/**
 * Derives, schedules and emits a graph as one TypeScript module. The input's gradient is
 * left out: training never needs it.
 */
export function compileTypeScript(graph: Graph): CompiledTypeScript {
  const { derived, schedule: plan } = scheduleTraining(graph);
  return { derived, schedule: plan, module: emitTypeScript(plan) };
}

/**
 * Turns emitted TypeScript, such as a file `symgrad emit --target ts` wrote, into a live
 * module in this process: its types are stripped and it runs as a CommonJS body.
 */
export function instantiateTypeScript(source: string): GeneratedModel {
  const exports: Record<string, unknown> = {};
  new Function('exports', transpileTypeScript(source))(exports);
  return exports as unknown as GeneratedModel;
}
