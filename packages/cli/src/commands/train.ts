import { type Graph, GraphError, parseGraphText } from '@symgrad/compiler';
import { type Dataset, loadMnist, takeExamples } from '@symgrad/datasets';
import {
  type Checkpoint,
  CheckpointError,
  CpuModel,
  type EpochRecord,
  loadCheckpoint,
  loadWeights,
  saveWeights,
  train,
} from '@symgrad/runtime-cpu';
import { type Command, Option } from 'commander';
import { DEFAULT_GRAPH } from '../default-graph.js';
import { UsageError } from '../errors.js';
import { type Output, readText } from '../io.js';
import { ProgressBar } from '../progress.js';
import {
  type Backend,
  backendOption,
  checkThreadsBackend,
  positiveInteger,
  positiveNumber,
  threadsOption,
} from './shared.js';
import { trainOnWebGpu } from './train-webgpu.js';

export interface TrainCommandOptions {
  readonly data: 'mnist';
  readonly epochs: number;
  readonly batchSize: number;
  readonly backend: Backend;
  readonly seed: number;
  readonly learningRate?: number;
  readonly trainSize?: number;
  readonly weights?: string;
  readonly save?: string;
  readonly checkpoint?: string;
  readonly resume?: string;
  readonly threads: number;
}

/** `symgrad train [graph.json] [--data mnist] [--epochs N] [--batch-size N] ... [--save w.json]`. */
export function registerTrain(program: Command, output: Output): void {
  program
    .command('train')
    .description('train a layer graph on real data and report held-out accuracy')
    .argument('[graph]', 'the layer graph, a JSON file (default: the built-in 784-128-10 MLP)')
    .addOption(
      new Option('--data <name>', 'the data set: 10,000 real MNIST digits, 8,000 to train on')
        .choices(['mnist'])
        .default('mnist'),
    )
    .option('--epochs <n>', 'passes over the training data', positiveInteger('--epochs'), 3)
    .option('--batch-size <n>', 'examples per step', positiveInteger('--batch-size'), 64)
    .addOption(backendOption())
    .option(
      '--seed <n>',
      'seeds the initial weights and the order of the batches',
      positiveInteger('--seed'),
      1,
    )
    .option(
      '--learning-rate <rate>',
      "the learning rate (default: the graph's optimizer's)",
      positiveNumber('--learning-rate'),
    )
    .option(
      '--train-size <n>',
      'train on the first n of the 8,000 training digits (default: all)',
      positiveInteger('--train-size'),
    )
    .option(
      '--weights <file>',
      'start from these weights (default: Glorot-uniform, seeded by --seed)',
    )
    .option('--save <file>', 'write the trained weights to this file, atomically (default: none)')
    .option(
      '--checkpoint <file>',
      'write a checkpoint here after every epoch, atomically (default: none)',
    )
    .option(
      '--resume <file>',
      'continue a run from its checkpoint, to the same final weights (default: none)',
    )
    .addOption(threadsOption())
    .action((graph: string | undefined, options: TrainCommandOptions) =>
      runTraining(graph, options, output),
    );
}

export async function runTraining(
  file: string | undefined,
  options: TrainCommandOptions,
  output: Output,
): Promise<void> {
  const graphFile = file ?? 'the built-in MLP';
  const text = file === undefined ? JSON.stringify(DEFAULT_GRAPH) : readText(file);
  const graph = parseGraphText(text, graphFile);
  const data = mnistFor(graph, graphFile, options);
  checkThreadsBackend(options.threads, options.backend);
  const model = CpuModel.compile(graph, {
    maxBatch: options.batchSize,
    file: graphFile,
    threads: options.threads,
  });
  try {
    await trainModel(graph, model, data, options, output);
  } finally {
    await model.dispose();
  }
}

async function trainModel(
  graph: Graph,
  model: CpuModel,
  data: { train: Dataset; test: Dataset },
  options: TrainCommandOptions,
  output: Output,
): Promise<void> {
  if (options.resume !== undefined && options.weights !== undefined) {
    throw new UsageError(
      '--weights and --resume both give the starting weights; drop --weights to resume, or --resume to start afresh',
    );
  }
  const resume = options.resume === undefined ? undefined : resumeFrom(options.resume, graph);
  if (options.weights !== undefined)
    model.setWeights(loadWeights(options.weights), options.weights);
  else model.initialize(options.seed);

  if (resume !== undefined) {
    const changed = resumeChanges(resume, options, graph);
    if (changed !== undefined) output.stderr(`${changed}\n`);
  }
  output.stderr(
    `training ${graph.name} on ${data.train.size} MNIST digits, ${data.test.size} held out\n`,
  );
  const history = await trainEpochs(graph, model, data, resume, options, output);

  if (options.save !== undefined) saveWeights(options.save, model.weights());
  output.stdout(`${summary(history)}\n`);
}

