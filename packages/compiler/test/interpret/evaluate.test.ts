import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/errors.js';
import {
  evaluateEquations,
  evaluateExpr,
  type TensorValue,
  type TensorValues,
} from '../../src/interpret/index.js';
import type { Equation, ScalarFunction, TensorDecl } from '../../src/program/ir.js';
import {
  access,
  add,
  affine,
  apply,
  argmax,
  bounds,
  constant,
  decl,
  delta,
  div,
  divisible,
  equation,
  guard,
  index,
  max,
  mul,
  select,
  sum,
} from './builders.js';

function tensor(shape: number[], data: number[]): TensorValue {
  return { shape, data: Float64Array.from(data) };
}

/** Runs `equations` from the given tensors and returns the value of `result` as a plain array. */
function run(
  tensors: TensorDecl[],
  equations: Equation[],
  given: Record<string, TensorValue>,
  result: string,
): number[] {
  const values: TensorValues = new Map(Object.entries(given));
  evaluateEquations(tensors, equations, values);
  return [...(values.get(result)?.data ?? [])];
}

const x5 = tensor([5], [1, 2, 3, 4, 5]);

describe('sums', () => {
  it('computes a valid 1-D convolution y[i] = sum_m w[m] x[i + m]', () => {
    const [i, m] = [index('i', 3), index('m', 3)];
    const body = sum([m], mul(access('w', ['m']), access('x', [affine({ i: 1, m: 1 })])));
    const y = run(
      [decl('y', [3])],
      [equation('y', [i], body)],
      {
        x: x5,
        w: tensor([3], [2, -1, 0.5]),
      },
      'y',
    );
    // y0 = 2*1 - 2 + 0.5*3, y1 = 2*2 - 3 + 0.5*4, y2 = 2*3 - 4 + 0.5*5
    expect(y).toEqual([1.5, 3, 4.5]);
  });

  it('zero-pads with bounds conditions: y[i] = sum_m [0 <= i+m-1 <= 4] w[m] x[i + m - 1]', () => {
    const [i, m] = [index('i', 5), index('m', 3)];
    const shifted = affine({ i: 1, m: 1 }, -1);
    const body = sum([m], mul(access('w', ['m']), access('x', [shifted])), [bounds(shifted, 0, 4)]);
    const y = run(
      [decl('y', [5])],
      [equation('y', [i], body)],
      {
        x: x5,
        w: tensor([3], [1, 10, 100]),
      },
      'y',
    );
    // y[i] = x[i-1] + 10 x[i] + 100 x[i+1], with x zero outside 0..4
    expect(y).toEqual([210, 321, 432, 543, 54]);
  });

  it('gathers a stride-2 scatter with a divisor and a divisibility condition', () => {
    // Forward y[i] = sum_m w[m] x[2i + m], i < 3, m < 2. Its input gradient, in gather form:
    // dx[p] = sum_m [2 | p - m] [0 <= (p - m)/2 <= 2] w[m] dy[(p - m)/2].
    const [p, m] = [index('p', 6), index('m', 2)];
    const quotient = affine({ p: 1, m: -1 }, 0, 2);
    const body = sum([m], mul(access('w', ['m']), access('dy', [quotient])), [
      divisible(quotient),
      bounds(quotient, 0, 2),
    ]);
    const w = [3, 5];
    const dy = [1, 10, 100];
    const dx = run(
      [decl('dx', [6])],
      [equation('dx', [p], body)],
      {
        w: tensor([2], w),
        dy: tensor([3], dy),
      },
      'dx',
    );

    // The same gradient in scatter form: each dy[i] adds w[k] dy[i] to dx[2i + k].
    const scattered = [0, 0, 0, 0, 0, 0];
    dy.forEach((upstream, i) => {
      w.forEach((weight, k) => {
        scattered[2 * i + k] = (scattered[2 * i + k] ?? 0) + weight * upstream;
      });
    });
    expect(dx).toEqual(scattered);
  });

  it('sums to 0 over an empty window', () => {
    const i = index('i', 4);
    const body = sum([i], access('x', ['i']), [bounds(affine({ i: 1 }), 5, 9)]);
    expect(evaluateExpr(body, { tensors: new Map([['x', x5]]), indices: new Map() })).toBe(0);
  });

  it('lets an inner index shadow an outer one of the same name', () => {
    const body = sum([index('i', 3)], access('x', ['i']));
    const env = { tensors: new Map([['x', x5]]), indices: new Map([['i', 4]]) };
    expect(evaluateExpr(body, env)).toBe(6);
  });
});

