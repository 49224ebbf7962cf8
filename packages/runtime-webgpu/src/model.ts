import {
  compileWgsl,
  type Graph,
  InvariantError,
  PARAMS,
  type WgslProgram,
  type WgslShader,
} from '@symgrad/compiler';
import { DataError, DeviceLostError } from './errors.js';
import {
  BufferUsage,
  checkLimits,
  createResources,
  encodePasses,
  firstLine,
  MAP_READ,
  type Pass,
  type Resources,
} from './resources.js';
import {
  checkWeights,
  elementCount,
  type Float32Tensor,
  type Tensor,
  type WeightSlot,
  type WeightTensors,
} from './tensor.js';

export interface WebGpuModelOptions {
  /** The largest batch: every per-example buffer is created once, for this many examples. */
  readonly maxBatch: number;
  /**
   * Tile the matrix products (dense layers) in workgroup memory. By default, on every adapter
   * but a fallback one (a software adapter such as SwiftShader, where barriers cost more than
   * the loads that tiles save).
   */
  readonly tileProducts?: boolean;
}

/** How long a failed call waits to learn whether the device was lost meanwhile. */
const LOST_GRACE_MS = 100;

/** Where a region of the read-back buffer starts, in floats, and how many it holds. */
interface Region {
  readonly offset: number;
  readonly floats: number;
}

/**
 * A layer graph compiled to WGSL and living on a WebGPU device. Buffers, pipelines and bind
 * groups are created once, in `compile`; a training step is one submission of every kernel
 * and every weight's update, and reads back only the per-example losses. Weights use Keras
 * names and layouts (`conv1/kernel`, `[kh, kw, in, out]`), as in the CPU runtime.
 *
 * Calls run one at a time, in the order they were made. If the device is lost, the pending
 * call and every later one reject with `DeviceLostError`.
 *
 * @example
 * const device = await requestDevice();
 * const model = await WebGpuModel.compile(graph, device, { maxBatch: 32 });
 * model.setWeights(weights);
 * const loss = await model.trainStep(inputs, targets, 32, 0.05);
 */
