import { SymgradError } from '@symgrad/compiler';

/** Weight values that do not fit the graph; one class shared with the compiler's check. */
export { WeightsError } from '@symgrad/compiler';

/**
 * Failures of the WebGPU runtime that a user can act on. Each family has a class and each
 * instance a stable code; messages are one line that name the tensor, weight or limit at
 * fault and what to change.
 */

/** No WebGPU adapter: no `navigator.gpu`, no `webgpu` package in Node, or no driver. */
export class NoAdapterError extends SymgradError {
  constructor(message: string) {
    super('E_WEBGPU_NO_ADAPTER', message);
  }
}

/** The device went away (destroyed, driver reset, out of memory) while the model used it. */
export class DeviceLostError extends SymgradError {
  constructor(message: string) {
    super('E_WEBGPU_DEVICE_LOST', message);
  }
}

/** The model does not fit a limit of the device: buffer size, bindings, dispatch size. */
export class DeviceLimitError extends SymgradError {
  constructor(message: string) {
    super('E_WEBGPU_LIMIT', message);
  }
}

/** Inputs, targets or a batch size that do not fit the graph or the model's buffers. */
export class DataError extends SymgradError {}
