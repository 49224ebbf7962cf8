import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CompiledTypeScript, compileTypeScript, parseGraphText } from '@symgrad/compiler';
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { type Output, readText, writeTextAtomic } from '../io.js';

export const EMIT_TARGETS = ['ts', 'wgsl'] as const;
export type EmitTarget = (typeof EMIT_TARGETS)[number];

export interface EmitOptions {
  readonly target: EmitTarget;
  /** The folder to write the module and its manifest into; standard output when absent. */
  readonly out?: string;
}

/** `symgrad emit <graph.json> --target ts|wgsl [--out <dir>]`. */
export function registerEmit(program: Command, output: Output): void {
  program
    .command('emit')
    .description('generate the training code of a layer graph: forward pass, gradients, update')
    .argument('<graph>', 'the layer graph, a JSON file')
    .addOption(
      new Option('--target <target>', `code to generate, one of ${EMIT_TARGETS.join(', ')}`)
        .makeOptionMandatory()
        .argParser(parseTarget),
    )
    .option(
      '--out <dir>',
      'write <name>.ts and manifest.json into this folder (default: the module to standard output)',
    )
    .action((graph: string, options: EmitOptions) => emit(graph, options, output));
}

/** Compiles the graph in `file` and writes the generated module and its manifest. */
export function emit(file: string, options: EmitOptions, output: Output): void {
  const graph = parseGraphText(readText(file), file);
  if (options.target === 'wgsl') {
    // TODO: WGSL emission is the WebGPU runtime's issue; until it lands, `--target wgsl`
    // stops here with this message instead of writing anything.
    throw new UsageError("--target wgsl is not available in this version; use '--target ts'");
  }
  const compiled = compileTypeScript(graph);
  if (options.out === undefined) {
    output.stdout(compiled.module.source);
    return;
  }
  mkdirSync(options.out, { recursive: true });
  writeTextAtomic(join(options.out, compiled.module.fileName), compiled.module.source);
  writeTextAtomic(
    join(options.out, 'manifest.json'),
    `${JSON.stringify(manifest(compiled), null, 2)}\n`,
  );
}

/**
 * What a host needs to run the module without reading it: the weights with their shapes and
 * buffers, every buffer's size, and the kernels in the order they run.
 */
export function manifest(compiled: CompiledTypeScript) {
  const identifier = new Map(compiled.schedule.buffers.map((b) => [b.tensor, b.identifier]));
  return {
    format: 'symgrad-manifest',
    version: 1,
    graph: compiled.schedule.name,
    target: 'ts',
    module: compiled.module.fileName,
    weights: compiled.schedule.weights.map((w) => ({
      name: w.weight,
      shape: w.shape,
      buffer: identifier.get(w.weight),
      gradient: identifier.get(w.gradient),
    })),
    buffers: compiled.schedule.buffers.map((b) => ({
      name: b.identifier,
      tensor: b.tensor,
      shape: b.shape,
      floats: b.size,
      perExample: b.perExample,
      role: b.role,
    })),
    kernels: compiled.schedule.kernels.map((k) => ({
      name: k.name,
      writes: k.writes,
      phase: k.phase,
      ...(k.layer === undefined ? {} : { layer: k.layer }),
    })),
  };
}

function parseTarget(value: string): EmitTarget {
  if ((EMIT_TARGETS as readonly string[]).includes(value)) return value as EmitTarget;
  throw new UsageError(
    `--target '${value}' is not a target symgrad emits; use one of ${EMIT_TARGETS.join(', ')}`,
  );
}
