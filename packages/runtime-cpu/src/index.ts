export {
  CheckpointError,
  DataError,
  ModuleError,
  NonFiniteError,
  type NonFiniteFinding,
  TrainingError,
  WeightsError,
} from './errors.js';
export { writeFileAtomic } from './io/atomic-write.js';
export type { JsonTensor } from './io/tensor-json.js';
export { loadWeights, saveWeights } from './io/weights-file.js';
export {
  CpuModel,
  type CpuModelOptions,
  type Examples,
  type KernelTime,
  type StepPosition,
} from './model/cpu-model.js';
export { glorotFans } from './model/initialize.js';
export type { WeightSlot } from './model/layout.js';
export { WorkerError } from './parallel/worker-error.js';
export { Random } from './random.js';
export type { Float32Tensor, Tensor, WeightTensors } from './tensor.js';
export {
  fromTfTensor,
  type TfLike,
  type TfTensorLike,
  toTfTensor,
  weightsFromTf,
  weightsToTf,
} from './tfjs.js';
export {
  type Checkpoint,
  type CheckpointBackend,
  type EpochRecord,
  loadCheckpoint,
  saveCheckpoint,
} from './train/checkpoint.js';
export { type BatchInfo, type TrainingData, type TrainOptions, train } from './train/train.js';
