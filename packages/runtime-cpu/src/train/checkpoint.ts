import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import { ioReason, writeFileAtomic } from '../io/atomic-write.js';
import { type JsonTensor, readTensorRecord, tensorRecordJson } from '../io/tensor-json.js';
import type { Tensor } from '../tensor.js';

/** What one epoch of training reached. */
export interface EpochRecord {
  /** Counted from 1. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches, each taken before its update. */
  readonly loss: number;
  /** Share of the epoch's training examples classified right, before each batch's update. */
  readonly accuracy: number;
  /** Mean loss on the held-out set after the epoch. */
  readonly testLoss?: number;
  readonly testAccuracy?: number;
  /** Milliseconds spent on the epoch's training steps. */
  readonly ms: number;
  readonly steps: number;
}

/**
 * Training state after a whole epoch: enough to resume and reach the weights an uninterrupted
 * run reaches, bit for bit. `rngState` is the batch-order generator after the epoch.
 */
export interface Checkpoint {
  readonly format: 'symgrad-checkpoint';
  readonly version: 1;
  readonly graph: string;
  readonly epoch: number;
  readonly rngState: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /**
   * The threads the run used; a resumed run on as many reaches its very weights, on another
   * count the same ones up to float32 rounding. Checkpoints that predate it read as 1.
   */
  readonly threads: number;
  /**
   * The runtime that trained it. A run resumed on the same one reaches the uninterrupted run's
   * weights; on the other, the same ones up to float32 rounding. Older checkpoints read as cpu.
   */
  readonly backend: CheckpointBackend;
  readonly weights: Readonly<Record<string, Tensor>>;
  readonly history: readonly EpochRecord[];
  /** The file it was read from; not stored in it. */
  readonly file?: string;
}

export type CheckpointBackend = 'cpu' | 'webgpu';

const BACKENDS: readonly CheckpointBackend[] = ['cpu', 'webgpu'];

export const CHECKPOINT_FORMAT = 'symgrad-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Writes a checkpoint atomically: a run killed mid-write leaves the previous one intact. */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const header = {
    format: checkpoint.format,
    version: checkpoint.version,
    graph: checkpoint.graph,
    epoch: checkpoint.epoch,
    rngState: checkpoint.rngState,
    seed: checkpoint.seed,
    batchSize: checkpoint.batchSize,
    learningRate: checkpoint.learningRate,
    threads: checkpoint.threads,
    backend: checkpoint.backend,
  };
  const fields = Object.entries(header).map(
    ([key, value]) => `  "${key}": ${JSON.stringify(value)}`,
  );
  const history = checkpoint.history.map((record) => `    ${JSON.stringify(record)}`);
  fields.push(`  "history": [${history.length ? `\n${history.join(',\n')}\n  ` : ''}]`);
  fields.push(`  "weights": ${tensorRecordJson(checkpoint.weights, '  ')}`);
  try {
    writeFileAtomic(path, `{\n${fields.join(',\n')}\n}\n`);
  } catch (error) {
    throw new CheckpointError(
      'E_CHECKPOINT_WRITE',
      `cannot write checkpoint '${path}': ${ioReason(error)}`,
    );
  }
}

/** Reads and checks a checkpoint; every problem is a one-line `CheckpointError` naming the file. */
export function loadCheckpoint(path: string): Checkpoint {
  const json = readJson(path);
  const fail = (message: string): never => {
    throw new CheckpointError('E_CHECKPOINT_FORMAT', `checkpoint '${path}': ${message}`);
  };
  if (typeof json !== 'object' || json === null || json.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      'E_CHECKPOINT_FORMAT',
      `'${path}' is not a symgrad checkpoint (no "format": "${CHECKPOINT_FORMAT}"); give a file written by training with a checkpoint path`,
    );
  }
  if (json.version !== CHECKPOINT_VERSION) {
    fail(
      `version ${JSON.stringify(json.version)} is not ${CHECKPOINT_VERSION}, the one this symgrad reads`,
    );
  }
  if (typeof json.graph !== 'string') fail('"graph" must be the graph\'s name');
  const count = (key: string, minimum: number) => {
    const value = json[key];
    if (!Number.isInteger(value) || (value as number) < minimum) {
      fail(`"${key}" must be a whole number of at least ${minimum}, not ${JSON.stringify(value)}`);
    }
    return value as number;
  };
  const learningRate = json.learningRate;
  if (typeof learningRate !== 'number' || !(learningRate > 0)) {
    fail('"learningRate" must be a positive number');
  }

  const backend = json.backend === undefined ? 'cpu' : json.backend;
  if (!BACKENDS.includes(backend as CheckpointBackend)) {
    fail(`"backend" must be one of ${BACKENDS.join(', ')}, not ${JSON.stringify(backend)}`);
  }

  const epoch = count('epoch', 1);
  const history = readHistory(json.history, fail);
  if (history.length !== epoch)
    fail(`"history" holds ${history.length} epochs, "epoch" says ${epoch}`);
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    graph: json.graph as string,
    epoch,
    rngState: count('rngState', 0),
    seed: count('seed', 0),
    batchSize: count('batchSize', 1),
    learningRate: learningRate as number,
    threads: json.threads === undefined ? 1 : count('threads', 1),
    backend: backend as CheckpointBackend,
    weights: readWeights(json.weights, path, fail),
    history,
    file: path,
  };
}

function readJson(path: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(
      'E_CHECKPOINT_READ',
      `cannot read checkpoint '${path}': ${ioReason(error)}`,
    );
  }
  try {
    return JSON.parse(text) as Record<string, unknown> | null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CheckpointError(
      'E_CHECKPOINT_JSON',
      `checkpoint '${path}' is not valid JSON (${reason}); resume from another checkpoint or train afresh`,
    );
  }
}

function readWeights(value: unknown, path: string, fail: (message: string) => never) {
  const weights: Record<string, JsonTensor> = readTensorRecord(value, {
    where: `checkpoint '${path}'`,
    entry: (name) => `weights[${JSON.stringify(name)}]`,
    fail: (message) => {
      throw new CheckpointError('E_CHECKPOINT_FORMAT', message);
    },
  });
  if (Object.keys(weights).length === 0) fail('"weights" holds no weights');
  return weights;
}

function readHistory(value: unknown, fail: (message: string) => never): EpochRecord[] {
  if (!Array.isArray(value)) fail('"history" must be an array of epoch records');
  const history = value as unknown[];
  history.forEach((record, index) => {
    const epoch = (record as { epoch?: unknown } | null)?.epoch;
    if (epoch !== index + 1) fail(`history[${index}] must be the record of epoch ${index + 1}`);
  });
  // JSON has no NaN: the training accuracy a WebGPU run does not measure was written as null.
  return (history as EpochRecord[]).map((record) =>
    record.accuracy === null ? { ...record, accuracy: Number.NaN } : record,
  );
}
