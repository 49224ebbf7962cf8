import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CompiledModule,
  compileJavaScript,
  compileTypeScript,
  compileWgsl,
  fuseElementwise,
  parseGraphText,
  type WgslProgram,
} from '@symgrad/compiler';
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { type Output, readText, writeFileAtomic } from '../io.js';

export const EMIT_TARGETS = ['ts', 'js', 'wgsl'] as const;
export type EmitTarget = (typeof EMIT_TARGETS)[number];

export interface EmitOptions {
  readonly target: EmitTarget;
  /** The folder to write the module and its manifest into; standard output when absent. */
  readonly out?: string;
  /** WGSL: tile matrix products in workgroup memory; false from `--no-tiles`. */
  readonly tiles: boolean;
}

/** `symgrad emit <graph.json> --target ts|js|wgsl [--out <dir>] [--no-tiles]`. */
export function registerEmit(program: Command, output: Output): void {
  program
    .command('emit')
    .description('generate the training code of a layer graph: forward pass, gradients, update')
    .argument('<graph>', 'the layer graph, a JSON file')
    .addOption(
      new Option(
        '--target <target>',
        `code to generate, one of ${EMIT_TARGETS.join(', ')} (required)`,
      )
        .makeOptionMandatory()
        .argParser(parseTarget),
    )
    .option(
      '--out <dir>',
      'write the module (<name>.ts, or <name>.mjs: an ES module) or the shaders (<kernel>.wgsl) and manifest.json into this folder (default: standard output)',
    )
    .option(
      '--no-tiles',
      'with --target wgsl, leave matrix products untiled, one element to an invocation, for a software adapter such as SwiftShader (default: tiled in workgroup memory)',
    )
    .action((graph: string, options: EmitOptions) => emit(graph, options, output));
}

/** Compiles the graph in `file` and writes the generated module and its manifest. */
export function emit(file: string, options: EmitOptions, output: Output): void {
  if (!options.tiles && options.target !== 'wgsl') {
    throw new UsageError(
      `--no-tiles applies to --target wgsl only; drop it for --target ${options.target}`,
    );
  }
  const graph = parseGraphText(readText(file), file);
  if (options.target === 'wgsl') {
    emitWgslFiles(compileWgsl(graph, { tileProducts: options.tiles }).program, options, output);
    return;
  }
  const compiled =
    options.target === 'js' ? compileJavaScript(graph, 'javascript') : compileTypeScript(graph);
  if (options.out === undefined) {
    output.stdout(compiled.module.source);
    return;
  }
  mkdirSync(options.out, { recursive: true });
  writeFileAtomic(join(options.out, compiled.module.fileName), compiled.module.source);
  writeFileAtomic(
    join(options.out, 'manifest.json'),
    `${JSON.stringify(manifest(compiled, options.target), null, 2)}\n`,
  );
}

/**
 * What a host needs to run the module without reading it: the weights with their shapes and
 * buffers, every buffer's size, and the kernels in the order they run.
 */
export function manifest(compiled: CompiledModule, language: 'ts' | 'js') {
  const identifier = new Map(compiled.schedule.buffers.map((b) => [b.tensor, b.identifier]));
  return {
    format: 'symgrad-manifest',
    version: 1,
    graph: compiled.schedule.name,
    language,
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
    kernels: fuseElementwise(compiled.schedule.kernels).map((k) => ({
      name: k.name,
      writes: k.writes,
      phase: k.phase,
      ...(k.layer === undefined ? {} : { layer: k.layer }),
      ...(k.fused === undefined ? {} : { fused: k.fused }),
    })),
  };
}

/**
 * One `<entry point>.wgsl` file per compute shader and a manifest that any WebGPU host can
 * follow: buffers and their sizes, each shader's bindings, workgroup size and invocations
 * (and for a tiled matrix product its `tiles`, one workgroup per tile of its grid),
 * the dispatch order per phase, and the 16-byte uniform
 * `{ batch: u32, learningRate: f32, update: u32 }` at binding 0 (`update` 1 for a training
 * step). Without `--out`, the shaders go to standard output one after another.
 */
function emitWgslFiles(program: WgslProgram, options: EmitOptions, output: Output): void {
  if (options.out === undefined) {
    output.stdout(program.shaders.map((s) => s.code).join('\n'));
    return;
  }
  mkdirSync(options.out, { recursive: true });
  for (const shader of program.shaders) {
    writeFileAtomic(join(options.out, `${shader.entryPoint}.wgsl`), shader.code);
  }
  const { shaders, ...rest } = program;
  const described = shaders.map(({ code, ...shader }) => ({
    ...shader,
    file: `${shader.entryPoint}.wgsl`,
  }));
  const document = {
    format: 'symgrad-manifest',
    version: 1,
    language: 'wgsl',
    ...rest,
    shaders: described,
  };
  writeFileAtomic(join(options.out, 'manifest.json'), `${JSON.stringify(document, null, 2)}\n`);
}

function parseTarget(value: string): EmitTarget {
  if ((EMIT_TARGETS as readonly string[]).includes(value)) return value as EmitTarget;
  throw new UsageError(
    `--target '${value}' is not a target symgrad emits; use one of ${EMIT_TARGETS.join(', ')}`,
  );
}
