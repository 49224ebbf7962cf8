import { type Affine, affineEquals, soleIndex } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Equation, Expr, Identity } from '../program/ir.js';
import { children, exprEquals, mapChildren } from '../program/traverse.js';

/**
 * Recognises forward definitions inside derived expressions: where a subexpression is the
 * right-hand side of an element-wise forward equation, it is replaced by that tensor. This is
 * how `sigmoid(x_j) * (1 - sigmoid(x_j))` becomes `y_j * (1 - y_j)`, and `u_j / Z` becomes the
 * softmax output `y_j`, with no rule written for either case.
 */
export function recognizeDefinitions(expr: Expr, equations: readonly Equation[]): Expr {
  const patterns = equations.filter(isElementwise);
  const visit = (node: Expr): Expr => {
    for (const equation of patterns) {
      const replaced = matchEquation(node, equation);
      if (replaced !== undefined) return replaced;
    }
    return mapChildren(node, visit);
  };
  return visit(expr);
}

/** Equations without reductions whose left-hand indices are all plain, distinct names. */
function isElementwise(equation: Equation): boolean {
  const hasReduction = (e: Expr): boolean =>
    e.kind === 'sum' || e.kind === 'max' || children(e).some(hasReduction);
  return !hasReduction(equation.body) && equation.body.kind !== 'access';
}

function matchEquation(node: Expr, equation: Equation): Expr | undefined {
  const bindings = new Map<string, Affine>();
  const variables = new Set(equation.indices.map((v) => v.name));
  const whole = match(equation.body, node, variables, bindings);
  if (whole) return accessOf(equation, bindings);
  if (equation.body.kind === 'div' && node.kind === 'div')
    return matchQuotient(node, equation, variables);
  if (equation.body.kind === 'div' && node.kind === 'mul')
    return matchProductQuotient(node, equation, variables);
  return undefined;
}

function accessOf(equation: Equation, bindings: ReadonlyMap<string, Affine>): Expr | undefined {
  const indices = equation.indices.map((v) => bindings.get(v.name));
  if (indices.some((a) => a === undefined)) return undefined;
  return build.access(equation.tensor, indices as Affine[]);
}

/** `(a * u_j) / Z` with `y_j = u_j / Z` is `a * y_j`. */
function matchQuotient(
  node: Expr & { kind: 'div' },
  equation: Equation,
  variables: ReadonlySet<string>,
) {
  const pattern = equation.body as Expr & { kind: 'div' };
  const bindings = new Map<string, Affine>();
  if (!match(pattern.denominator, node.denominator, variables, bindings)) return undefined;
  const factors = node.numerator.kind === 'mul' ? node.numerator.factors : [node.numerator];
  const position = factors.findIndex((f) =>
    match(pattern.numerator, f, variables, new Map(bindings)),
  );
  if (position < 0) return undefined;
  match(pattern.numerator, factors[position] as Expr, variables, bindings);
  const recognized = accessOf(equation, bindings);
  if (recognized === undefined) return undefined;
  return build.mul(...factors.filter((_, k) => k !== position), recognized);
}

/** `a * (1 / Z) * u_j` is `(a * u_j) / Z`: gathers a product's reciprocals before matching. */
function matchProductQuotient(
  node: Expr & { kind: 'mul' },
  equation: Equation,
  variables: ReadonlySet<string>,
) {
  const reciprocals = node.factors.filter(
    (f) => f.kind === 'div' && build.isConstant(f.numerator, 1),
  );
  if (reciprocals.length !== 1) return undefined;
  const reciprocal = reciprocals[0] as Expr & { kind: 'div' };
  const others = node.factors.filter((f) => f !== reciprocal);
  const quotient = {
    kind: 'div',
    numerator: build.mul(...others),
    denominator: reciprocal.denominator,
  } as const;
  return matchQuotient(quotient, equation, variables);
}

/**
 * Structural match of `pattern` against `node`, where the equation's own indices are
 * variables: a pattern access index that is a plain variable binds to any affine.
 */
function match(
  pattern: Expr,
  node: Expr,
  variables: ReadonlySet<string>,
  bindings: Map<string, Affine>,
): boolean {
  if (pattern.kind === 'access') {
    if (node.kind !== 'access' || node.tensor !== pattern.tensor) return false;
    return pattern.indices.every((p, k) =>
      bindIndex(p, node.indices[k] as Affine, variables, bindings),
    );
  }
  if (pattern.kind !== node.kind) return false;
  if (pattern.kind === 'const') return exprEquals(pattern, node);
  if (
    pattern.kind === 'apply' &&
    (node.kind !== 'apply' || node.fn !== pattern.fn || node.parameter !== pattern.parameter)
  ) {
    return false;
  }
  const patternChildren = children(pattern);
  const nodeChildren = children(node);
  if (patternChildren.length !== nodeChildren.length) return false;
  return patternChildren.every((p, k) => match(p, nodeChildren[k] as Expr, variables, bindings));
}

function bindIndex(
  p: Affine,
  value: Affine,
  variables: ReadonlySet<string>,
  bindings: Map<string, Affine>,
): boolean {
  const name = soleIndex(p);
  if (name === undefined || !variables.has(name)) return affineEquals(p, value);
  const bound = bindings.get(name);
  if (bound !== undefined) return affineEquals(bound, value);
  bindings.set(name, value);
  return true;
}

/** Applies identities such as `sum_j t_j = 1`; returns the expression and what was used. */
export function applyIdentities(
  expr: Expr,
  identities: readonly Identity[],
  shapes: ReadonlyMap<string, readonly number[]>,
): { expr: Expr; used: Identity[] } {
  const used = new Set<Identity>();
  const visit = (node: Expr): Expr => {
    const identity = identities.find((i) => isFullSum(node, i.tensor, shapes.get(i.tensor)));
    if (identity !== undefined) {
      used.add(identity);
      return build.ONE;
    }
    return mapChildren(node, visit);
  };
  return { expr: visit(expr), used: [...used] };
}

/** `sum_{j} t[j]` over the whole tensor, each index plain and over the full extent. */
function isFullSum(node: Expr, tensor: string, shape: readonly number[] | undefined): boolean {
  if (node.kind !== 'sum' || shape === undefined || node.conditions.length > 0) return false;
  const body = node.body;
  if (body.kind !== 'access' || body.tensor !== tensor) return false;
  return (
    body.indices.every((a, k) => {
      const name = soleIndex(a);
      const index = node.indices.find((v) => v.name === name);
      return index !== undefined && index.extent === shape[k];
    }) && node.indices.length === shape.length
  );
}
