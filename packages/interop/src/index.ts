export {
  type ExportedModel,
  type ExportWeight,
  exportTfjsModel,
  SHARD_FILE,
} from './tfjs/export.js';
export { type ImportedModel, importTfjsModel } from './tfjs/import.js';
export type { WeightTensor } from './tfjs/shards.js';
