import type { Affine } from './affine.js';
import type { Access, Condition, Const, Derivative, Expr, IndexVar, ScalarFunction } from './ir.js';

/**
 * Smart constructors for expressions. They keep trees in a light normal form as they are
 * built (nested sums and products flattened, constants folded, zeros and ones dropped), so
 * that derivation steps print the way a person would write them.
 */

export const ZERO: Const = { kind: 'const', value: 0 };
export const ONE: Const = { kind: 'const', value: 1 };

export function constant(value: number): Const {
  return { kind: 'const', value: value + 0 };
}

/** True when `expr` is the constant `value`. */
export function isConstant(expr: Expr, value: number): boolean {
  return expr.kind === 'const' && expr.value === value;
}

export function access(tensor: string, indices: readonly Affine[]): Access {
  return { kind: 'access', tensor, indices };
}

/**
 * `terms[0] + terms[1] + ...` with nested sums flattened, zeros dropped and constants folded
 * into one, which leads (`1 - y`, as on paper).
 */
export function add(...terms: readonly Expr[]): Expr {
  const flat: Expr[] = [];
  let folded = 0;
  for (const term of terms) {
    for (const part of term.kind === 'add' ? term.terms : [term]) {
      if (part.kind === 'const') folded += part.value;
      else flat.push(part);
    }
  }
  if (folded !== 0) flat.unshift(constant(folded));
  if (flat.length === 0) return ZERO;
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'add', terms: flat };
}

/** `factors[0] * factors[1] * ...`; the constant factor, if not 1, leads. */
export function mul(...factors: readonly Expr[]): Expr {
  const flat: Expr[] = [];
  let coefficient = 1;
  for (const factor of factors) {
    for (const part of factor.kind === 'mul' ? factor.factors : [factor]) {
      if (part.kind === 'const') coefficient *= part.value;
      else flat.push(part);
    }
  }
  if (coefficient === 0) return ZERO;
  if (coefficient !== 1) flat.unshift(constant(coefficient));
  if (flat.length === 0) return ONE;
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'mul', factors: flat };
}

export function neg(expr: Expr): Expr {
  return mul(constant(-1), expr);
}

export function sub(left: Expr, right: Expr): Expr {
  return add(left, neg(right));
}

export function div(numerator: Expr, denominator: Expr): Expr {
  if (isConstant(numerator, 0)) return ZERO;
  if (isConstant(denominator, 1)) return numerator;
  if (numerator.kind === 'const' && denominator.kind === 'const') {
    return constant(numerator.value / denominator.value);
  }
  return { kind: 'div', numerator, denominator };
}

export function apply(fn: ScalarFunction, arg: Expr, parameter?: number): Expr {
  return parameter === undefined
    ? { kind: 'apply', fn, arg }
    : { kind: 'apply', fn, arg, parameter };
}

export function select(test: Expr, then: Expr, otherwise: Expr): Expr {
  return { kind: 'select', test, then, otherwise };
}

/** A sum over `indices`; a sum over no index is its body under the conditions. */
export function sum(
  indices: readonly IndexVar[],
  body: Expr,
  conditions: readonly Condition[] = [],
): Expr {
  if (isConstant(body, 0)) return ZERO;
  if (indices.length === 0) return guard(conditions, body);
  return { kind: 'sum', indices, conditions, body };
}

export function max(
  indices: readonly IndexVar[],
  body: Expr,
  conditions: readonly Condition[] = [],
): Expr {
  return { kind: 'max', indices, conditions, body };
}

export function delta(left: Affine, right: Affine): Expr {
  return { kind: 'delta', left, right };
}

export function guard(conditions: readonly Condition[], body: Expr): Expr {
  if (conditions.length === 0 || isConstant(body, 0)) return body;
  if (body.kind === 'guard') return guard([...conditions, ...body.conditions], body.body);
  return { kind: 'guard', conditions, body };
}

export function derivative(of: Expr, wrt: Access): Derivative {
  return { kind: 'derivative', of, wrt };
}

export function bounds(affineValue: Affine, lower: number, upper: number): Condition {
  return { kind: 'bounds', affine: affineValue, lower, upper };
}

export function divisible(affineValue: Affine): Condition {
  return { kind: 'divisible', affine: affineValue };
}
