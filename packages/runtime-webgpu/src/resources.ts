import {
  InvariantError,
  PARAMS,
  type WgslProgram,
  type WgslShader,
  workgroupCount,
} from '@symgrad/compiler';
import { DeviceLimitError } from './errors.js';

/** WebGPU's flag values, spelled out so that no global `GPUBufferUsage` is needed. */
export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
export const MAP_READ = 0x1;
const COMPUTE_STAGE = 0x4;

/** A shader ready to dispatch: its pipeline and its buffers, bound once. */
export interface Pass {
  readonly shader: WgslShader;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
}

/** Everything a model holds on the device, created once. */
export interface Resources {
  readonly buffers: ReadonlyMap<string, GPUBuffer>;
  readonly params: GPUBuffer;
  readonly passes: ReadonlyMap<string, Pass>;
}

/**
 * Refuses, before anything is allocated, a model the device cannot run at `maxBatch`: a
 * buffer larger than a storage binding may be, a shader with more storage buffers than a
 * stage may bind, or more invocations than a dispatch can reach.
 */
export function checkLimits(program: WgslProgram, limits: GPUSupportedLimits, maxBatch: number) {
  const largest = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const buffer of program.buffers) {
    const bytes = buffer.floats * (buffer.perExample ? maxBatch : 1) * 4;
    if (bytes <= largest) continue;
    const fits = buffer.perExample ? Math.floor(largest / (buffer.floats * 4)) : 0;
    const remedy = fits > 0 ? `lower maxBatch to ${fits} or less` : 'shrink the layer';
    throw new DeviceLimitError(
      `tensor '${buffer.tensor}' needs ${bytes} bytes for maxBatch ${maxBatch}, above this device's maxStorageBufferBindingSize of ${largest} bytes; ${remedy}`,
    );
  }
  for (const shader of program.shaders) checkShaderLimits(shader, limits, maxBatch);
}

function checkShaderLimits(shader: WgslShader, limits: GPUSupportedLimits, maxBatch: number) {
  if (shader.bindings.length > limits.maxStorageBuffersPerShaderStage) {
    throw new DeviceLimitError(
      `kernel '${shader.name}' binds ${shader.bindings.length} storage buffers, this device allows ${limits.maxStorageBuffersPerShaderStage} per shader; request a device with a larger maxStorageBuffersPerShaderStage`,
    );
  }
  const [, rows] = workgroupCount(shader, maxBatch);
  const invocations = shader.invocations.count * (shader.invocations.perExample ? maxBatch : 1);
  if (invocations > 2 ** 31 - 1 || rows > limits.maxComputeWorkgroupsPerDimension) {
    throw new DeviceLimitError(
      `kernel '${shader.name}' needs ${invocations} invocations for maxBatch ${maxBatch}, more than one dispatch reaches; lower maxBatch`,
    );
  }
}

/**
 * Creates the model's buffers (per-example ones for `maxBatch` examples), compiles every
 * shader and binds its buffers. A buffer the device cannot allocate is a `DeviceLimitError`;
 * a shader that does not compile is a bug in symgrad, reported with the compiler's message.
 */
export async function createResources(
  device: GPUDevice,
  program: WgslProgram,
  maxBatch: number,
): Promise<Resources> {
  device.pushErrorScope('out-of-memory');
  const buffers = createBuffers(device, program, maxBatch);
  const params = device.createBuffer({
    label: 'params',
    size: PARAMS.size,
    usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
  });
  const outOfMemory = await device.popErrorScope();
  if (outOfMemory !== null) {
    throw new DeviceLimitError(
      `the device has no memory for the buffers of graph '${program.name}' at maxBatch ${maxBatch}: ${firstLine(outOfMemory.message)}; lower maxBatch`,
    );
  }

  device.pushErrorScope('validation');
  const compiled = program.shaders.map((shader) => createPass(device, shader, buffers, params));
  const settled = await Promise.allSettled(compiled);
  const invalid = await device.popErrorScope();
  const passes = new Map<string, Pass>();
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    passes.set(result.value.shader.name, result.value);
  }
  if (invalid !== null) {
    throw new InvariantError(
      `WebGPU refused graph '${program.name}': ${firstLine(invalid.message)}`,
    );
  }
  return { buffers, params, passes };
}

function createBuffers(device: GPUDevice, program: WgslProgram, maxBatch: number) {
  const buffers = new Map<string, GPUBuffer>();
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
  for (const buffer of program.buffers) {
    const size = buffer.floats * (buffer.perExample ? maxBatch : 1) * 4;
    buffers.set(buffer.identifier, device.createBuffer({ label: buffer.tensor, size, usage }));
  }
  return buffers;
}

async function createPass(
  device: GPUDevice,
  shader: WgslShader,
  buffers: ReadonlyMap<string, GPUBuffer>,
  params: GPUBuffer,
): Promise<Pass> {
  const module = device.createShaderModule({ label: shader.name, code: shader.code });
  const { messages } = await module.getCompilationInfo();
  const error = messages.find((m) => m.type === 'error');
  if (error !== undefined) {
    throw new InvariantError(
      `the WGSL of kernel '${shader.name}' does not compile: line ${error.lineNum}: ${firstLine(error.message)}`,
    );
  }
  const layout = device.createBindGroupLayout({
    label: shader.name,
    entries: [
      { binding: PARAMS.binding, visibility: COMPUTE_STAGE, buffer: { type: 'uniform' } },
      ...shader.bindings.map((b) => ({
        binding: b.binding,
        visibility: COMPUTE_STAGE,
        buffer: {
          type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const),
        },
      })),
    ],
  });
  const pipeline = await device.createComputePipelineAsync({
    label: shader.name,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: shader.entryPoint },
  });
  const bindGroup = device.createBindGroup({
    label: shader.name,
    layout,
    entries: [
      { binding: PARAMS.binding, resource: { buffer: params } },
      ...shader.bindings.map((b) => ({
        binding: b.binding,
        resource: { buffer: buffers.get(b.buffer) as GPUBuffer },
      })),
    ],
  });
  return { shader, pipeline, bindGroup };
}

/** Records the dispatches of `shaders`, in order, in one compute pass. */
export function encodePasses(
  encoder: GPUCommandEncoder,
  passes: readonly Pass[],
  batch: number,
): void {
  const pass = encoder.beginComputePass();
  for (const { shader, pipeline, bindGroup } of passes) {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y, z] = workgroupCount(shader, batch);
    pass.dispatchWorkgroups(x, y, z);
  }
  pass.end();
}

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
