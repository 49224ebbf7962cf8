import { CheckpointError, TrainingError } from '../errors.js';
import type { CpuModel, Examples } from '../model/cpu-model.js';
import { Random } from '../random.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type EpochRecord,
  saveCheckpoint,
} from './checkpoint.js';

/** Progress after one training step. */
export interface BatchInfo {
  readonly epoch: number;
  /** Counted from 1 within the epoch. */
  readonly step: number;
  readonly steps: number;
  /** The batch's loss before its update. */
  readonly loss: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** The graph's learning rate unless given. */
  readonly learningRate?: number;
  /** Seeds the order of the batches; 1 unless given. Weights are the model's as they are. */
  readonly seed?: number;
  /** A file to write a checkpoint to after every epoch, atomically. */
  readonly checkpoint?: string;
  /** Continue from this checkpoint: its weights, batch order and history. */
  readonly resume?: Checkpoint;
  readonly onBatch?: (info: BatchInfo) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
}

export interface TrainingData {
  readonly train: Examples;
  /** Held-out examples, evaluated after every epoch. */
  readonly test?: Examples;
}

/** Everything that stays the same through a run. */
interface Run {
  readonly model: CpuModel;
  readonly data: TrainingData;
  readonly options: TrainOptions;
  readonly learningRate: number;
  readonly seed: number;
  readonly random: Random;
  readonly order: Uint32Array;
  readonly history: EpochRecord[];
}

/**
 * Mini-batch gradient descent for `options.epochs` epochs, each in a fresh order drawn from a
 * seeded generator; the last batch of an epoch may be smaller. Starts from the model's
 * weights (initialise or set them first), or from `resume`. Returns the history of every
 * epoch, the resumed ones included. Resuming from the checkpoint of epoch k and training to
 * N gives the very weights, bit for bit, of training to N without a break.
 */
export function train(model: CpuModel, data: TrainingData, options: TrainOptions): EpochRecord[] {
  const run = startRun(model, data, options);
  const first = (options.resume?.epoch ?? 0) + 1;
  for (let epoch = first; epoch <= options.epochs; epoch += 1) {
    const record = trainEpoch(run, epoch);
    run.history.push(record);
    if (options.checkpoint !== undefined)
      saveCheckpoint(options.checkpoint, checkpointOf(run, epoch));
    options.onEpoch?.(record);
  }
  return run.history;
}

function startRun(model: CpuModel, data: TrainingData, options: TrainOptions): Run {
  checkOptions(options);
  model.checkExamples(data.train, 'the training data');
  if (data.test !== undefined) model.checkExamples(data.test, 'the held-out data');
  if (data.train.size === 0) {
    throw new TrainingError('E_TRAIN_DATA', 'the training data holds no examples');
  }
  const learningRate = options.learningRate ?? model.learningRate;
  if (learningRate === undefined || !(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new TrainingError(
      'E_TRAIN_LEARNING_RATE',
      `learning rate ${learningRate} must be a positive number; set one in the graph's optimizer or pass it`,
    );
  }

  const seed = options.seed ?? 1;
  const random = new Random(seed);
  const history: EpochRecord[] = [];
  if (options.resume !== undefined) {
    resumeFrom(model, options.resume);
    random.state = options.resume.rngState;
    history.push(...options.resume.history);
  }
  const order = new Uint32Array(data.train.size);
  return { model, data, options, learningRate, seed, random, order, history };
}

function checkOptions(options: TrainOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 0) {
    throw new TrainingError(
      'E_TRAIN_EPOCHS',
      `epochs ${options.epochs} must be a whole number of at least 0`,
    );
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new TrainingError(
      'E_TRAIN_BATCH',
      `batch size ${options.batchSize} must be a whole number of at least 1`,
    );
  }
}

function resumeFrom(model: CpuModel, checkpoint: Checkpoint): void {
  const file = checkpoint.file ?? 'the checkpoint';
  if (checkpoint.graph !== model.name) {
    throw new CheckpointError(
      'E_CHECKPOINT_GRAPH',
      `checkpoint '${file}' was written training graph '${checkpoint.graph}', not '${model.name}'; resume with the graph it came from`,
    );
  }
  model.setWeights(checkpoint.weights, file);
}

/** One pass over the training set in a new order; then the held-out set, if any. */
function trainEpoch(run: Run, epoch: number): EpochRecord {
  const { model, data, options, order } = run;
  const size = data.train.size;
  const steps = Math.ceil(size / options.batchSize);
  run.random.permute(order);

  let lossTotal = 0;
  let correct = 0;
  const began = performance.now();
  for (let step = 1; step <= steps; step += 1) {
    const start = (step - 1) * options.batchSize;
    const batch = Math.min(options.batchSize, size - start);
    model.loadExamples(data.train, order, start, batch);
    const loss = model.step(batch, run.learningRate, { epoch, step });
    lossTotal += loss * batch;
    correct += model.countCorrect(batch);
    options.onBatch?.({ epoch, step, steps, loss });
  }
  const ms = performance.now() - began;

  const record = { epoch, loss: lossTotal / size, accuracy: correct / size, ms, steps };
  if (data.test === undefined) return record;
  const held = model.evaluate(data.test, options.batchSize);
  return { ...record, testLoss: held.loss, testAccuracy: held.accuracy };
}

function checkpointOf(run: Run, epoch: number): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    graph: run.model.name,
    epoch,
    rngState: run.random.state,
    seed: run.seed,
    batchSize: run.options.batchSize,
    learningRate: run.learningRate,
    threads: run.model.threads,
    backend: 'cpu',
    weights: run.model.weights(),
    history: run.history,
  };
}
