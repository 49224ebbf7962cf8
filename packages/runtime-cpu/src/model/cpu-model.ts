import {
  checkWeightValues,
  compileJavaScript,
  type GeneratedModel,
  type Graph,
  instantiateScript,
} from '@symgrad/compiler';
import { DataError, NonFiniteError, TrainingError } from '../errors.js';
import { DataParallel, type ModuleSource } from '../parallel/data-parallel.js';
import { Random } from '../random.js';
import {
  allFinite,
  type Float32Tensor,
  firstNonFinite,
  formatShape,
  nonFiniteName,
  type Tensor,
  type WeightTensors,
} from '../tensor.js';
import { describeFinding, findNonFinite } from './diagnose.js';
import { initialWeight } from './initialize.js';
import { loadGeneratedModule, type ModelLayout, modelLayout, type WeightSlot } from './layout.js';
import { batchSizeOf, checkBatchArray } from './validate.js';

export interface CpuModelOptions {
  /** Batch buffers are allocated for this many examples; a larger batch reallocates once. */
  readonly maxBatch?: number;
  /** The learning rate when a call gives none; the graph's optimizer's by default. */
  readonly learningRate?: number;
  /** Where the module came from, for messages. */
  readonly file?: string;
  /**
   * Threads that share each batch, the calling one included: 2 splits every batch in two
   * halves computed at once, with the same results as 1 up to float32 rounding. 1 by default.
   * Above 1, call `dispose()` when done with the model.
   */
  readonly threads?: number;
}

/** Labelled examples one after another, row-major; a `Dataset` of `@symgrad/datasets` is one. */
export interface Examples {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly size: number;
}

/** Where a step runs, for the message if it goes wrong. */
export interface StepPosition {
  readonly epoch?: number;
  /** Counted from 1, within the epoch when `epoch` is given. */
  readonly step: number;
}

export interface KernelTime {
  readonly name: string;
  readonly phase: 'forward' | 'loss' | 'backward';
  readonly layer: string | undefined;
  /** Mean milliseconds per run. */
  readonly ms: number;
}

type State = Record<string, Float32Array>;

/**
 * A layer graph compiled to TypeScript and running in this process. It owns one set of
 * buffers, sized for the largest batch, and copies every batch into them: a training step
 * allocates nothing. Weights use Keras names and layouts (`conv1/kernel`, `[kh, kw, in, out]`).
 */
export class CpuModel {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** The weights in the module's order, with their layers and Keras shapes. */
  readonly weightSlots: readonly WeightSlot[];
  readonly learningRate: number | undefined;
  readonly #generated: GeneratedModel;
  readonly #layout: ModelLayout;
  /** Absent with one thread, and once disposed. */
  #parallel: DataParallel | undefined;
  #state: State;
  #capacity: number;
  /** Updates since the weights were last set: 0 means a NaN comes from the weights as given. */
  #updates = 0;
  #trainSteps = 0;

  private constructor(
    generated: GeneratedModel,
    source: ModuleSource,
    graph: Graph | undefined,
    options: CpuModelOptions,
  ) {
    const file = options.file ?? (graph ? `the module of graph '${graph.name}'` : 'the module');
    this.#generated = generated;
    this.#layout = modelLayout(generated, graph, file);
    this.name = this.#layout.name;
    this.inputShape = this.#layout.input.shape;
    this.outputShape = this.#layout.output.shape;
    this.weightSlots = this.#layout.weights;
    this.learningRate =
      options.learningRate ?? graph?.optimizer.learningRate ?? generated.model.learningRate;
    this.#capacity = checkedCapacity(options.maxBatch ?? 64);
    const threads = checkedThreads(options.threads ?? 1);
    this.#parallel = threads > 1 ? new DataParallel(generated, source, threads) : undefined;
    try {
      this.#state = this.#allocate(this.#capacity);
    } catch (error) {
      // A model that cannot hold its buffers is never returned: its threads end here.
      void this.#parallel?.dispose();
      throw error;
    }
  }

  /** Derives, emits and loads a graph's training code (as JavaScript: no transpiler runs). */
  static compile(graph: Graph, options: CpuModelOptions = {}): CpuModel {
    const text = compileJavaScript(graph).module.source;
    const source: ModuleSource = { text, instantiate: 'instantiateScript' };
    return new CpuModel(instantiateScript(text), source, graph, options);
  }

  /**
   * Loads a module written by `symgrad emit --target ts`. With `graph`, the module must have
   * been emitted from it, and the graph supplies the learning rate and the weights' layers.
   */
  static fromGeneratedSource(source: string, graph?: Graph, options: CpuModelOptions = {}) {
    const generated = loadGeneratedModule(source, options.file ?? 'the generated module');
    const module: ModuleSource = { text: source, instantiate: 'instantiateTypeScript' };
    return new CpuModel(generated, module, graph, options);
  }

