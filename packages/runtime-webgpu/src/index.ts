export { type DeviceOptions, requestDevice } from './device.js';
export {
  DataError,
  DeviceLimitError,
  DeviceLostError,
  NoAdapterError,
  WeightsError,
} from './errors.js';
export { WebGpuModel, type WebGpuModelOptions } from './model.js';
export type { Float32Tensor, Tensor, WeightSlot, WeightTensors } from './tensor.js';
