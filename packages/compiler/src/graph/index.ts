export { type GraphBuilder, graph } from './builder.js';
export {
  accessText,
  type BoundEinsum,
  EINSUM_FUNCTIONS,
  type EinsumContext,
  type EinsumSyntax,
  parseEinsum,
  resolveEinsum,
} from './einsum.js';
export { formatPath } from './issues.js';
export { parseGraphText, resolveGraph } from './parse.js';
export {
  ACTIVATION_NAMES,
  type ActivationJson,
  type GraphJson,
  graphSchema,
  LAYER_TYPES,
  type LayerJson,
  LOSS_NAMES,
} from './schema.js';
export {
  type AxisPadding,
  axisPadding,
  convOutputSize,
  flattenOutputShape,
  samePadding,
} from './shapes.js';
export type * from './types.js';
export { checkWeightValues, type WeightShape, weightSpecs } from './weights.js';