  /** The threads that compute each batch: 1 unless asked for more, and after `dispose()`. */
  get threads(): number {
    return this.#parallel?.threads ?? 1;
  }

  /**
   * Ends the worker threads of a model compiled with `threads` above 1, resolving once they
   * have exited; the model then computes on the calling thread alone. Idle workers never keep
   * the process alive, but a long-lived process should dispose of the models it drops.
   */
  async dispose(): Promise<void> {
    const parallel = this.#parallel;
    this.#parallel = undefined;
    await parallel?.dispose();
  }

  /** The batch size the buffers hold now. */
  get maxBatch(): number {
    return this.#capacity;
  }

  /** A copy of every weight, by name, in its Keras shape. */
  weights(): Record<string, Float32Tensor> {
    const copies: Record<string, Float32Tensor> = {};
    for (const weight of this.weightSlots) {
      const data = this.#buffer(weight.buffer).slice(0, weight.size);
      copies[weight.name] = { shape: [...weight.shape], data };
    }
    return copies;
  }

  /**
   * Replaces every weight, after checking them all: each present, none unknown, exact Keras
   * shapes, finite values. Throws `WeightsError` naming `file` and the weight.
   */
  setWeights(weights: WeightTensors, file?: string): void {
    checkWeightValues(this.name, this.weightSlots, weights, file);
    for (const weight of this.weightSlots) {
      const values = weights[weight.name]?.data ?? [];
      this.#buffer(weight.buffer).set(values);
    }
    this.#updates = 0;
  }

