import { describe, expect, it } from 'vitest';
import { Namespace } from '../../src/emit/wgsl/names.js';
import { floatLiteral } from '../../src/emit/wgsl/render.js';
import { kernelShader, workgroupCount } from '../../src/emit/wgsl/shader.js';
import { affine } from '../../src/program/affine.js';
import * as build from '../../src/program/build.js';
import type { Equation, Expr, IndexVar } from '../../src/program/ir.js';
import type { Buffer, Kernel } from '../../src/schedule/loops.js';
import { KernelLowering } from '../../src/schedule/lower-kernel.js';
import { perExampleElement } from '../../src/schedule/nests.js';

// Hand-built equations for the constructs whose WGSL differs from the TypeScript: guarded
// loads, exact integer division, strided ranges, and names WGSL reserves.
const index = (name: string, extent: number): IndexVar => ({ name, extent });
const at = (tensor: string, ...indices: Record<string, number>[]) =>
  build.access(
    tensor,
    indices.map((coefficients) => {
      const { constant = 0, ...terms } = coefficients;
      return affine(terms, constant);
    }),
  );

function buffer(tensor: string, shape: number[]): Buffer {
  const size = shape.reduce((n, d) => n * d, 1);
  return { tensor, identifier: tensor, shape, size, perExample: true, role: 'activation' };
}

/** The body of the entry point of the shader computing `y[p] = body` for every example. */
function mainOf(body: Expr, buffers: Buffer[], indices = [index('p', 8)]): string {
  const equation: Equation = { tensor: 'y', indices, body };
  const all = [
    ...buffers,
    buffer(
      'y',
      indices.map((v) => v.extent),
    ),
  ];
  const lowering = new KernelLowering(new Map(all.map((b) => [b.tensor, b])), true);
  const kernel: Kernel = {
    name: 'y',
    writes: 'y',
    phase: 'forward',
    comment: ['A construct.'],
    grid: { examples: true, indices },
    element: perExampleElement(equation, lowering),
  };
  const { code } = kernelShader(kernel, all);
  return code.slice(code.indexOf('  let example'), code.lastIndexOf('}'));
}

describe('WGSL for the constructs', () => {
  it('a guarded load reads only where its guard holds: a branch, not a select', () => {
    const shifted = build.guard(
      [build.bounds(affine({ p: 1 }, -1), 0, 5)],
      at('x', { p: 1, constant: -1 }),
    );
    expect(mainOf(shifted, [buffer('x', [6])])).toMatchInlineSnapshot(`
      "  let example = flat / 8;
        let p = flat % 8;
        var chosen1: f32 = 0.0;
        if (0 <= p - 1 && p - 1 <= 5) {
          chosen1 = x[u32(6 * example + p - 1)];
        }
        y[u32(8 * example + p)] = chosen1;
      "
    `);
  });

  it('relu stays a select: its branch reads only what its test reads', () => {
    const relu = build.apply('relu', at('x', { p: 1 }));
    expect(mainOf(relu, [buffer('x', [8])])).toContain(
      'y[u32(8 * example + p)] = select(0.0, x[u32(8 * example + p)], x[u32(8 * example + p)] > 0.0);',
    );
  });

  it('a strided gather: exact floor and ceil of negative numerators, and a divisibility test', () => {
    // y[p] = sum_{i, m | 0 <= p - 2i <= 1, 2 divides p - m} g[i], as a stride-2 gradient has.
    const window = build.bounds(affine({ p: 1, i: -2 }), 0, 1);
    const even = build.divisible(affine({ p: 1, m: -1 }, 0, 2));
    const body = build.sum([index('i', 4), index('m', 3)], at('g', { i: 1 }), [window, even]);
    expect(mainOf(body, [buffer('g', [4])])).toMatchInlineSnapshot(`
      "  let example = flat / 8;
        let p = flat % 8;
        var sum1: f32 = 0.0;
        for (var m: i32 = 0; m <= 2; m++) {
          if (!((p - m) % 2 == 0)) {
            continue;
          }
          let iLast = min(floor_div(p, 2), 3);
          for (var i: i32 = max(ceil_div(p - 1, 2), 0); i <= iLast; i++) {
            sum1 += g[u32(4 * example + i)];
          }
        }
        y[u32(8 * example + p)] = sum1;
      "
    `);
  });

  it('a range test on a divided index, over the rationals as in TypeScript', () => {
    const half = build.guard([build.bounds(affine({ p: 1 }, 1, 2), 0, 2)], build.constant(1));
    expect(mainOf(half, [])).toContain('select(0.0, 1.0, 0 <= p + 1 && p + 1 <= 4)');
  });

  it('declares floor_div and ceil_div where a limit divides, since WGSL / truncates', () => {
    const window = build.bounds(affine({ p: 1, i: -2 }), 0, 1);
    const body = build.sum([index('i', 4)], at('g', { i: 1 }), [window]);
    const code = kernelCode(body, [buffer('g', [4])]);
    expect(code).toContain(
      [
        '// floor(a / b) for b > 0.',
        'fn floor_div(a: i32, b: i32) -> i32 {',
        '  let q = a / b;',
        '  return select(q, q - 1, a % b != 0 && a < 0);',
        '}',
        '',
        '// ceil(a / b) for b > 0.',
        'fn ceil_div(a: i32, b: i32) -> i32 {',
        '  let q = a / b;',
        '  return select(q, q + 1, a % b != 0 && a > 0);',
        '}',
      ].join('\n'),
    );
  });

  it('a running maximum starts at the most negative f32', () => {
    const largest = build.max([index('m', 3)], at('x', { m: 1 }));
    expect(mainOf(largest, [buffer('x', [3])])).toContain('var max1: f32 = -3.402823e38;');
  });
});

