import { describe, expect, it } from 'vitest';
import { affine } from '../../src/program/affine.js';
import * as build from '../../src/program/build.js';
import type { Equation, Expr, IndexVar } from '../../src/program/ir.js';
import { fuseElementwise, unfused } from '../../src/schedule/gpu-fusion.js';
import type { Buffer, Kernel, Stmt } from '../../src/schedule/loops.js';
import { KernelLowering } from '../../src/schedule/lower-kernel.js';
import { batchMeanElement, perExampleElement } from '../../src/schedule/nests.js';
import { planWorkgroup } from '../../src/schedule/workgroup.js';

// Hand-built kernels for the rules of the GPU schedule: which kernels fuse, and which sums
// are split across lanes.
const index = (name: string, extent: number): IndexVar => ({ name, extent });
const at = (tensor: string, ...indices: Record<string, number>[]) =>
  build.access(
    tensor,
    indices.map(({ constant = 0, ...terms }) => affine(terms, constant)),
  );

function buffer(tensor: string, shape: number[], perExample = true): Buffer {
  const size = shape.reduce((n, d) => n * d, 1);
  return { tensor, identifier: tensor, shape, size, perExample, role: 'activation' };
}

const buffers = [
  buffer('x', [8]),
  buffer('y', [8]),
  buffer('z', [8]),
  buffer('image', [28, 28]),
  buffer('w', [8], false),
];

/** The kernel computing `tensor[p] = body` for every example, or its batch mean. */
function kernel(tensor: string, body: Expr, indices = [index('p', 8)], mean = false): Kernel {
  const equation: Equation = { tensor, indices, body };
  const lowering = new KernelLowering(new Map(buffers.map((b) => [b.tensor, b])), true);
  const element = mean
    ? batchMeanElement(equation, lowering)
    : perExampleElement(equation, lowering);
  return {
    name: tensor,
    writes: tensor,
    phase: 'forward',
    comment: [],
    grid: { examples: !mean, indices },
    element,
  };
}

describe('fusing elementwise kernels', () => {
  const producer = kernel('y', build.apply('exp', at('x', { p: 1 })));

  it('fuses a consumer that reads only the element just computed, under its own names', () => {
    const consumer = kernel('z', build.apply('tanh', at('y', { q: 1 })), [index('q', 8)]);
    const [fused] = fuseElementwise([producer, consumer], () => false);
    expect(fused?.kernels.map((k) => k.name)).toEqual(['y', 'z']);
    expect(fused?.writes).toEqual(['y', 'z']);
    expect(JSON.stringify(fused?.element)).not.toContain('"name":"q"');
  });

  it('drops the store of a scratch tensor that no other kernel reads', () => {
    const consumer = kernel('z', build.apply('tanh', at('y', { p: 1 })));
    const [fused] = fuseElementwise([producer, consumer], (t) => t === 'y');
    expect(fused?.writes).toEqual(['z']);
  });

  it("keeps apart a consumer that reads a neighbour's element", () => {
    const shifted = build.guard(
      [build.bounds(affine({ p: 1 }, 1), 0, 7)],
      at('y', { p: 1, constant: 1 }),
    );
    const fused = fuseElementwise([producer, kernel('z', shifted)], () => false);
    expect(fused.map((k) => k.writes)).toEqual([['y'], ['z']]);
  });
});

/** Each loop as `index by step`, outermost first. */
function steps(stmts: readonly Stmt[]): string[] {
  return stmts.flatMap((s) =>
    s.kind === 'for' ? [`${s.index} by ${s.step ?? 1}`, ...steps(s.body)] : [],
  );
}

describe('splitting a sum over the examples', () => {
  const meanOf = (body: Expr) => unfused(kernel('w', body, [index('p', 8)], true));

  it('gives a long sum 16 lanes, each taking every 16th example, and 4 elements a workgroup', () => {
    const pixels = build.sum([index('i', 28), index('j', 28)], at('image', { i: 1 }, { j: 1 }));
    const planned = planWorkgroup(meanOf(pixels));
    expect(planned.workgroup).toMatchObject({ kind: 'splitSum', elements: 4, lanes: 16 });
    expect(steps(planned.element)).toEqual(['#example by 16', 'i by 1', 'j by 1']);
  });

  it('keeps a short sum whole: 64 terms an element are too few to share', () => {
    expect(planWorkgroup(meanOf(at('x', { p: 1 }))).workgroup).toEqual({
      kind: 'perElement',
      size: 64,
    });
  });

  it('gives 4 lanes to a sum of 1,024 terms, and 16 elements a workgroup', () => {
    const row = build.sum([index('j', 16)], at('image', { i: 0 }, { j: 1 }));
    expect(planWorkgroup(meanOf(row)).workgroup).toMatchObject({ elements: 16, lanes: 4 });
  });
});
