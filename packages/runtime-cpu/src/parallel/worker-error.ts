import { SymgradError } from '@symgrad/compiler';

/**
 * A worker thread of a data-parallel model failed (the message carries the worker's own), or
 * this platform has no worker threads to start.
 */
export class WorkerError extends SymgradError {}
