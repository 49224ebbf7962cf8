import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraphText } from '@symgrad/compiler';
import { exportTfjsModel } from '@symgrad/interop';
import { loadWeights } from '@symgrad/runtime-cpu';
import type { Command } from 'commander';
import { FileError } from '../errors.js';
import { type Output, readText, writeFileAtomic } from '../io.js';

export interface ExportOptions {
  /** The weights file, `{ "<layer>/kernel": { shape, data }, ... }`. */
  readonly weights: string;
  /** The folder to write `model.json` and its shard into. */
  readonly out: string;
}

/** `symgrad export <graph.json> --weights <w.json> --out <dir>`. */
export function registerExport(program: Command, _output: Output): void {
  program
    .command('export')
    .description('write a graph and its weights as a TensorFlow.js layers model')
    .argument('<graph>', 'the layer graph, a JSON file')
    .requiredOption('--weights <weights>', 'the weights, a JSON file')
    .requiredOption('--out <dir>', 'write model.json and its weight shard into this folder')
    .action((graph: string, options: ExportOptions) => exportModel(graph, options));
}

/**
 * Writes `model.json` and its shard for `tf.loadLayersModel`. The shard goes first, so that
 * a `model.json` on disk never names a shard that is not there yet.
 */
export function exportModel(file: string, options: ExportOptions): void {
  const graph = parseGraphText(readText(file), file);
  const { modelJson, shards } = exportTfjsModel(graph, loadWeights(options.weights));
  try {
    mkdirSync(options.out, { recursive: true });
  } catch (error) {
    throw new FileError('E_WRITE', `cannot create the folder '${options.out}': ${reason(error)}`);
  }
  for (const shard of shards) writeFileAtomic(join(options.out, shard.path), shard.data);
  writeFileAtomic(join(options.out, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM')
    return "permission denied; check the folder's permissions";
  if (code === 'ENOTDIR' || code === 'EEXIST')
    return 'a file stands where a folder should be; choose another --out';
  const message = error instanceof Error ? error.message : String(error);
  return `${message.replace(/\s+/g, ' ')}; check the path`;
}
