import { indexAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Access, Derivative, Expr, Max } from '../program/ir.js';
import {
  allIndexNames,
  freshName,
  mapChildren,
  readsTensor,
  substitute,
  substituteCondition,
  walk,
} from '../program/traverse.js';
import { scalarRuleFormulas, scalarRules } from './scalar-rules.js';
import type { RuleName } from './types.js';

/**
 * Differentiation as rewrite passes over `Derivative` nodes, one pass per rule, so that a
 * trace can show each rule at work. A pass returns undefined where its rule does not apply
 * to a node; `differentiate` runs the passes until no derivative is left.
 */
interface Pass {
  readonly rule: RuleName;
  readonly describe: (used: ReadonlySet<string>) => string;
  readonly rewrite: (d: Derivative) => Expr | undefined;
}

/** Differentiation is linear: it passes through sums, additions and constant factors. */
const linearity: Pass = {
  rule: 'linearity',
  describe: () =>
    'the derivative of a sum is the sum of the derivatives, constant factors stay, and terms that do not read the variable drop out',
  rewrite: ({ of, wrt }) => {
    const inner = (e: Expr) => build.derivative(e, wrt);
    if (!readsTensor(of, wrt.tensor)) return build.ZERO;
    switch (of.kind) {
      case 'sum':
        return build.sum(of.indices, inner(of.body), of.conditions);
      case 'add':
        return build.add(...of.terms.map(inner));
      case 'guard':
        return build.guard(of.conditions, inner(of.body));
      case 'mul': {
        const dependent = of.factors.filter((f) => readsTensor(f, wrt.tensor));
        if (dependent.length !== 1) return undefined;
        return build.mul(...of.factors.map((f) => (readsTensor(f, wrt.tensor) ? inner(f) : f)));
      }
      case 'div':
        if (readsTensor(of.denominator, wrt.tensor)) return undefined;
        return build.div(inner(of.numerator), of.denominator);
      default:
        return undefined;
    }
  },
};

/** `(ab)' = a'b + ab'` and `(a/b)' = a'/b - a b'/b^2`, where more than one part depends. */
const productRule: Pass = {
  rule: 'productRule',
  describe: () => "product rule (ab)' = a'b + ab' and quotient rule (a/b)' = a'/b - ab'/b^2",
  rewrite: ({ of, wrt }) => {
    const inner = (e: Expr) => build.derivative(e, wrt);
    if (of.kind === 'mul') {
      const terms = of.factors.map((_, k) =>
        build.mul(...of.factors.map((f, j) => (j === k ? inner(f) : f))),
      );
      return build.add(...terms);
    }
    if (of.kind === 'div') {
      const { numerator: a, denominator: b } = of;
      const first = build.div(inner(a), b);
      const second = build.div(build.mul(a, inner(b)), build.apply('square', b));
      return build.sub(first, second);
    }
    return undefined;
  },
};

/** `f(u)' = f'(u) * u'` from the table, and the derivative of max as its argmax indicator. */
const scalarRule: Pass = {
  rule: 'scalarRule',
  describe: (used) =>
    [...used]
      .map((fn) => scalarRuleFormulas[fn as keyof typeof scalarRuleFormulas] ?? maxRule)
      .join('; '),
  rewrite: ({ of, wrt }) => {
    const inner = (e: Expr) => build.derivative(e, wrt);
    switch (of.kind) {
      case 'apply':
        return build.mul(scalarRules[of.fn](of.arg, of), inner(of.arg));
      case 'select':
        return build.select(of.test, inner(of.then), inner(of.otherwise));
      case 'max':
        return maxDerivative(of, wrt);
      default:
        return undefined;
    }
  },
};

/**
 * `d max_m f(m) = sum_m [m = argmax_k f(k)] * df(m)`. The indicator scans its own window
 * under fresh names, so that eliminating the outer `m` later rewrites only where it points.
 */
function maxDerivative(of: Max, wrt: Access): Expr {
  const taken = new Set([...allIndexNames(of), ...allIndexNames(wrt)]);
  const window = of.indices.map((v) => {
    const name = freshName(`${v.name}2`, taken);
    taken.add(name);
    return { ...v, name };
  });
  const renames = new Map(
    of.indices.map((v, k) => [v.name, indexAffine(window[k]?.name ?? v.name)]),
  );
  const scanned = substitute(of.body, renames);
  const conditions = of.conditions.map((c) => substituteCondition(c, renames));
  const at = of.indices.map((v) => indexAffine(v.name));
  const indicator: Expr = { kind: 'argmax', indices: window, conditions, body: scanned, at };
  return build.sum(of.indices, build.mul(indicator, build.derivative(of.body, wrt)), of.conditions);
}

const maxRule =
  'd/dx max_m f(m) = sum_m [m is the first argmax] * df(m)/dx: only the first largest element passes the gradient, as in TensorFlow';

/** `d A[a] / d A[p] = prod_k [p_k = a_k]`: an access differentiates to Kronecker deltas. */
const accessDerivative: Pass = {
  rule: 'accessDerivative',
  describe: () =>
    'the derivative of an element with respect to an element of the same tensor is a Kronecker delta: 1 where their indices agree, else 0',
  rewrite: ({ of, wrt }) => {
    if (of.kind !== 'access' || of.tensor !== wrt.tensor) return undefined;
    return build.mul(...wrt.indices.map((p, k) => build.delta(p, of.indices[k] ?? p)));
  },
};

export const differentiationPasses: readonly Pass[] = [
  linearity,
  productRule,
  scalarRule,
  accessDerivative,
];

export interface PassResult {
  readonly rule: RuleName;
  readonly description: string;
  readonly after: Expr;
}

/** Applies one pass everywhere, repeatedly, until it no longer changes the expression. */
export function runPass(expr: Expr, pass: Pass): PassResult | undefined {
  const used = new Set<string>();
  let changed = false;
  const visit = (node: Expr): Expr => {
    if (node.kind === 'derivative') {
      const rewritten = pass.rewrite(node);
      if (rewritten !== undefined) {
        changed = true;
        if (node.of.kind === 'apply') used.add(node.of.fn);
        if (node.of.kind === 'max') used.add('max');
        return visit(rewritten);
      }
      return node;
    }
    return mapChildren(node, visit);
  };
  const after = visit(expr);
  return changed ? { rule: pass.rule, description: pass.describe(used), after } : undefined;
}

export function hasDerivative(expr: Expr): boolean {
  for (const node of walk(expr)) if (node.kind === 'derivative') return true;
  return false;
}

/** A `d of / d wrt` node whose `of` is an element of a tensor. */
export function partial(of: Access, wrt: Access): Derivative {
  return build.derivative(of, wrt);
}
