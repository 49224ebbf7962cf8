import type { Graph } from '@symgrad/compiler';
import type { Dataset } from '@symgrad/datasets';
import {
  type Checkpoint,
  type CpuModel,
  type EpochRecord,
  Random,
  saveCheckpoint,
} from '@symgrad/runtime-cpu';
import { requestDevice, WebGpuModel } from '@symgrad/runtime-webgpu';

export interface WebGpuTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** A file to write a checkpoint to after every epoch, atomically. */
  readonly checkpoint?: string;
  /** Continue from this checkpoint: its weights, batch order and history. */
  readonly resume?: Checkpoint;
  readonly onBatch: (epoch: number, step: number, steps: number, loss: number) => void;
  readonly onEpoch: (record: EpochRecord) => void;
}

/**
 * Mini-batch gradient descent on a WebGPU device, in the very batch order the CPU runtime
 * draws for the same seed (the same generator, the same shuffle), starting from the CPU
 * model's weights or the checkpoint's: the two loss curves agree but for float rounding. Each
 * step is one submission on the device; after each epoch the weights come back to the CPU
 * model, which scores the held-out set and goes into the checkpoint. SGD keeps no state but
 * the weights, so a run resumed on the same adapter ends on the uninterrupted run's weights.
 *
 * TODO: this loop repeats the CPU trainer's epoch logic; a trainer in
 * `@symgrad/runtime-webgpu` should own it, once that package may depend on the checkpoint
 * format, which lives in `@symgrad/runtime-cpu`.
 */
export async function trainOnWebGpu(
  graph: Graph,
  reference: CpuModel,
  data: { train: Dataset; test: Dataset },
  options: WebGpuTraining,
): Promise<EpochRecord[]> {
  const { resume } = options;
  const random = new Random(options.seed);
  const history: EpochRecord[] = [];
  if (resume !== undefined) {
    reference.setWeights(resume.weights, resume.file);
    random.state = resume.rngState;
    history.push(...resume.history);
  }

  const device = await requestDevice();
  const model = await WebGpuModel.compile(graph, device, { maxBatch: options.batchSize });
  try {
    await model.setWeights(reference.weights());
    const order = new Uint32Array(data.train.size);
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= options.epochs; epoch += 1) {
      random.permute(order);
      const record = await trainEpoch(model, data.train, order, epoch, options);
      reference.setWeights(await model.weights());
      const held = reference.evaluate(data.test, options.batchSize);
      const scored = { ...record, testLoss: held.loss, testAccuracy: held.accuracy };
      history.push(scored);
      if (options.checkpoint !== undefined) {
        saveCheckpoint(
          options.checkpoint,
          checkpointOf(graph, reference, options, random, history),
        );
      }
      options.onEpoch(scored);
    }
    return history;
  } finally {
    model.destroy();
    device.destroy();
  }
}

/** The run after its last epoch in `history`, with the weights the CPU model holds. */
function checkpointOf(
  graph: Graph,
  reference: CpuModel,
  options: WebGpuTraining,
  random: Random,
  history: readonly EpochRecord[],
): Checkpoint {
  return {
    format: 'symgrad-checkpoint',
    version: 1,
    graph: graph.name,
    epoch: history.length,
    rngState: random.state,
    seed: options.seed,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    threads: 1,
    backend: 'webgpu',
    weights: reference.weights(),
    history: [...history],
  };
}

async function trainEpoch(
  model: WebGpuModel,
  train: Dataset,
  order: Uint32Array,
  epoch: number,
  options: WebGpuTraining,
): Promise<EpochRecord> {
  const inputSize = train.inputs.length / train.size;
  const targetSize = train.targets.length / train.size;
  const inputs = new Float32Array(options.batchSize * inputSize);
  const targets = new Float32Array(options.batchSize * targetSize);
  const steps = Math.ceil(train.size / options.batchSize);
  const began = performance.now();
  let lossTotal = 0;
  for (let step = 1; step <= steps; step += 1) {
    const start = (step - 1) * options.batchSize;
    const batch = Math.min(options.batchSize, train.size - start);
    for (let k = 0; k < batch; k += 1) {
      const example = order[start + k] as number;
      inputs.set(
        train.inputs.subarray(example * inputSize, (example + 1) * inputSize),
        k * inputSize,
      );
      targets.set(
        train.targets.subarray(example * targetSize, (example + 1) * targetSize),
        k * targetSize,
      );
    }
    const loss = await model.trainStep(inputs, targets, batch, options.learningRate);
    lossTotal += loss * batch;
    options.onBatch(epoch, step, steps, loss);
  }
  const ms = performance.now() - began;
  // Training accuracy would need the outputs read back every step; the held-out set is scored.
  return { epoch, loss: lossTotal / train.size, accuracy: Number.NaN, ms, steps };
}