  /**
   * Keras's defaults: Glorot-uniform kernels and einsum weights, zero biases, drawn from a
   * generator seeded with `seed`, weight after weight in the module's order.
   */
  initialize(seed: number): void {
    const random = new Random(seed);
    for (const weight of this.weightSlots)
      initialWeight(weight, random, this.#buffer(weight.buffer));
    this.#updates = 0;
  }

  /**
   * The mean loss of a batch and the gradient of every weight, before any update. `inputs`
   * is `[batch, ...inputShape]` and `targets` `[batch, ...outputShape]`; `files` names them
   * in messages.
   */
  gradients(
    inputs: Tensor,
    targets: Tensor,
    files: { inputs?: string; targets?: string } = {},
  ): { loss: number; gradients: Record<string, Float32Tensor> } {
    const batch = this.checkBatch(inputs, targets, files);
    this.#ensureCapacity(batch);
    this.#state[this.#layout.input.identifier]?.set(inputs.data);
    this.#state[this.#layout.target.identifier]?.set(targets.data);

    const loss = this.#forwardBackward(batch, null);
    const gradients: Record<string, Float32Tensor> = {};
    for (const weight of this.weightSlots) {
      const data = this.#buffer(weight.gradient).slice(0, weight.size);
      gradients[weight.name] = { shape: [...weight.shape], data };
    }
    return { loss, gradients };
  }

  /** One step of gradient descent on the first `batch` examples of the arrays; the loss before it. */
  trainStep(
    inputs: Float32Array,
    targets: Float32Array,
    batch: number,
    learningRate = this.#defaultLearningRate(),
  ): number {
    checkBatchArray(inputs, batch, this.#layout.input.size, 'the inputs');
    checkBatchArray(targets, batch, this.#layout.target.size, 'the targets');
    this.#ensureCapacity(batch);
    this.#copyRows(inputs, this.#layout.input.identifier, this.#layout.input.size, null, 0, batch);
    this.#copyRows(
      targets,
      this.#layout.target.identifier,
      this.#layout.target.size,
      null,
      0,
      batch,
    );
    this.#trainSteps += 1;
    return this.step(batch, learningRate, { step: this.#trainSteps });
  }

  /** The outputs for the first `batch` inputs, one row of `outputShape` per example. */
  predict(inputs: Float32Array, batch: number): Float32Array {
    checkBatchArray(inputs, batch, this.#layout.input.size, 'the inputs');
    this.#ensureCapacity(batch);
    this.#copyRows(inputs, this.#layout.input.identifier, this.#layout.input.size, null, 0, batch);
    this.#generated.predict(this.#state, batch);
    return this.#buffer(this.#layout.output.identifier).slice(0, batch * this.#layout.output.size);
  }

  /** Mean loss and accuracy (largest output at the largest target) over a data set. */
  evaluate(examples: Examples, batchSize = this.#capacity): { loss: number; accuracy: number } {
    this.checkExamples(examples, 'the evaluation data');
    if (examples.size === 0 || !Number.isInteger(batchSize) || batchSize < 1) {
      throw new DataError(
        'E_DATA_BATCH',
        `evaluation needs at least one example and a batch size of at least 1, not ${examples.size} examples in batches of ${batchSize}`,
      );
    }
    this.#ensureCapacity(Math.min(batchSize, examples.size));
    let lossTotal = 0;
    let correct = 0;
    for (let start = 0; start < examples.size; start += batchSize) {
      const batch = Math.min(batchSize, examples.size - start);
      this.loadExamples(examples, null, start, batch);
      lossTotal += this.#forward(batch) * batch;
      correct += this.countCorrect(batch);
    }
    return { loss: lossTotal / examples.size, accuracy: correct / examples.size };
  }

  /**
   * Copies `batch` examples into the batch buffers: `order[start + k]` (or `start + k` without
   * an order) becomes example `k`. For training loops; `step` then trains on them.
   */
  loadExamples(examples: Examples, order: Uint32Array | null, start: number, batch: number): void {
    this.#ensureCapacity(batch);
    const { input, target } = this.#layout;
    this.#copyRows(examples.inputs, input.identifier, input.size, order, start, batch);
    this.#copyRows(examples.targets, target.identifier, target.size, order, start, batch);
  }

  /**
   * Forward, backward and update on the loaded batch; returns the loss before the update.
   * A NaN or an infinity in the loss or a gradient stops it before the update, with a
   * `NonFiniteError` naming the first tensor and layer that held one.
   */
  step(batch: number, learningRate: number, position: StepPosition): number {
    const loss = this.#forwardBackward(batch, position, learningRate);
    this.#generated.update(this.#state, learningRate);
    this.#updates += 1;
    this.#checkWeightsAfterUpdate(position, learningRate);
    return loss;
  }

  /** How many loaded examples have their largest output where their target is largest. */
  countCorrect(batch: number): number {
    const { output, target } = this.#layout;
    const outputs = this.#buffer(output.identifier);
    const targets = this.#buffer(target.identifier);
    let correct = 0;
    for (let example = 0; example < batch; example += 1) {
      const predicted = argmax(outputs, example * output.size, output.size);
      if (predicted === argmax(targets, example * target.size, target.size)) correct += 1;
    }
    return correct;
  }

  /** Throws `DataError` unless every example has as many values as the graph's input and output. */
  checkExamples(examples: Examples, what: string): void {
    const { input, target } = this.#layout;
    for (const [data, slot, noun] of [
      [examples.inputs, input, 'inputs'],
      [examples.targets, target, 'targets'],
    ] as const) {
      if (data.length !== examples.size * slot.size) {
        throw new DataError(
          'E_DATA_SIZE',
          `${what} hold ${data.length} ${noun} values for ${examples.size} examples, graph '${this.name}' needs ${slot.size} per example (shape ${formatShape(slot.shape)})`,
        );
      }
    }
  }

  /**
   * Times every kernel on the loaded batch, `repeats` times, in the order a step runs them
   * (the update excluded), for finding where a step spends its time.
   */
  profileKernels(batch: number, repeats = 1): KernelTime[] {
    const totals = this.#generated.kernels.map(() => 0);
    for (let round = 0; round < repeats; round += 1) {
      this.#generated.kernels.forEach((kernel, index) => {
        const began = performance.now();
        kernel.run(this.#state, batch);
        totals[index] = (totals[index] ?? 0) + performance.now() - began;
      });
    }
    return this.#generated.kernels.map((kernel, index) => ({
      name: kernel.name,
      phase: kernel.phase,
      layer: kernel.layer,
      ms: (totals[index] ?? 0) / repeats,
    }));
  }

  /** Forward and backward; a NaN or infinity in the loss or a gradient is diagnosed. */
  #forwardBackward(batch: number, position: StepPosition | null, learningRate?: number): number {
    const loss = this.#computeGradients(batch);
    if (Number.isFinite(loss) && this.#gradientsFinite()) return loss;

    const finding = findNonFinite(this.#generated, this.#layout, this.#state, batch);
    const what = finding ? describeFinding(finding) : `the loss is ${loss}`;
    const remedy = this.#remedy(finding?.role, learningRate);
    throw new NonFiniteError(`${failedAt(position)}: ${what}; ${remedy}`, finding);
  }

  /** The mean loss of the loaded batch; every per-example buffer filled, the output's included. */
  #forward(batch: number): number {
    if (this.#parallel !== undefined) return this.#parallel.forward(batch);
    return this.#generated.forward(this.#state, batch);
  }

  /** The mean loss, and the mean-loss gradients in the gradient buffers. */
  #computeGradients(batch: number): number {
    if (this.#parallel !== undefined) return this.#parallel.forwardBackward(batch);
    const loss = this.#generated.forward(this.#state, batch);
    this.#generated.backward(this.#state, batch);
    return loss;
  }

  #gradientsFinite(): boolean {
    for (const weight of this.weightSlots) {
      if (!allFinite(this.#buffer(weight.gradient), weight.size)) return false;
    }
    return true;
  }

  /** An update whose step overflowed float32 leaves a weight infinite: named, not carried on. */
  #checkWeightsAfterUpdate(position: StepPosition, learningRate: number): void {
    for (const weight of this.weightSlots) {
      const values = this.#buffer(weight.buffer);
      if (allFinite(values, weight.size)) continue;
      const value = nonFiniteName(values[firstNonFinite(values, 0, weight.size)] as number);
      const finding = { tensor: weight.name, layer: weight.layer, role: 'weight', value };
      throw new NonFiniteError(
        `${failedAt(position)}: the update left the weight '${weight.name}' of layer ${weight.layer} holding ${value}; lower the learning rate (now ${learningRate})`,
        finding,
      );
    }
  }

  #remedy(role: string | undefined, learningRate: number | undefined): string {
    if (role === 'input' || role === 'target') return 'fix that example in the data';
    if (this.#updates > 0 && learningRate !== undefined) {
      return `lower the learning rate (now ${learningRate})`;
    }
    return 'the weights as set overflow float32 here: scale them down, or check the inputs';
  }

  /**
   * The batch size of `inputs` and `targets`, after checking both against the graph's shapes;
   * `files` names them in messages.
   */
  checkBatch(
    inputs: Tensor,
    targets: Tensor,
    files: { inputs?: string; targets?: string } = {},
  ): number {
    const inputsName = files.inputs === undefined ? 'the inputs' : `inputs '${files.inputs}'`;
    const targetsName = files.targets === undefined ? 'the targets' : `targets '${files.targets}'`;
    const batch = batchSizeOf(inputs, this.inputShape, inputsName, this.name);
    const targetBatch = batchSizeOf(targets, this.outputShape, targetsName, this.name);
    if (targetBatch !== batch) {
      throw new DataError(
        'E_DATA_BATCH',
        `${targetsName} hold ${targetBatch} examples, ${inputsName} hold ${batch}; give one target per input`,
      );
    }
    return batch;
  }

  /** Reallocates the buffers for a larger batch, keeping the weights. */
  #ensureCapacity(batch: number): void {
    if (batch <= this.#capacity) return;
    const grown = this.#allocate(batch);
    for (const weight of this.weightSlots) grown[weight.buffer]?.set(this.#buffer(weight.buffer));
    this.#state = grown;
    this.#capacity = batch;
  }

  /** Buffers for `capacity` examples; in shared memory when threads share them. */
  #allocate(capacity: number): State {
    const state = this.#generated.createState(capacity);
    return this.#parallel === undefined ? state : this.#parallel.adopt(state);
  }

  /** Copies rows into a batch buffer element by element: no subarray views, no allocation. */
  #copyRows(
    from: ArrayLike<number>,
    identifier: string,
    rowSize: number,
    order: Uint32Array | null,
    start: number,
    batch: number,
  ): void {
    const into = this.#buffer(identifier);
    for (let example = 0; example < batch; example += 1) {
      const row = order === null ? start + example : (order[start + example] as number);
      const source = row * rowSize;
      const target = example * rowSize;
      for (let k = 0; k < rowSize; k += 1) into[target + k] = from[source + k] as number;
    }
  }