/** The whole shader of `y[p] = body`. */
function kernelCode(body: Expr, buffers: Buffer[]): string {
  const all = [...buffers, buffer('y', [8])];
  const lowering = new KernelLowering(new Map(all.map((b) => [b.tensor, b])), true);
  const equation: Equation = { tensor: 'y', indices: [index('p', 8)], body };
  const element = perExampleElement(equation, lowering);
  const grid = { examples: true, indices: equation.indices };
  const kernel: Kernel = { name: 'y', writes: 'y', phase: 'forward', comment: [], grid, element };
  return kernelShader(kernel, all).code;
}

describe('WGSL names', () => {
  it('primes become underscores; keywords, built-ins and clashes take a suffix', () => {
    const names = new Namespace();
    expect(names.claim("i'")).toBe('i_');
    expect(names.claim('loop')).toBe('loop2');
    expect(names.claim('max')).toBe('max2');
    expect(names.claim('target')).toBe('target2');
    expect(names.claim('i_')).toBe('i_2');
    expect(names.claim("i'")).toBe('i_');
    expect(names.claim('__x')).toBe('v__x');
    expect(names.numbered('chosen')).toBe('chosen1');
    expect(names.numbered('chosen')).toBe('chosen2');
  });
});

describe('float literals', () => {
  it('always spell an f32', () => {
    expect([0, -1, 0.2, 1e-7, -0, 1e21, Number.NEGATIVE_INFINITY].map(floatLiteral)).toEqual([
      '0.0',
      '-1.0',
      '0.2',
      '1e-7',
      '0.0',
      '1e+21',
      '-3.402823e38',
    ]);
  });
});

describe('dispatch', () => {
  const shader = (count: number, perExample: boolean) =>
    ({ workgroupSize: 64, invocations: { count, perExample } }) as Parameters<
      typeof workgroupCount
    >[0];

  it('one workgroup per 64 invocations, per example where the kernel is', () => {
    expect(workgroupCount(shader(4704, true), 2)).toEqual([147, 1, 1]);
    expect(workgroupCount(shader(150, false), 64)).toEqual([3, 1, 1]);
  });

  it('rows of 65535 workgroups along y beyond that', () => {
    expect(workgroupCount(shader(4096, true), 1100)).toEqual([65_535, 2, 1]);
  });
});
