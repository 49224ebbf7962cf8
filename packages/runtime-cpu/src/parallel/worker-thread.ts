import type { MessagePort, Worker } from 'node:worker_threads';
import type { PlannedBuffer } from './buffer-plan.js';
import { COMMAND, CONTROL, type Command, STATUS } from './control.js';
import type { ModuleSource } from './data-parallel.js';
import type { Slice } from './split.js';
import { WorkerError } from './worker-error.js';

type State = Record<string, Float32Array>;
type WorkerThreads = typeof import('node:worker_threads');

/** The worker entry, beside this file both in the sources and in dist. */
const ENTRY = new URL('./worker.js', import.meta.url);

/**
 * One worker thread and the shared memory it answers through. Requests are strictly one at a
 * time: each is settled before the next is sent, so a reply always answers the last request.
 */
export class WorkerThread {
  /** This thread's `own` buffers: its weight gradients, read back by the caller. */
  own: State = {};
  /** The model state the worker holds views of; a new one must be attached first. */
  attached: State | undefined;
  readonly #threads: WorkerThreads;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #loss: Float64Array;
  readonly #index: number;
  /** Request 1, loading the module, is pending from the start. */
  #request = 1;
  #pending = true;
  /** Once the module failed to load, the thread is gone and every request fails so. */
  #broken: WorkerError | undefined;

  constructor(source: ModuleSource, index: number) {
    this.#threads = workerThreads();
    this.#index = index;
    this.#control = new Int32Array(new SharedArrayBuffer(CONTROL.length * 4));
    this.#control[CONTROL.request] = 1;
    this.#loss = new Float64Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new this.#threads.MessageChannel();
    this.#port = port1;
    const workerData = {
      source,
      layout: { CONTROL, COMMAND, STATUS },
      port: port2,
      control: this.#control.buffer,
      loss: this.#loss.buffer,
    };
    this.#worker = new this.#threads.Worker(entryFile(), { workerData, transferList: [port2] });
    // An idle worker must not keep the process alive when its model is dropped undisposed.
    this.#worker.unref();
    this.#port.unref();
  }

  /** The mean loss of the slice of the last forward request. */
  get loss(): number {
    return this.#loss[0] as number;
  }

  /** Hands the worker views of a new model state: its buffers are shared, not copied. */
  attach(plan: readonly PlannedBuffer[], state: State): void {
    this.#port.postMessage({ plan, state, own: this.own });
    this.send(COMMAND.attach, { offset: 0, count: 0 });
    this.settle();
    this.attached = state;
  }

  /** Sends a request after settling the one before; returns at once. */
  send(command: Command, slice: Slice): void {
    this.settle();
    const control = this.#control;
    control[CONTROL.command] = command;
    control[CONTROL.offset] = slice.offset;
    control[CONTROL.count] = slice.count;
    this.#request += 1;
    this.#pending = true;
    Atomics.store(control, CONTROL.request, this.#request);
    Atomics.notify(control, CONTROL.request);
  }

  /**
   * Blocks until the last request is answered; a failure is thrown as a `WorkerError`.
   * TODO: a worker killed outright (out of memory) never replies and this waits for ever; a
   * watcher on the worker's exit, outside this blocked thread, would turn that into an error.
   */
  settle(): void {
    if (this.#broken !== undefined) throw this.#broken;
    if (!this.#pending) return;
    const control = this.#control;
    for (;;) {
      const reply = Atomics.load(control, CONTROL.reply);
      if (reply === this.#request) break;
      Atomics.wait(control, CONTROL.reply, reply);
    }
    this.#pending = false;
    if (control[CONTROL.status] === STATUS.ok) return;

    const failure = this.#threads.receiveMessageOnPort(this.#port)?.message as
      | { name: string; message: string }
      | undefined;
    const what = failure === undefined ? 'an unknown error' : `${failure.name}: ${failure.message}`;
    const error = new WorkerError(
      'E_WORKER_FAILED',
      `worker thread ${this.#index} failed: ${what}`,
    );
    if (this.#request === 1) this.#broken = error;
    throw error;
  }

  /** Ends the thread at once, whatever it is doing; resolves once it has exited. */
  async kill(): Promise<void> {
    this.#port.close();
    await this.#worker.terminate();
  }

  /** Asks the worker to stop, then ends the thread; resolves once it has exited. */
  async stop(): Promise<void> {
    try {
      this.send(COMMAND.stop, { offset: 0, count: 0 });
    } catch {
      // A worker whose last request failed is ended all the same; that failure was thrown then.
    }
    await this.kill();
  }
}

/**
 * Node's worker threads, reached without a static import so that the package still loads
 * where there are none.
 */
function workerThreads(): WorkerThreads {
  const threads = globalThis.process?.getBuiltinModule?.('node:worker_threads');
  if (threads === undefined) {
    // TODO: run the slices in Web Workers in browsers; until then a model there has one thread.
    throw new WorkerError(
      'E_WORKER_PLATFORM',
      'threads above 1 need Node.js worker threads (node:worker_threads), which this platform lacks; use threads: 1 here',
    );
  }
  return threads;
}

/** The worker entry's path, checked: a missing file would leave the first request hanging. */
function entryFile(): string {
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const file = fileURLToPath(ENTRY);
  if (!process.getBuiltinModule('node:fs').existsSync(file)) {
    throw new WorkerError(
      'E_WORKER_ENTRY',
      `the worker entry '${file}' is missing; rebuild @symgrad/runtime-cpu (its build copies worker.js into dist/parallel)`,
    );
  }
  return file;
}
