/**
 * What a module emitted by `emitTypeScript` exports, for runtimes that load one. Buffers are
 * named by identifier (`conv1Kernel`); per-example buffers hold `maxBatch` examples one after
 * another, row-major; weights use the Keras shapes of `weights[k].shape`.
 */
export interface GeneratedModel {
  readonly model: ModelManifest;
  createState(maxBatch: number): Record<string, Float32Array>;
  /** Forward pass on inputs and targets; returns the mean loss of the batch. */
  forward(state: Record<string, Float32Array>, batch: number): number;
  /** Forward pass up to the output, without targets. */
  predict(state: Record<string, Float32Array>, batch: number): void;
  /** Every weight gradient of the mean loss, into the gradient buffers. */
  backward(state: Record<string, Float32Array>, batch: number): void;
  update(state: Record<string, Float32Array>, learningRate: number): void;
  trainStep(state: Record<string, Float32Array>, batch: number, learningRate: number): number;
  readonly kernels: readonly GeneratedKernel[];
}

export interface ModelManifest {
  readonly name: string;
  readonly input: string;
  readonly target: string;
  readonly output: string;
  readonly loss: string;
  /** The graph optimizer's learning rate, when the graph has weights. */
  readonly learningRate?: number;
  readonly weights: readonly {
    readonly name: string;
    readonly buffer: string;
    readonly gradient: string;
    readonly shape: readonly number[];
  }[];
  readonly buffers: readonly {
    readonly name: string;
    readonly tensor: string;
    readonly shape: readonly number[];
    readonly size: number;
    readonly perExample: boolean;
    readonly role: string;
  }[];
}

export interface GeneratedKernel {
  readonly name: string;
  readonly writes: string;
  readonly phase: 'forward' | 'loss' | 'backward';
  readonly layer?: string;
  /** The schedule's kernels fused into this one, after it, by name; absent when none. */
  readonly fused?: readonly string[];
  run(state: Record<string, Float32Array>, batch: number): void;
}
