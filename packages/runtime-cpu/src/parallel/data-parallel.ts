import type { GeneratedModel } from '@symgrad/compiler';
import {
  ownBuffers,
  type PlannedBuffer,
  planBuffers,
  shareState,
  sliceState,
} from './buffer-plan.js';
import { COMMAND, type Command } from './control.js';
import { type Slice, splitBatch } from './split.js';
import { WorkerThread } from './worker-thread.js';

type State = Record<string, Float32Array>;

/**
 * An emitted module's code and the function of `@symgrad/compiler` that makes it live, by
 * name: each worker thread loads the module the way the calling thread did.
 */
export interface ModuleSource {
  readonly text: string;
  readonly instantiate: 'instantiateScript' | 'instantiateTypeScript';
}

/**
 * Data parallelism over a batch: the calling thread and `threads - 1` worker threads each run
 * the forward and backward pass on their own slice of the examples, with their own
 * activations and gradients and the one shared set of weights. Each slice yields the mean
 * loss L_t and mean-loss gradients g_t of its b_t examples, so the batch of B examples has
 *
 *   L = sum_t (b_t / B) L_t,   g = sum_t (b_t / B) g_t,
 *
 * the same values as one thread computes, up to float32 rounding. The weights are updated by
 * the calling thread alone, between steps.
 */
export class DataParallel {
  readonly threads: number;
  readonly #generated: GeneratedModel;
  readonly #workers: WorkerThread[];
  readonly #gradients: readonly string[];
  #plan: readonly PlannedBuffer[] = [];
  #state: State = {};
  /** The calling thread's slice of the state, for the slice size it was made for. */
  #ownSlice: { count: number; state: State } | undefined;

  constructor(generated: GeneratedModel, source: ModuleSource, threads: number) {
    this.threads = threads;
    this.#generated = generated;
    this.#gradients = generated.model.weights.map((weight) => weight.gradient);
    this.#workers = startWorkers(source, threads - 1);
  }

  /**
   * Moves a model state into shared memory and returns the copy, the one to compute in from
   * now on. The workers take it at their next request.
   */
  adopt(state: State): State {
    this.#state = shareState(state);
    this.#plan = planBuffers(this.#generated.model, this.#state);
    this.#ownSlice = undefined;
    for (const worker of this.#workers) worker.own = ownBuffers(this.#plan, this.#state);
    return this.#state;
  }

  /** The mean loss of the loaded batch; every per-example buffer ends up filled. */
  forward(batch: number): number {
    return this.#run(COMMAND.forward, batch);
  }

  /** The mean loss, and the mean-loss gradients in the state's gradient buffers. */
  forwardBackward(batch: number): number {
    return this.#run(COMMAND.train, batch);
  }

  /** Ends every worker thread; resolves once all have exited. */
  async dispose(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.stop()));
  }

  /**
   * Workers take the later slices and the calling thread the first, all at once; a batch
   * that makes one slice runs on the calling thread in the whole state, as with one thread.
   */
  #run(command: Command, batch: number): number {
    const [own, ...others] = splitBatch(batch, this.threads);
    if (own === undefined || others.length === 0) return this.#compute(command, this.#state, batch);

    // Every helper takes the new state before any starts computing, so that a failure to
    // attach one leaves none of them running on the buffers.
    const helpers = this.#workers.slice(0, others.length);
    for (const worker of helpers) {
      if (worker.attached !== this.#state) worker.attach(this.#plan, this.#state);
    }
    helpers.forEach((worker, index) => {
      worker.send(command, others[index] as Slice);
    });
    const ownLoss = this.#computeOwnSlice(command, own.count, helpers);

    const ownShare = own.count / batch;
    const shares = others.map((slice) => slice.count / batch);
    if (command === COMMAND.train) this.#combineGradients(ownShare, helpers, shares);
    return helpers.reduce(
      (loss, worker, index) => loss + (shares[index] as number) * worker.loss,
      ownShare * ownLoss,
    );
  }

  /**
   * The calling thread's slice, computed while the workers compute theirs. Every worker is
   * settled before this returns or throws, so no request is left running.
   */
  #computeOwnSlice(command: Command, count: number, helpers: readonly WorkerThread[]): number {
    let loss = Number.NaN;
    let failure: unknown;
    try {
      loss = this.#compute(command, this.#sliceOfOwn(count), count);
    } catch (error) {
      failure = error;
    }
    for (const worker of helpers) {
      try {
        worker.settle();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
    return loss;
  }

  #compute(command: Command, state: State, count: number): number {
    const loss = this.#generated.forward(state, count);
    if (command === COMMAND.train) this.#generated.backward(state, count);
    return loss;
  }

  /** The first `count` examples, computed in the state's own buffers: its gradients are g_0. */
  #sliceOfOwn(count: number): State {
    if (this.#ownSlice?.count !== count) {
      this.#ownSlice = { count, state: sliceState(this.#plan, this.#state, this.#state, 0, count) };
    }
    return this.#ownSlice.state;
  }

  /**
   * g = (b_0 / B) g_0 + sum_t (b_t / B) g_t, over g_0 in the state's gradient buffers. The
   * first helper's part joins in the pass that scales g_0 (one pass fewer over the gradients,
   * a serial share of every step); each partial sum is rounded to float32 as if stored.
   */
  #combineGradients(ownShare: number, helpers: readonly WorkerThread[], shares: number[]): void {
    for (const name of this.#gradients) {
      const total = this.#state[name] as Float32Array;
      const first = helpers[0]?.own[name] as Float32Array;
      const firstShare = shares[0] as number;
      for (let k = 0; k < total.length; k += 1) {
        const own = Math.fround(ownShare * (total[k] as number));
        total[k] = own + firstShare * (first[k] as number);
      }
      for (let index = 1; index < helpers.length; index += 1) {
        const part = helpers[index]?.own[name] as Float32Array;
        const share = shares[index] as number;
        for (let k = 0; k < total.length; k += 1) {
          total[k] = (total[k] as number) + share * (part[k] as number);
        }
      }
    }
  }
}

/**
 * `count` worker threads, numbered from 1. If one cannot start, those started before it are
 * ended rather than left running unreferenced.
 */
function startWorkers(source: ModuleSource, count: number): WorkerThread[] {
  const workers: WorkerThread[] = [];
  try {
    for (let index = 1; index <= count; index += 1) workers.push(new WorkerThread(source, index));
  } catch (error) {
    for (const worker of workers) void worker.kill();
    throw error;
  }
  return workers;
}