  #buffer(identifier: string): Float32Array {
    const buffer = this.#state[identifier];
    if (buffer === undefined)
      throw new TrainingError('E_MODULE_STATE', `the module has no buffer '${identifier}'`);
    return buffer;
  }

  #defaultLearningRate(): number {
    if (this.learningRate === undefined) {
      throw new TrainingError(
        'E_TRAIN_LEARNING_RATE',
        `graph '${this.name}' gives no learning rate here; pass one, or load the module with its graph`,
      );
    }
    return this.learningRate;
  }
}

/** `training stopped at epoch 2, step 37`; without a step, a gradient computation failed. */
function failedAt(position: StepPosition | null): string {
  if (position === null) return 'the gradients cannot be computed';
  const epoch = position.epoch === undefined ? '' : `epoch ${position.epoch}, `;
  return `training stopped at ${epoch}step ${position.step}`;
}

function checkedThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new TrainingError(
      'E_TRAIN_THREADS',
      `threads ${threads} must be a whole number of at least 1; 1 computes on the calling thread alone`,
    );
  }
  return threads;
}

function checkedCapacity(maxBatch: number): number {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new TrainingError(
      'E_TRAIN_BATCH',
      `maxBatch ${maxBatch} must be a whole number of at least 1`,
    );
  }
  return maxBatch;
}

/** The index of the first largest of `count` values from `offset`. */
function argmax(values: Float32Array, offset: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k += 1) {
    if ((values[offset + k] as number) > (values[offset + best] as number)) best = k;
  }
  return best;
}
