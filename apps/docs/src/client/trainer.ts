import type { Graph } from '@symgrad/compiler';
import { CpuModel } from '@symgrad/runtime-cpu';
import { requestDevice, WebGpuModel } from '@symgrad/runtime-webgpu';
import type { Digits } from './mnist.js';

export type Backend = 'webgpu' | 'cpu';

/** A compiled model that trains on batches and scores held-out digits. */
export interface Trainer {
  readonly backend: Backend;
  /** One step of gradient descent; resolves to the batch's mean loss before it. */
  step(inputs: Float32Array, targets: Float32Array, batch: number, rate: number): Promise<number>;
  /** The share of `digits` whose largest output is their label. */
  accuracy(digits: Digits): Promise<number>;
  destroy(): void;
}

/** The seed of the initial weights, so that two runs of one graph start alike. */
const SEED = 1;

/**
 * Compiles `graph` for the backend asked for. `auto` takes WebGPU where the browser offers an
 * adapter and the CPU runtime otherwise. Weights start from Keras's initialisers; on WebGPU
 * the CPU model draws them and scores the held-out digits with the trained weights.
 */
export async function createTrainer(
  graph: Graph,
  choice: Backend | 'auto',
  maxBatch: number,
): Promise<Trainer> {
  const scorer = CpuModel.compile(graph, { maxBatch });
  scorer.initialize(SEED);
  if (choice === 'cpu' || (choice === 'auto' && !(await hasAdapter()))) return cpuTrainer(scorer);
  if (choice === 'webgpu') return webGpuTrainer(graph, scorer, maxBatch);

  // An adapter is no promise of a device that takes this graph (its limits may be too small).
  try {
    return await webGpuTrainer(graph, scorer, maxBatch);
  } catch {
    return cpuTrainer(scorer);
  }
}

async function hasAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (gpu === undefined) return false;
  return (await gpu.requestAdapter().catch(() => null)) !== null;
}

function cpuTrainer(model: CpuModel): Trainer {
  return {
    backend: 'cpu',
    step: async (inputs, targets, batch, rate) => model.trainStep(inputs, targets, batch, rate),
    accuracy: async (digits) => model.evaluate(digits).accuracy,
    destroy: () => {},
  };
}

async function webGpuTrainer(graph: Graph, scorer: CpuModel, maxBatch: number): Promise<Trainer> {
  const device = await requestDevice();
  let model: WebGpuModel | undefined;
  try {
    model = await WebGpuModel.compile(graph, device, { maxBatch });
    await model.setWeights(scorer.weights());
  } catch (error) {
    model?.destroy();
    device.destroy();
    throw error;
  }
  const compiled = model;
  return {
    backend: 'webgpu',
    step: (inputs, targets, batch, rate) => compiled.trainStep(inputs, targets, batch, rate),
    accuracy: async (digits) => {
      scorer.setWeights(await compiled.weights());
      return scorer.evaluate(digits).accuracy;
    },
    destroy: () => {
      compiled.destroy();
      device.destroy();
    },
  };
}

/**
 * Batches drawn without replacement, reshuffled each pass, from a seeded generator.
 *
 * TODO: use `shuffledIndices` and `mulberry32` of `@symgrad/datasets` once its index stops
 * importing `node:fs` (through the MNIST loader); meanwhile the site keeps this copy.
 */
export class BatchSampler {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  #order: Uint32Array;
  #next = 0;
  #state: number;

  constructor(
    readonly digits: Digits,
    readonly batch: number,
    seed: number,
  ) {
    this.inputs = new Float32Array(batch * 784);
    this.targets = new Float32Array(batch * 10);
    this.#order = Uint32Array.from({ length: digits.size }, (_, k) => k);
    this.#state = seed >>> 0;
    this.#shuffle();
  }

  /** Fills `inputs` and `targets` with the next batch. */
  draw(): void {
    for (let row = 0; row < this.batch; row += 1) {
      if (this.#next === this.#order.length) this.#shuffle();
      const example = this.#order[this.#next++] as number;
      this.inputs.set(this.digits.inputs.subarray(example * 784, (example + 1) * 784), row * 784);
      this.targets.set(this.digits.targets.subarray(example * 10, (example + 1) * 10), row * 10);
    }
  }

  /** Fisher-Yates with mulberry32. */
  #shuffle(): void {
    for (let k = this.#order.length - 1; k > 0; k -= 1) {
      const j = Math.floor(this.#random() * (k + 1));
      [this.#order[k], this.#order[j]] = [this.#order[j] as number, this.#order[k] as number];
    }
    this.#next = 0;
  }

  #random(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
