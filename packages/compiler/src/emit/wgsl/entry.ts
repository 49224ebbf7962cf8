import type CodeBlockWriter from 'code-block-writer';
import { invariant } from '../../errors.js';
import type { Stmt } from '../../schedule/loops.js';
import type { GpuKernel } from '../../schedule/workgroup.js';
import type { Namespace } from './names.js';
import type { WgslRenderer } from './render.js';

/*
 * What every kind of entry point (per element, split sum, tiled product) writes alike.
 */

/** WebGPU's guaranteed `maxComputeWorkgroupsPerDimension`; more workgroups spill into y. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/** The params field that asks a gradient kernel to update its weight too. */
const UPDATE_FIELD = 'update';

/** What an entry point shares with the rest of its shader. */
export interface MainContext {
  readonly names: Namespace;
  readonly entryPoint: string;
  readonly renderer: WgslRenderer;
  readonly flat: string;
  readonly batch: string;
}

/**
 * The fused update of a weight, after its gradient's element is stored: the same element of
 * the weight, in the same layout, steps against the gradient where the params ask for a step.
 */
export function writeUpdate(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  renderer: WgslRenderer,
): void {
  if (kernel.update === undefined) return;
  const { weight, gradient } = kernel.update;
  const store = kernel.element.at(-1);
  invariant(store?.kind === 'store' && store.buffer === gradient, 'an update follows its gradient');
  const parameter = renderer.load(weight, store.offset);
  writer.write(`if (params.${UPDATE_FIELD} == 1u) `).block(() => {
    const step = `params.learningRate * ${renderer.load(gradient, store.offset)}`;
    writer.writeLine(`${parameter} = ${parameter} - ${step};`);
  });
}

/** Whether statements read the batch size, which the shader then takes from the params. */
export function mentionsBatch(stmts: readonly Stmt[]): boolean {
  const text = JSON.stringify(stmts);
  return text.includes('"kind":"lastExample"') || text.includes('"kind":"batchSize"');
}
