export type { GpuOptions } from '../../schedule/workgroup.js';
export * from './compile.js';
export { emitWgsl, type WgslBuffer, type WgslProgram } from './program.js';
export {
  MAX_WORKGROUPS_PER_DIMENSION,
  PARAMS,
  type WgslBinding,
  type WgslShader,
  WORKGROUP_SIZE,
  workgroupCount,
} from './shader.js';
