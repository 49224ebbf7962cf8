/**
 * The control block through which the calling thread drives one worker: an Int32Array on
 * shared memory, read and written with Atomics. The layout travels to the worker in its
 * `workerData`, so the two sides cannot disagree on it.
 *
 * A request: the caller writes `command`, `offset` and `count`, then increments `request` and
 * wakes the worker; the worker computes, sets `status`, copies `request` into `reply` and
 * wakes the caller. Request 1 is implicit: loading the module when the worker starts.
 */
export const CONTROL = {
  request: 0,
  command: 1,
  offset: 2,
  count: 3,
  reply: 4,
  status: 5,
  length: 6,
} as const;

/** What a request asks of a worker. */
export const COMMAND = {
  /** Take the buffers of the message waiting on the worker's port. */
  attach: 1,
  /** Forward pass on the slice: its mean loss. */
  forward: 2,
  /** Forward and backward pass on the slice: its mean loss and mean-loss gradients. */
  train: 3,
  /** Leave the request loop and let the thread end. */
  stop: 4,
} as const;

export const STATUS = { ok: 0, failed: 1 } as const;

export type Command = (typeof COMMAND)[keyof typeof COMMAND];
