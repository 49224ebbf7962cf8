import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importTfjsModel } from '@symgrad/interop';
import type { Command } from 'commander';
import { FileError } from '../errors.js';
import { type Output, readText, writeFileAtomic } from '../io.js';

export interface ImportOptions {
  /** Where the layer graph goes. */
  readonly out: string;
  /** Where the weights go; `<graph>.weights.json` next to the graph when absent. */
  readonly weightsOut?: string;
}

/** `symgrad import <model.json> --out <graph.json> [--weights-out <w.json>]`. */
export function registerImport(program: Command, output: Output): void {
  program
    .command('import')
    .description('read a TensorFlow.js / Keras layers model (model.json) as a graph and weights')
    .argument('<model>', 'the model.json of a layers model; its weight shards lie next to it')
    .requiredOption('--out <graph>', 'write the layer graph to this JSON file')
    .option(
      '--weights-out <weights>',
      'write the weights to this JSON file (default: <graph>.weights.json next to the graph)',
    )
    .action((model: string, options: ImportOptions) => importModel(model, options, output));
}

/** Converts `file` and writes the graph and weights; what changed on the way goes to stderr. */
export function importModel(file: string, options: ImportOptions, output: Output): void {
  const readShard = (path: string) => readShardFile(file, path);
  const { graph, weights, notes } = importTfjsModel(readText(file), file, readShard);
  const weightsFile = options.weightsOut ?? defaultWeightsFile(options.out);
  writeFileAtomic(options.out, `${JSON.stringify(graph, null, 2)}\n`);
  writeFileAtomic(weightsFile, `${JSON.stringify(weights)}\n`);
  for (const note of notes) output.stderr(`note: ${note}\n`);
}

/** `graph.json` -> `graph.weights.json`, in the same folder. */
export function defaultWeightsFile(graphFile: string): string {
  return `${graphFile.replace(/\.json$/i, '')}.weights.json`;
}

/** A shard named in the weights manifest, relative to the folder of `model.json`. */
function readShardFile(modelFile: string, path: string): Uint8Array {
  const shard = join(dirname(modelFile), path);
  try {
    return new Uint8Array(readFileSync(shard));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new FileError(
      'E_READ',
      `${modelFile}: cannot read weight shard '${shard}' (${reason}); keep the shard files the weightsManifest lists next to model.json`,
    );
  }
}
