import type { Graph } from '@symgrad/compiler';
import type { Dataset } from '@symgrad/datasets';
import { type CpuModel, type EpochRecord, Random } from '@symgrad/runtime-cpu';
import { requestDevice, WebGpuModel } from '@symgrad/runtime-webgpu';

export interface WebGpuTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly onBatch: (epoch: number, step: number, steps: number, loss: number) => void;
  readonly onEpoch: (record: EpochRecord) => void;
}

/**
 * Mini-batch gradient descent on a WebGPU device, in the very batch order the CPU runtime
 * draws for the same seed (the same generator, the same shuffle), starting from the CPU
 * model's weights: the two loss curves agree but for float rounding. Each step is one
 * submission on the device; after each epoch the weights come back to the CPU model, which
 * scores the held-out set.
 *
 * TODO: this loop repeats the CPU trainer's epoch logic, without checkpoints; a trainer in
 * `@symgrad/runtime-webgpu` should own it. Meanwhile `--checkpoint` and `--resume` are CPU only.
 */
export async function trainOnWebGpu(
  graph: Graph,
  reference: CpuModel,
  data: { train: Dataset; test: Dataset },
  options: WebGpuTraining,
): Promise<EpochRecord[]> {
  const device = await requestDevice();
  const model = await WebGpuModel.compile(graph, device, { maxBatch: options.batchSize });
  try {
    await model.setWeights(reference.weights());
    const random = new Random(options.seed);
    const order = new Uint32Array(data.train.size);
    const history: EpochRecord[] = [];
    for (let epoch = 1; epoch <= options.epochs; epoch += 1) {
      random.permute(order);
      const record = await trainEpoch(model, data.train, order, epoch, options);
      reference.setWeights(await model.weights());
      const held = reference.evaluate(data.test, options.batchSize);
      const scored = { ...record, testLoss: held.loss, testAccuracy: held.accuracy };
      history.push(scored);
      options.onEpoch(scored);
    }
    return history;
  } finally {
    model.destroy();
    device.destroy();
  }
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