export class WebGpuModel {
  readonly name: string;
  readonly program: WgslProgram;
  readonly maxBatch: number;
  /** The graph's learning rate, used when a step gives none. */
  readonly learningRate: number;
  readonly weightSlots: readonly WeightSlot[];
  readonly #device: GPUDevice;
  readonly #resources: Resources;
  readonly #readback: GPUBuffer;
  readonly #gradientRegions: ReadonlyMap<string, Region>;
  readonly #weightRegions: ReadonlyMap<string, Region>;
  readonly #whenLost: Promise<never>;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    program: WgslProgram,
    device: GPUDevice,
    resources: Resources,
    maxBatch: number,
    learningRate: number,
  ) {
    this.name = program.name;
    this.program = program;
    this.maxBatch = maxBatch;
    this.learningRate = learningRate;
    this.#device = device;
    this.#resources = resources;
    this.weightSlots = program.weights.map((w) => ({ ...w, size: elementCount(w.shape) }));

    // The read-back buffer: the losses of a batch, then every gradient, then every weight.
    let offset = maxBatch;
    const region = (floats: number) => {
      const placed = { offset, floats };
      offset += floats;
      return placed;
    };
    this.#gradientRegions = new Map(this.weightSlots.map((w) => [w.name, region(w.size)]));
    this.#weightRegions = new Map(this.weightSlots.map((w) => [w.name, region(w.size)]));
    this.#readback = device.createBuffer({
      label: 'readback',
      size: offset * 4,
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    this.#whenLost = device.lost.then((info) => {
      throw new DeviceLostError(
        `the WebGPU device was lost (${info.reason}): ${firstLine(info.message) || 'no reason given'}; request a new device and compile the model again`,
      );
    });
    this.#whenLost.catch(() => {});
  }

  /**
   * Derives the graph, emits its shaders and creates everything on `device`. Throws
   * `DeviceLimitError` naming the tensor when a buffer for `maxBatch` examples exceeds the
   * device's `maxStorageBufferBindingSize`.
   */
  static async compile(
    graph: Graph,
    device: GPUDevice,
    options: WebGpuModelOptions,
  ): Promise<WebGpuModel> {
    const { maxBatch } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new DataError(
        'E_DATA_BATCH',
        `maxBatch ${maxBatch} must be a whole number of at least 1`,
      );
    }
    const tileProducts = options.tileProducts ?? !isFallbackAdapter(device);
    const { program } = compileWgsl(graph, { tileProducts });
    checkLimits(program, device.limits, maxBatch);
    const resources = await createResources(device, program, maxBatch);
    return new WebGpuModel(program, device, resources, maxBatch, graph.optimizer.learningRate);
  }

  /**
   * Replaces every weight, after checking them all (names, Keras shapes, finite values): the
   * check throws at once, the copy runs in turn with the other calls.
   */
  setWeights(weights: WeightTensors): Promise<void> {
    checkWeights(this.name, this.weightSlots, weights);
    const values = this.weightSlots.map((slot) => {
      return [slot.buffer, Float32Array.from((weights[slot.name] as Tensor).data)] as const;
    });
    return this.#exclusive(async () => {
      for (const [buffer, data] of values) {
        this.#device.queue.writeBuffer(this.#buffer(buffer), 0, data);
      }
    });
  }

  /** A copy of every weight, by name, in its Keras shape. */
  weights(): Promise<Record<string, Float32Tensor>> {
    return this.#exclusive(async () => {
      const encoder = this.#device.createCommandEncoder();
      for (const slot of this.weightSlots) {
        this.#copyOut(encoder, slot.buffer, this.#weightRegions.get(slot.name) as Region);
      }
      const values = await this.#submitAndRead([encoder.finish()], this.#end(this.#weightRegions));
      return this.#tensors(values, this.#weightRegions);
    });
  }

  /**
   * The mean loss of the first `batch` examples of `inputs` and `targets` (row-major, one
   * example after another) and the gradient of every weight, before any update.
   */
  gradients(
    inputs: ArrayLike<number>,
    targets: ArrayLike<number>,
    batch: number,
  ): Promise<{ loss: number; gradients: Record<string, Float32Tensor> }> {
    this.#checkBatch(inputs, targets, batch);
    return this.#exclusive(async () => {
      this.#writeBatch(inputs, targets, batch, { learningRate: 0, update: false });
      const encoder = this.#device.createCommandEncoder();
      encodePasses(encoder, this.#phases(['forward', 'loss', 'backward']), batch);
      this.#copyOut(encoder, this.program.loss, { offset: 0, floats: batch });
      for (const slot of this.weightSlots) {
        this.#copyOut(encoder, slot.gradient, this.#gradientRegions.get(slot.name) as Region);
      }
      const values = await this.#submitAndRead(
        [encoder.finish()],
        this.#end(this.#gradientRegions),
      );
      return {
        loss: meanLoss(values, batch),
        gradients: this.#tensors(values, this.#gradientRegions),
      };
    });
  }

  /**
   * One step of gradient descent on the first `batch` examples, `w <- w - learningRate * dL/dw`
   * for every weight, in one submission. Resolves to the mean loss before the update.
   */
  trainStep(
    inputs: ArrayLike<number>,
    targets: ArrayLike<number>,
    batch: number,
    learningRate = this.learningRate,
  ): Promise<number> {
    this.#checkBatch(inputs, targets, batch);
    if (!Number.isFinite(learningRate)) {
      throw new DataError(
        'E_DATA_LEARNING_RATE',
        `learning rate ${learningRate} must be a finite number`,
      );
    }
    return this.#exclusive(async () => {
      this.#writeBatch(inputs, targets, batch, { learningRate, update: true });
      const encoder = this.#device.createCommandEncoder();
      encodePasses(encoder, this.#phases(['forward', 'loss', 'backward', 'update']), batch);
      this.#copyOut(encoder, this.program.loss, { offset: 0, floats: batch });
      const values = await this.#submitAndRead([encoder.finish()], batch);
      return meanLoss(values, batch);
    });
  }

  /** Frees the model's buffers; the model cannot run afterwards. */
  destroy(): void {
    for (const buffer of this.#resources.buffers.values()) buffer.destroy();
    this.#resources.params.destroy();
    this.#readback.destroy();
  }

  /** Runs `task` after every earlier call has finished; rejects at once if the device is lost. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return Promise.race([run.catch((error: unknown) => this.#explain(error)), this.#whenLost]);
  }

  /**
   * A call that fails while the device is being lost (a mapping aborted, say) reports the
   * loss, which says what to do; `device.lost` settles within moments of the failure.
   */
  async #explain(error: unknown): Promise<never> {
    const grace = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), LOST_GRACE_MS),
    );
    const lost = await Promise.race([this.#whenLost.catch((loss: unknown) => loss), grace]);
    throw lost ?? error;
  }

  #checkBatch(inputs: ArrayLike<number>, targets: ArrayLike<number>, batch: number): void {
    if (!Number.isInteger(batch) || batch < 1 || batch > this.maxBatch) {
      throw new DataError(
        'E_DATA_BATCH',
        `batch size ${batch} must be a whole number from 1 to ${this.maxBatch}, the maxBatch model '${this.name}' was compiled for`,
      );
    }
    for (const [data, identifier, noun] of [
      [inputs, this.program.input, 'inputs'],
      [targets, this.program.target, 'targets'],
    ] as const) {
      const needed = batch * this.#floats(identifier);
      if (data.length < needed) {
        throw new DataError(
          'E_DATA_SIZE',
          `the ${noun} hold ${data.length} values, a batch of ${batch} examples of graph '${this.name}' needs ${needed}`,
        );
      }
    }
  }

  /**
   * Copies the batch and the params to the device: the batch size, the learning rate, and
   * whether the kernels that compute weight gradients update the weights too.
   */
  #writeBatch(
    inputs: ArrayLike<number>,
    targets: ArrayLike<number>,
    batch: number,
    step: { learningRate: number; update: boolean },
  ) {
    const { queue } = this.#device;
    for (const [data, identifier] of [
      [inputs, this.program.input],
      [targets, this.program.target],
    ] as const) {
      const floats = batch * this.#floats(identifier);
      queue.writeBuffer(this.#buffer(identifier), 0, float32Prefix(data, floats));
    }
    const params = new ArrayBuffer(PARAMS.size);
    new Uint32Array(params, PARAMS.fields.batch.offset, 1)[0] = batch;
    new Float32Array(params, PARAMS.fields.learningRate.offset, 1)[0] = step.learningRate;
    new Uint32Array(params, PARAMS.fields.update.offset, 1)[0] = step.update ? 1 : 0;
    queue.writeBuffer(this.#resources.params, 0, params);
  }

  #phases(phases: readonly WgslShader['phase'][]): Pass[] {
    return phases.flatMap((phase) =>
      this.program.order[phase].map((name) => this.#resources.passes.get(name) as Pass),
    );
  }

  #copyOut(encoder: GPUCommandEncoder, identifier: string, region: Region): void {
    const source = this.#buffer(identifier);
    encoder.copyBufferToBuffer(source, 0, this.#readback, region.offset * 4, region.floats * 4);
  }

  /**
   * Submits, then maps the first `floats` of the read-back buffer and copies them out. A
   * validation error in the submission is a bug in symgrad and says so.
   */
  async #submitAndRead(commands: GPUCommandBuffer[], floats: number): Promise<Float32Array> {
    this.#device.pushErrorScope('validation');
    this.#device.queue.submit(commands);
    const invalid = await this.#device.popErrorScope();
    if (invalid !== null) {
      throw new InvariantError(
        `WebGPU refused a step of '${this.name}': ${firstLine(invalid.message)}`,
      );
    }
    await this.#readback.mapAsync(MAP_READ, 0, floats * 4);
    const values = new Float32Array(this.#readback.getMappedRange(0, floats * 4).slice(0));
    this.#readback.unmap();
    return values;
  }

  #tensors(values: Float32Array, regions: ReadonlyMap<string, Region>) {
    const tensors: Record<string, Float32Tensor> = {};
    for (const slot of this.weightSlots) {
      const { offset, floats } = regions.get(slot.name) as Region;
      tensors[slot.name] = { shape: [...slot.shape], data: values.slice(offset, offset + floats) };
    }
    return tensors;
  }

  #end(regions: ReadonlyMap<string, Region>): number {
    return Math.max(this.maxBatch, ...[...regions.values()].map((r) => r.offset + r.floats));
  }

  #floats(identifier: string): number {
    const buffer = this.program.buffers.find((b) => b.identifier === identifier);
    if (buffer === undefined) throw new InvariantError(`no buffer '${identifier}'`);
    return buffer.floats;
  }

  #buffer(identifier: string): GPUBuffer {
    const buffer = this.#resources.buffers.get(identifier);
    if (buffer === undefined) throw new InvariantError(`no buffer '${identifier}'`);
    return buffer;
  }
}

/** The batch loss: the mean of the per-example losses, summed in float64. */
function meanLoss(values: Float32Array, batch: number): number {
  let total = 0;
  for (let example = 0; example < batch; example += 1) total += values[example] as number;
  return total / batch;
}

/** The first `floats` values as a Float32Array, without a copy when they already are one. */
function float32Prefix(data: ArrayLike<number>, floats: number): Float32Array {
  if (data instanceof Float32Array) return data.subarray(0, floats);
  const prefix = new Float32Array(floats);
  for (let k = 0; k < floats; k += 1) prefix[k] = data[k] as number;
  return prefix;
}

/** Whether the device runs on a fallback adapter, as SwiftShader is: a CPU, not a GPU. */
function isFallbackAdapter(device: GPUDevice): boolean {
  const info = (device as { adapterInfo?: { isFallbackAdapter?: boolean } }).adapterInfo;
  return info?.isFallbackAdapter === true;
}
