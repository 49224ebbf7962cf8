export * from './compile.js';
export type * from './contract.js';
export { emitTypeScript, kernelFunction, type TsModule, transpileTypeScript } from './module.js';
