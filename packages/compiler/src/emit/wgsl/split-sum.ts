import type CodeBlockWriter from 'code-block-writer';
import { type GpuKernel, LANE, type WorkgroupPlan } from '../../schedule/workgroup.js';
import {
  gridSize,
  MAX_WORKGROUPS_PER_DIMENSION,
  type MainContext,
  writeGridPosition,
  writeUpdate,
} from './entry.js';

/*
 * The entry point of a batch sum split across the lanes of a workgroup (a `splitSum` plan):
 * how a shader of `shader.ts` computes a convolution's kernel gradient on a GPU.
 */

/** The workgroup memory holding the lanes' partial sums of a split reduction. */
const PARTIAL_SUMS = 'partialSums';

/**
 * The entry point of a split sum: neighbouring invocations take neighbouring elements, and
 * every `elements`-th invocation another lane of the same element; each lane writes its
 * partial sum to workgroup memory, and after one barrier the element's first lane adds the
 * others' and stores the element. A pairwise tree would need a barrier per halving, and
 * SwiftShader runs each barrier as a switch between coroutines, which costs more than the
 * sum; at most 15 additions from workgroup memory cost a GPU little next to each lane's 256
 * or more terms. Every
 * invocation must reach the barrier, so none returns early: lanes past the last element
 * repeat its sum and store nothing.
 */
export function writeSplitMain(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  plan: WorkgroupPlan & { kind: 'splitSum' },
  context: MainContext,
): void {
  const { names, entryPoint, renderer } = context;
  const partial = names.claim(PARTIAL_SUMS);
  const group = names.claim('group');
  const slot = names.claim('slot');
  const lane = names.claim(LANE);
  const other = names.claim('otherLane');
  const accumulator = names.claim(plan.accumulator);
  const size = plan.elements * plan.lanes;

  writer.writeLine(`var<workgroup> ${partial}: array<f32, ${size}>;`);
  writer.blankLine();
  writer.writeLine(`@compute @workgroup_size(${size})`);
  writer.writeLine(`fn ${entryPoint}(`);
  writer.indent(() => {
    writer.writeLine(`@builtin(workgroup_id) ${group}: vec3<u32>,`);
    writer.writeLine(`@builtin(local_invocation_index) ${slot}: u32,`);
  });
  writer.write(') ').block(() => {
    const position = writeSplitPosition(writer, kernel, plan, context, { group, slot, lane });
    renderer.statements(writer, kernel.element.slice(0, plan.finishAt));
    writer.blankLine();
    writer.writeLine(`${partial}[${slot}] = ${accumulator};`);
    writer.writeLine('workgroupBarrier();');
    const inGrid = `${position} < ${gridSize(kernel.grid.indices)}`;
    writer.write(`if (${lane} == 0 && ${inGrid}) `).block(() => {
      const head = `for (var ${other}: u32 = 1u; ${other} < ${plan.lanes}u; ${other}++) `;
      writer.write(head).block(() => {
        writer.writeLine(`${accumulator} += ${partial}[${slot} + ${plan.elements}u * ${other}];`);
      });
      renderer.statements(writer, kernel.element.slice(plan.finishAt));
      writeUpdate(writer, kernel, renderer);
    });
  });
}

/**
 * The element and lane of an invocation of a split sum, and the element's indices. Returns
 * the element's position before it is clamped to the last element.
 */
function writeSplitPosition(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  plan: WorkgroupPlan & { kind: 'splitSum' },
  { names, flat, batch }: MainContext,
  ids: { group: string; slot: string; lane: string },
): string {
  const workgroup = `i32(${ids.group}.x + ${MAX_WORKGROUPS_PER_DIMENSION}u * ${ids.group}.y)`;
  const position = names.claim('position');
  const { elements } = plan;
  writer.writeLine(
    `let ${position} = ${workgroup} * ${elements} + i32(${ids.slot}) % ${elements};`,
  );
  writer.writeLine(`let ${flat} = min(${position}, ${gridSize(kernel.grid.indices) - 1});`);
  writer.writeLine(`let ${ids.lane} = i32(${ids.slot}) / ${elements};`);
  writeGridPosition(writer, kernel, names, flat, batch, false);
  return position;
}
