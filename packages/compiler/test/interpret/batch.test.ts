import { describe, expect, it } from 'vitest';
import type { DerivedProgram } from '../../src/derive/types.js';
import { InvariantError } from '../../src/errors.js';
import { interpretForward, interpretGradients } from '../../src/interpret/index.js';
import type { Program } from '../../src/program/ir.js';
import { access, add, apply, constant, decl, equation, index, mul, sum } from './builders.js';

/**
 * A dense layer without activation under the reference squared error, written by hand:
 * `y_j = sum_i w_ij x_i`, `e_j = t_j - y_j`, `L = 1/2 * sum_j e_j^2`, and its adjoints
 * `dL/de_j = e_j`, `dL/dy_j = -dL/de_j`, `dL/dw_ij = dL/dy_j x_i`, `dL/dx_i = sum_j w_ij dL/dy_j`.
 */
const [i, j] = [index('i', 3), index('j', 2)];

const forward: Program = {
  name: 'dense',
  tensors: [
    decl('x', [3], 'input'),
    decl('t', [2], 'target'),
    decl('w', [3, 2], 'weight'),
    decl('y', [2], 'activation'),
    decl('e', [2], 'intermediate'),
    decl('loss', [], 'loss'),
  ],
  equations: [
    equation('y', [j], sum([i], mul(access('w', ['i', 'j']), access('x', ['i'])))),
    equation('e', [j], add(access('t', ['j']), mul(constant(-1), access('y', ['j'])))),
    equation('loss', [], sum([j], mul(constant(0.5), apply('square', access('e', ['j']))))),
  ],
  loss: 'loss',
  input: 'x',
  target: 't',
  output: 'y',
  identities: [],
};

const adjoints = [
  decl('dloss', [], 'adjoint'),
  decl('de', [2], 'adjoint'),
  decl('dy', [2], 'adjoint'),
  decl('dw', [3, 2], 'adjoint'),
  decl('dx', [3], 'adjoint'),
];

const derived: DerivedProgram = {
  forward,
  tensors: [...forward.tensors, ...adjoints],
  backward: [
    equation('dloss', [], constant(1)),
    equation('de', [j], mul(access('dloss', []), access('e', ['j']))),
    equation('dy', [j], mul(constant(-1), access('de', ['j']))),
    equation('dw', [i, j], mul(access('dy', ['j']), access('x', ['i']))),
    equation('dx', [i], sum([j], mul(access('w', ['i', 'j']), access('dy', ['j'])))),
  ],
  weightGradients: [{ weight: 'w', gradient: 'dw' }],
  inputGradient: 'dx',
  derivations: [],
};

const w = [0.5, -1, 2, 0.25, -0.75, 1.5];
const inputs = [
  [1, 2, 3],
  [-0.5, 4, 0.25],
];
const targets = [
  [1, -2],
  [0.5, 3],
];

/** The same quantities by plain loops, straight from the formulas above. */
function reference(x: number[], t: number[]) {
  const weight = (row: number, column: number) => w[row * 2 + column] ?? 0;
  const y = [0, 1].map((col) =>
    [0, 1, 2].reduce((s, row) => s + weight(row, col) * (x[row] ?? 0), 0),
  );
  const e = y.map((value, col) => (t[col] ?? 0) - value);
  const loss = 0.5 * e.reduce((s, value) => s + value * value, 0);
  const dw = [0, 1, 2].flatMap((row) => e.map((value) => -value * (x[row] ?? 0)));
  const dx = [0, 1, 2].map((row) => e.reduce((s, value, col) => s - weight(row, col) * value, 0));
  return { y, loss, dw, dx };
}

const expectClose = (actual: ArrayLike<number> | undefined, expected: number[]) => {
  expect(actual).toBeDefined();
  expect(actual?.length).toBe(expected.length);
  expected.forEach((value, k) => {
    expect(actual?.[k]).toBeCloseTo(value, 12);
  });
};

describe('interpretForward', () => {
  it('computes every forward tensor of one example', () => {
    const values = interpretForward(forward, { w }, inputs[0] ?? [], targets[0]);
    const expected = reference(inputs[0] ?? [], targets[0] ?? []);
    expectClose(values.get('y')?.data, expected.y);
    expectClose(values.get('loss')?.data, [expected.loss]);
  });

  it('leaves out what depends on the target when none is given', () => {
    const values = interpretForward(forward, { w }, inputs[0] ?? []);
    expectClose(values.get('y')?.data, reference(inputs[0] ?? [], [0, 0]).y);
    expect(values.has('e')).toBe(false);
    expect(values.has('loss')).toBe(false);
  });

  it('refuses a missing weight or an input of the wrong size', () => {
    expect(() => interpretForward(forward, {}, [1, 2, 3])).toThrow(InvariantError);
    expect(() => interpretForward(forward, { w }, [1, 2])).toThrow(InvariantError);
  });
});

describe('interpretGradients', () => {
  const perExample = inputs.map((x, k) => reference(x, targets[k] ?? []));
  const mean = (rows: number[][]) =>
    (rows[0] ?? []).map((_, k) => rows.reduce((s, row) => s + (row[k] ?? 0), 0) / rows.length);

  it('matches the hand-derived gradient of one example', () => {
    const result = interpretGradients(derived, { w }, [inputs[0] ?? []], [targets[0] ?? []]);
    expect(result.loss).toBeCloseTo(perExample[0]?.loss ?? Number.NaN, 12);
    expectClose(result.gradients.w, perExample[0]?.dw ?? []);
    expect(result.inputGradients).toBeUndefined();
  });

  it('averages the loss and the weight gradients over the batch', () => {
    const result = interpretGradients(derived, { w }, inputs, targets);
    const losses = perExample.map((example) => example.loss);
    expect(result.loss).toBeCloseTo((losses[0] ?? 0) / 2 + (losses[1] ?? 0) / 2, 12);
    expectClose(result.gradients.w, mean(perExample.map((example) => example.dw)));
    expect(Object.keys(result.gradients)).toEqual(['w']);
  });

  it('returns per-example input gradients of the batch mean when asked', () => {
    const result = interpretGradients(derived, { w }, inputs, targets, { inputGradient: true });
    expect(result.inputGradients).toHaveLength(2);
    perExample.forEach((example, k) => {
      expectClose(
        result.inputGradients?.[k],
        example.dx.map((value) => value / 2),
      );
    });
  });

  it('refuses a batch whose inputs and targets differ in number', () => {
    expect(() => interpretGradients(derived, { w }, inputs, [targets[0] ?? []])).toThrow(
      InvariantError,
    );
  });
});
