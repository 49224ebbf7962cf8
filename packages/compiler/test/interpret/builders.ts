import { type Affine, affine } from '../../src/program/affine.js';
import type {
  Condition,
  Equation,
  Expr,
  IndexVar,
  ScalarFunction,
  TensorDecl,
  TensorRole,
} from '../../src/program/ir.js';

/**
 * Tiny constructors for writing tensor programs by hand in tests, so that each test reads
 * close to the index notation it encodes.
 */

export { affine };

export const constant = (value: number): Expr => ({ kind: 'const', value });

/** `tensor[indices]`; a plain string is the affine of that one index. */
export const access = (tensor: string, indices: readonly (Affine | string)[]): Expr => ({
  kind: 'access',
  tensor,
  indices: indices.map((index) => (typeof index === 'string' ? affine({ [index]: 1 }) : index)),
});

export const add = (...terms: Expr[]): Expr => ({ kind: 'add', terms });
export const mul = (...factors: Expr[]): Expr => ({ kind: 'mul', factors });
export const div = (numerator: Expr, denominator: Expr): Expr => ({
  kind: 'div',
  numerator,
  denominator,
});

export const apply = (fn: ScalarFunction, arg: Expr, parameter?: number): Expr =>
  parameter === undefined ? { kind: 'apply', fn, arg } : { kind: 'apply', fn, arg, parameter };

export const select = (test: Expr, then: Expr, otherwise: Expr): Expr => ({
  kind: 'select',
  test,
  then,
  otherwise,
});

export const index = (name: string, extent: number): IndexVar => ({ name, extent });

export const sum = (indices: IndexVar[], body: Expr, conditions: Condition[] = []): Expr => ({
  kind: 'sum',
  indices,
  conditions,
  body,
});

export const max = (indices: IndexVar[], body: Expr, conditions: Condition[] = []): Expr => ({
  kind: 'max',
  indices,
  conditions,
  body,
});

export const argmax = (
  indices: IndexVar[],
  body: Expr,
  at: Affine[],
  conditions: Condition[] = [],
): Expr => ({ kind: 'argmax', indices, conditions, body, at });

export const delta = (left: Affine, right: Affine): Expr => ({ kind: 'delta', left, right });

export const guard = (conditions: Condition[], body: Expr): Expr => ({
  kind: 'guard',
  conditions,
  body,
});

/** `lower <= value <= upper`. */
export const bounds = (value: Affine, lower: number, upper: number): Condition => ({
  kind: 'bounds',
  affine: value,
  lower,
  upper,
});

export const divisible = (value: Affine): Condition => ({ kind: 'divisible', affine: value });

export const equation = (tensor: string, indices: IndexVar[], body: Expr): Equation => ({
  tensor,
  indices,
  body,
});

export const decl = (
  name: string,
  shape: number[],
  role: TensorRole = 'intermediate',
): TensorDecl => ({
  name,
  shape,
  role,
  indexNames: shape.map((_, axis) => `${name}_${axis}`),
  notation: { symbol: name },
});
