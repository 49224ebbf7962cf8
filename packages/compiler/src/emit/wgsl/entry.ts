import type CodeBlockWriter from 'code-block-writer';
import { invariant } from '../../errors.js';
import type { IndexVar } from '../../program/ir.js';
import type { Stmt } from '../../schedule/loops.js';
import { EXAMPLE } from '../../schedule/lower-kernel.js';
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

/**
 * The batch size where the statements need it, the bounds check, and the example and output
 * indices of the element from its flat position.
 */
export function writeGridPosition(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  names: Namespace,
  flat: string,
  batch: string,
  checked = true,
): void {
  const { indices, examples } = kernel.grid;
  const size = gridSize(indices);
  if (examples || mentionsBatch(kernel.element)) {
    writer.writeLine(`let ${batch} = i32(params.batch);`);
  }
  const total = examples ? (size === 1 ? batch : `${size} * ${batch}`) : String(size);
  if (checked) writer.write(`if (${flat} >= ${total}) `).block(() => writer.writeLine('return;'));
  if (examples) {
    const example = names.claim(EXAMPLE);
    writer.writeLine(`let ${example} = ${size === 1 ? flat : `${flat} / ${size}`};`);
  }
  gridPositions(indices, examples, flat).forEach((position, k) => {
    writer.writeLine(`let ${names.claim((indices[k] as IndexVar).name)} = ${position};`);
  });
}

/**
 * Each output index from the flat position, row-major: `(flat / stride) % extent`, without
 * the division where the stride is 1 and without the remainder where nothing lies above.
 */
function gridPositions(indices: readonly IndexVar[], examples: boolean, flat: string): string[] {
  let stride = gridSize(indices);
  return indices.map((index, k) => {
    stride /= index.extent;
    if (index.extent === 1) return '0';
    const quotient = stride === 1 ? flat : `${flat} / ${stride}`;
    if (!examples && k === 0) return quotient;
    return `${stride === 1 ? quotient : `(${quotient})`} % ${index.extent}`;
  });
}

/** The elements of a grid, per example where it has examples. */
export function gridSize(indices: readonly IndexVar[]): number {
  return indices.reduce((n, v) => n * v.extent, 1);
}