describe('max and argmax', () => {
  const x = tensor([6], [1, 3, 3, 2, 5, 0]);
  const [i, p, m] = [index('i', 4), index('p', 6), index('m', 3)];
  const window = access('x', [affine({ i: 1, m: 1 })]);

  it('takes the largest element of each overlapping window', () => {
    const y = run([decl('y', [4])], [equation('y', [i], max([m], window))], { x }, 'y');
    expect(y).toEqual([3, 3, 5, 5]);
  });

  it('marks only the first maximum of each window, row-major', () => {
    // a[i, p] = 1 where p - i is the first m at which x[i + m] is largest.
    const body = argmax([m], window, [affine({ p: 1, i: -1 })]);
    const a = run([decl('a', [4, 6])], [equation('a', [i, p], body)], { x }, 'a');
    // Windows [1,3,3], [3,3,2], [3,2,5], [2,5,0]: first maxima at p = 1, 1, 4, 4.
    const expected = [
      [0, 1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1, 0],
    ];
    expect(a).toEqual(expected.flat());
  });

  it('orders a 2-D window row-major when breaking ties', () => {
    const [r, c] = [index('r', 2), index('c', 2)];
    const grid = tensor([2, 2], [4, 7, 7, 7]);
    const body = argmax([r, c], access('g', ['r', 'c']), [affine({ q: 1 }), affine({ s: 1 })]);
    const [q, s] = [index('q', 2), index('s', 2)];
    const a = run([decl('a', [2, 2])], [equation('a', [q, s], body)], { g: grid }, 'a');
    expect(a).toEqual([0, 1, 0, 0]);
  });

  it('treats a position that is not a whole number as no maximum', () => {
    const body = argmax([m], access('x', ['m']), [affine({ p: 1 }, 0, 2)]);
    const a = run([decl('a', [6])], [equation('a', [p], body)], { x }, 'a');
    // The first maximum of x[0..2] is at 1, which p/2 reaches only at p = 2.
    expect(a).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('refuses a max over an empty window', () => {
    const body = max([m], access('x', ['m']), [bounds(affine({ m: 1 }), 4, 5)]);
    const env = { tensors: new Map([['x', x]]), indices: new Map() };
    expect(() => evaluateExpr(body, env)).toThrow(InvariantError);
  });
});

describe('indicators', () => {
  const [i, j] = [index('i', 3), index('j', 6)];

  it('evaluates a delta against an affine with a divisor', () => {
    const body = delta(affine({ i: 1 }), affine({ j: 1 }, 0, 2));
    const d = run([decl('d', [3, 6])], [equation('d', [i, j], body)], {}, 'd');
    const expected = [
      [1, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1, 0],
    ];
    expect(d).toEqual(expected.flat());
  });

  it('guards a body with bounds', () => {
    const k = index('k', 5);
    const body = guard([bounds(affine({ k: 1 }), 1, 3)], access('x', ['k']));
    expect(run([decl('g', [5])], [equation('g', [k], body)], { x: x5 }, 'g')).toEqual([
      0, 2, 3, 4, 0,
    ]);
  });

  it('guards a body with divisibility', () => {
    const k = index('k', 5);
    const body = guard([divisible(affine({ k: 1 }, 0, 2))], access('x', ['k']));
    expect(run([decl('g', [5])], [equation('g', [k], body)], { x: x5 }, 'g')).toEqual([
      1, 0, 3, 0, 5,
    ]);
  });

  it('selects on a strictly positive test', () => {
    const k = index('k', 4);
    const body = select(access('z', ['k']), constant(1), constant(-1));
    const z = tensor([4], [-1, 0, 1e-9, 3]);
    expect(run([decl('s', [4])], [equation('s', [k], body)], { z }, 's')).toEqual([-1, -1, 1, 1]);
  });
});

describe('arithmetic and scalar functions', () => {
  const point = (value: number) => ({
    tensors: new Map([['v', tensor([], [value])]]),
    indices: new Map(),
  });
  const v = access('v', []);

  it('adds, multiplies and divides', () => {
    const expr = div(add(v, constant(2), mul(v, v)), constant(4));
    expect(evaluateExpr(expr, point(3))).toBe((3 + 2 + 9) / 4);
    expect(evaluateExpr(add(), point(3))).toBe(0);
    expect(evaluateExpr(mul(), point(3))).toBe(1);
  });

  const references: [ScalarFunction, number | undefined, (x: number) => number][] = [
    ['sigmoid', undefined, (x) => 1 / (1 + Math.exp(-x))],
    ['tanh', undefined, Math.tanh],
    ['relu', undefined, (x) => Math.max(0, x)],
    ['leakyRelu', 0.2, (x) => (x > 0 ? x : 0.2 * x)],
    ['elu', 1.5, (x) => (x > 0 ? x : 1.5 * Math.expm1(x))],
    ['exp', undefined, Math.exp],
    ['log', undefined, Math.log],
    ['square', undefined, (x) => x ** 2],
  ];
  const samples = [-2.5, -0.3, 0, 0.7, 4];

  for (const [fn, parameter, reference] of references) {
    it(`applies ${fn}`, () => {
      const inputs = fn === 'log' ? samples.filter((x) => x > 0) : samples;
      for (const x of inputs) {
        expect(evaluateExpr(apply(fn, v, parameter), point(x))).toBeCloseTo(reference(x), 14);
      }
    });
  }

  it('refuses leakyRelu without its alpha', () => {
    expect(() => evaluateExpr(apply('leakyRelu', v), point(-1))).toThrow(InvariantError);
  });
});

describe('equations and accesses', () => {
  it('allocates a scalar result with one element', () => {
    const k = index('k', 5);
    const total = run(
      [decl('total', [])],
      [equation('total', [], sum([k], access('x', ['k'])))],
      {
        x: x5,
      },
      'total',
    );
    expect(total).toEqual([15]);
  });

  it('lays out results row-major and chains equations in order', () => {
    const [r, c] = [index('r', 2), index('c', 3)];
    const outer = mul(access('a', ['r']), access('b', ['c']));
    const doubled = mul(constant(2), access('o', ['r', 'c']));
    const tensors = [decl('o', [2, 3]), decl('d', [2, 3])];
    const equations = [equation('o', [r, c], outer), equation('d', [r, c], doubled)];
    const given = { a: tensor([2], [1, 2]), b: tensor([3], [10, 20, 30]) };
    expect(run(tensors, equations, given, 'd')).toEqual([20, 40, 60, 40, 80, 120]);
  });

  it('fails with the tensor and the index values on an out-of-bounds access', () => {
    const i = index('i', 3);
    const shifted = equation('y', [i], access('x', [affine({ i: 1 }, 3)]));
    expect(() => run([decl('y', [3])], [shifted], { x: x5 }, 'y')).toThrow(InvariantError);
    expect(() => run([decl('y', [3])], [shifted], { x: x5 }, 'y')).toThrow(/x\[i \+ 3\].*x\[5\]/);
  });

  it('fails on an access at a position that is not a whole number', () => {
    const i = index('i', 3);
    const halved = equation('y', [i], access('x', [affine({ i: 1 }, 0, 2)]));
    expect(() => run([decl('y', [3])], [halved], { x: x5 }, 'y')).toThrow(/x\[0\.5\]/);
  });

  it('fails on a tensor read before it is computed', () => {
    const i = index('i', 3);
    const early = equation('y', [i], access('later', ['i']));
    expect(() => run([decl('y', [3])], [early], {}, 'y')).toThrow(InvariantError);
  });
});
