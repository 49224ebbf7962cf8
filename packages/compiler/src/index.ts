export { deriveGraph } from './derive/index.js';
export { adjointName, type DeriveOptions, deriveProgram } from './derive/reverse.js';
export * from './derive/types.js';
export * from './errors.js';
export * from './graph/index.js';
export * from './interpret/index.js';
export * from './program/affine.js';
export type * from './program/ir.js';
export { lowerGraph } from './program/lower.js';
