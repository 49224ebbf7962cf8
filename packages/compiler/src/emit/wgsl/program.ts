import { invariant } from '../../errors.js';
import type { Schedule } from '../../schedule/kernels.js';
import type { Buffer } from '../../schedule/loops.js';
import { type GpuOptions, gpuKernels } from '../../schedule/workgroup.js';
import { gpuKernelShader, PARAMS, updateShader, type WgslShader } from './shader.js';

/** A buffer of the compiled model: `floats` per example, or in all when not per example. */
export interface WgslBuffer {
  readonly identifier: string;
  readonly tensor: string;
  readonly shape: readonly number[];
  readonly floats: number;
  readonly perExample: boolean;
  readonly role: Buffer['role'];
}

/**
 * A model compiled to WebGPU compute shaders. A runtime creates every buffer once, sized for
 * its largest batch, then runs `order.forward` and `order.loss` for the loss and
 * `order.backward` for the gradients, with the params' `update` at 0; for a step of gradient
 * descent, it sets `update` to 1 and runs `order.update` after them, since most weights are
 * updated by the kernel of their gradient and only the others by an update shader.
 */
export interface WgslProgram {
  readonly name: string;
  /** The kernels in the order they run, then one update per weight not updated by them. */
  readonly shaders: readonly WgslShader[];
  readonly buffers: readonly WgslBuffer[];
  /** Shader names by phase, each list in run order. */
  readonly order: Readonly<Record<WgslShader['phase'], readonly string[]>>;
  /** Weights by Keras name, the buffers holding each and its gradient, and its Keras shape. */
  readonly weights: readonly {
    readonly name: string;
    readonly buffer: string;
    readonly gradient: string;
    readonly shape: readonly number[];
  }[];
  /** Buffer identifiers of the input, the target, the output and the per-example loss. */
  readonly input: string;
  readonly target: string;
  readonly output: string;
  readonly loss: string;
  /** The uniform at binding 0 of every shader. */
  readonly params: typeof PARAMS;
}

/**
 * Emits WGSL compute shaders for a schedule, specialised to its shapes: one per GPU kernel
 * (an elementwise kernel runs fused into the kernel before it, a weight's update into its
 * gradient's; see `gpuKernels`), then an update shader for each weight whose update could
 * not be fused. Buffers that no shader binds any more are left out.
 *
 * @example
 * const program = emitWgsl(schedule(derived));
 * program.shaders[0].code; // "// Layer out: weighted sum of the inputs.\n..."
 */
export function emitWgsl(plan: Schedule, options: GpuOptions = {}): WgslProgram {
  const byTensor = new Map(plan.buffers.map((b) => [b.tensor, b]));
  const buffer = (tensor: string): Buffer => {
    const found = byTensor.get(tensor);
    invariant(found !== undefined, `no buffer for '${tensor}'`);
    return found;
  };
  const gpu = gpuKernels(plan, options);
  const kernels = gpu.map((k) => gpuKernelShader(k, plan.buffers));
  const updated = new Set(gpu.flatMap((k) => (k.update === undefined ? [] : [k.update.weight])));
  const updates = plan.weights
    .filter((w) => !updated.has(w.weight))
    .map((w) => updateShader(buffer(w.weight), buffer(w.gradient)));
  const shaders = [...kernels, ...updates];
  const order = (phase: WgslShader['phase']) =>
    shaders.filter((s) => s.phase === phase).map((s) => s.name);
  const bound = new Set(shaders.flatMap((s) => s.bindings.map((b) => b.buffer)));
  const external = new Set([plan.input, plan.target, plan.output, plan.loss]);

  return {
    name: plan.name,
    shaders,
    buffers: plan.buffers
      .filter((b) => bound.has(b.identifier) || external.has(b.tensor))
      .map((b) => ({
        identifier: b.identifier,
        tensor: b.tensor,
        shape: b.shape,
        floats: b.size,
        perExample: b.perExample,
        role: b.role,
      })),
    order: {
      forward: order('forward'),
      loss: order('loss'),
      backward: order('backward'),
      update: order('update'),
    },
    weights: plan.weights.map((w) => ({
      name: w.weight,
      buffer: buffer(w.weight).identifier,
      gradient: buffer(w.gradient).identifier,
      shape: w.shape,
    })),
    input: buffer(plan.input).identifier,
    target: buffer(plan.target).identifier,
    output: buffer(plan.output).identifier,
    loss: buffer(plan.loss).identifier,
    params: PARAMS,
  };
}
