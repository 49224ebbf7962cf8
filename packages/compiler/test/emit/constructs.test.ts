import { describe, expect, it } from 'vitest';
import { latexExpr, ProgramNotation, TextFormatter } from '../../src/emit/index.js';
import { affine } from '../../src/program/affine.js';
import { select } from '../../src/program/build.js';
import type { Access, Condition, Expr, IndexVar } from '../../src/program/ir.js';

// Hand-built expressions for the constructs the paper examples do not reach: strided
// bounds, divisibility filters, windows, argmax, piecewise derivatives.
const notation = new ProgramNotation([], 'loss');
const text = (e: Expr) => new TextFormatter(notation).expr(e);
const latex = (e: Expr) => latexExpr(e, notation);

const index = (name: string, extent: number): IndexVar => ({ name, extent });
const access = (tensor: string, ...indices: Record<string, number>[]): Access => ({
  kind: 'access',
  tensor,
  indices: indices.map((coefficients) => affine(coefficients)),
});
const constant = (value: number): Expr => ({ kind: 'const', value });

describe('constructs in text and LaTeX', () => {
  it('a strided gather: ceil and floor limits and a divisibility filter', () => {
    const window: Condition = {
      kind: 'bounds',
      affine: affine({ p: 1, i: -2 }),
      lower: 0,
      upper: 1,
    };
    const even: Condition = { kind: 'divisible', affine: affine({ p: 1, m: -1 }, 0, 2) };
    const e: Expr = {
      kind: 'sum',
      indices: [index('i', 4), index('m', 3)],
      conditions: [window, even],
      body: access('g', { i: 1 }),
    };
    expect(text(e)).toBe(
      'sum_{i=max(ceil((p - 1)/2), 0)..min(floor((p)/2), 3)} sum_{m=0..2 | 2 divides p - m} g[i]',
    );
    expect(latex(e)).toBe(
      '\\sum_{i=\\max(\\lceil (p - 1)/2 \\rceil, 0)}^{\\min(\\lfloor p/2 \\rfloor, 3)}' +
        '\\sum_{\\substack{m=0 \\\\ 2 \\mid (p - m)}}^{2} g_{i}',
    );
  });

  it('the argmax indicator of a max-pooling window', () => {
    const e: Expr = {
      kind: 'argmax',
      indices: [index('m2', 2), index('n2', 2)],
      conditions: [],
      body: access('O', { i: 2, m2: 1 }, { j: 2, n2: 1 }),
      at: [affine({ m: 1 }), affine({ n: 1 })],
    };
    expect(text(e)).toBe('[(m,n) = argmax_{m2,n2} O[2*i + m2,2*j + n2]]');
    expect(latex(e)).toBe(
      '\\left[(m, n) = \\operatorname*{arg\\,max}_{m_{2}, n_{2}} O_{2i + m_{2},2j + n_{2}}\\right]',
    );
  });

  it('piecewise derivatives: a step as an Iverson bracket, others as cases', () => {
    const x = access('x', { i: 1 });
    const step = select(x, constant(1), constant(0));
    const leaky = select(x, constant(1), constant(0.2));
    expect(latex(step)).toBe('[x_{i} > 0]');
    expect(latex(leaky)).toBe(
      '\\begin{cases} 1 & \\text{if } x_{i} > 0 \\\\ 0.2 & \\text{otherwise} \\end{cases}',
    );
  });

  it('scalar functions, squares of superscripted elements and quotients', () => {
    const x: Access = { kind: 'access', tensor: 'x', indices: [affine({ i: 1 })] };
    const apply = (fn: 'sigmoid' | 'tanh' | 'relu' | 'square', arg: Expr): Expr => ({
      kind: 'apply',
      fn,
      arg,
    });
    const e: Expr = {
      kind: 'mul',
      factors: [
        apply('sigmoid', x),
        apply('tanh', x),
        apply('relu', x),
        apply('square', apply('tanh', x)),
        { kind: 'div', numerator: constant(1), denominator: x },
      ],
    };
    expect(text(e)).toBe('sigmoid(x[i]) * tanh(x[i]) * relu(x[i]) * tanh(x[i])^2 * (1 / x[i])');
    expect(latex(e)).toBe(
      '\\sigma(x_{i})\\, \\tanh(x_{i})\\, \\operatorname{relu}(x_{i})\\, \\tanh(x_{i})^{2}\\, \\frac{1}{x_{i}}',
    );
  });

  it('Iverson brackets for deltas between affine indices, Kronecker deltas between plain ones', () => {
    const shifted: Expr = { kind: 'delta', left: affine({ p: 1 }), right: affine({ i: 2, m: 1 }) };
    const plain: Expr = { kind: 'delta', left: affine({ "m'": 1 }), right: affine({ m: 1 }) };
    expect(latex(shifted)).toBe('[p = 2i + m]');
    expect(latex(plain)).toBe("\\delta_{m' m}");
  });

  it('guards, and a sum as the last factor without parentheses', () => {
    const bounds: Condition = { kind: 'bounds', affine: affine({ "i'": 1 }), lower: 0, upper: 4 };
    const sum: Expr = {
      kind: 'sum',
      indices: [index('j', 2)],
      conditions: [],
      body: access('e', { j: 1 }),
    };
    const e: Expr = {
      kind: 'guard',
      conditions: [bounds],
      body: { kind: 'mul', factors: [constant(-0.5), sum] },
    };
    expect(text(e)).toBe("[0 <= i' <= 4] * (-0.5) * (sum_{j=0..1} e[j])");
    expect(latex(e)).toBe("[0 \\le i' \\le 4]\\, -0.5\\, \\sum_{j=0}^{1} e_{j}");
  });
});
