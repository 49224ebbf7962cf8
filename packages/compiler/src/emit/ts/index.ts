export * from './compile.js';
export type * from './contract.js';
export {
  type Dialect,
  emitJavaScript,
  kernelFunction,
  type TsModule,
  writeModule,
} from './module.js';
export * from './project.js';