/** MNIST, checked against the graph: `[28, 28, 1]` or `[784]` images in, 10 classes out. */
function mnistFor(
  graph: Graph,
  file: string,
  options: TrainCommandOptions,
): { train: Dataset; test: Dataset } {
  const pixels = graph.inputShape.reduce((n, d) => n * d, 1);
  const last = graph.layers[graph.layers.length - 1];
  const classes = last?.outputShape.reduce((n, d) => n * d, 1);
  if (pixels !== 784 || classes !== 10) {
    throw new GraphError(
      'E_DATA_FIT',
      `${file}: --data mnist needs an input of [28, 28, 1] or [784] and 10 outputs, but the graph takes [${graph.inputShape.join(', ')}] and gives ${classes ?? 0}; change 'input.shape' or the last layer's units`,
    );
  }
  const { train: digits, test } = loadMnist();
  const size = Math.min(options.trainSize ?? digits.size, digits.size);
  return { train: takeExamples(digits, size), test };
}

function resumeFrom(file: string, graph: Graph): Checkpoint {
  const checkpoint = loadCheckpoint(file);
  if (checkpoint.graph !== graph.name) {
    throw new CheckpointError(
      'E_CHECKPOINT_GRAPH',
      `checkpoint '${file}' is of graph '${checkpoint.graph}', not '${graph.name}'; resume with the graph it was written for`,
    );
  }
  return checkpoint;
}

/**
 * A note when the resumed run's settings differ from the checkpoint's: it goes on from the
 * checkpoint's weights, but no longer ends where the uninterrupted run would have.
 */
function resumeChanges(
  checkpoint: Checkpoint,
  options: TrainCommandOptions,
  graph: Graph,
): string | undefined {
  const settings: [name: string, then: number | string, now: number | string][] = [
    ['batch size', checkpoint.batchSize, options.batchSize],
    [
      'learning rate',
      checkpoint.learningRate,
      options.learningRate ?? graph.optimizer.learningRate,
    ],
    ['threads', checkpoint.threads, options.threads],
    ['backend', checkpoint.backend, options.backend],
  ];
  const changes = settings
    .filter(([, then, now]) => then !== now)
    .map(([name, then, now]) => `${name} ${then} -> ${now}`);
  if (changes.length === 0) return undefined;
  return `note: resuming '${checkpoint.file}' with ${changes.join(', ')}: training goes on from its weights, but will not end where the run that wrote it would have`;
}

/** Trains the epochs left on the chosen backend, reporting each; returns every epoch's record. */
async function trainEpochs(
  graph: Graph,
  model: CpuModel,
  data: { train: Dataset; test: Dataset },
  resume: Checkpoint | undefined,
  options: TrainCommandOptions,
  output: Output,
): Promise<readonly EpochRecord[]> {
  if (resume !== undefined && resume.epoch >= options.epochs) {
    return alreadyTrained(model, resume, options, output);
  }
  const bar = new ProgressBar(output.stderr, process.stderr.isTTY === true);
  const onEpoch = (record: EpochRecord) => bar.done(epochLine(record, options.epochs));
  const continued = {
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
    ...(resume === undefined ? {} : { resume }),
  };
  if (options.backend === 'webgpu') {
    return trainOnWebGpu(graph, model, data, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate ?? graph.optimizer.learningRate,
      seed: options.seed,
      ...continued,
      onBatch: (epoch, step, steps, loss) => bar.step(epoch, options.epochs, step, steps, loss),
      onEpoch,
    });
  }
  return train(model, data, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }),
    ...continued,
    onBatch: (info) => bar.step(info.epoch, options.epochs, info.step, info.steps, info.loss),
    onEpoch,
  });
}

/** A checkpoint that holds every epoch asked for: nothing is trained, its weights are kept. */
function alreadyTrained(
  model: CpuModel,
  resume: Checkpoint,
  options: TrainCommandOptions,
  output: Output,
): readonly EpochRecord[] {
  output.stderr(
    `note: '${resume.file}' holds ${resume.epoch} epochs and --epochs is ${options.epochs}: no epoch left to train; raise --epochs to go on\n`,
  );
  model.setWeights(resume.weights, resume.file);
  return resume.history;
}

function epochLine(record: EpochRecord, epochs: number): string {
  const accuracy = Number.isNaN(record.accuracy) ? '' : `  accuracy ${percent(record.accuracy)}`;
  const heldOut =
    record.testAccuracy === undefined ? '' : `  held-out ${percent(record.testAccuracy)}`;
  const seconds = (record.ms / 1000).toFixed(1);
  return `epoch ${record.epoch}/${epochs}  loss ${record.loss.toFixed(4)}${accuracy}${heldOut}  (${seconds} s, ${(record.ms / record.steps).toFixed(1)} ms/step)`;
}

function summary(history: readonly EpochRecord[]): string {
  const last = history[history.length - 1];
  if (last === undefined) return 'no epoch trained';
  const seconds = history.reduce((total, r) => total + r.ms, 0) / 1000;
  return `held-out accuracy ${percent(last.testAccuracy ?? Number.NaN)} after ${last.epoch} epochs (${seconds.toFixed(1)} s of training)`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}
