// The entry bundlers pick for browsers (the `browser` export condition): the whole compiler,
// with a TypeScript emitter that needs no ts-morph. Everything else is the Node entry's.
export { deriveGraph } from './derive/index.js';
export { adjointName, type DeriveOptions, deriveProgram } from './derive/reverse.js';
export * from './derive/types.js';
export * from './emit/index.js';
export * from './emit/ts/index.browser.js';
export * from './emit/wgsl/index.js';
export * from './errors.js';
export * from './graph/index.js';
export * from './interpret/index.js';
export * from './program/affine.js';
export type * from './program/ir.js';
export { lowerGraph } from './program/lower.js';
export { fuseElementwise } from './schedule/fuse.js';
export { type Schedule, schedule } from './schedule/kernels.js';
export type * from './schedule/loops.js';
