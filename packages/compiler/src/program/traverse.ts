import { invariant } from '../errors.js';
import {
  type Affine,
  affineEquals,
  affineIndices,
  indexAffine,
  renameAffine,
  substituteAffine,
} from './affine.js';
import * as build from './build.js';
import type { Condition, Expr, IndexVar } from './ir.js';

/** The direct sub-expressions of `expr`. */
export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'const':
    case 'access':
    case 'delta':
      return [];
    case 'isWinner':
      return [expr.winner];
    case 'add':
      return expr.terms;
    case 'mul':
      return expr.factors;
    case 'div':
      return [expr.numerator, expr.denominator];
    case 'apply':
      return [expr.arg];
    case 'select':
      return [expr.test, expr.then, expr.otherwise];
    case 'sum':
    case 'max':
    case 'argmax':
    case 'winner':
    case 'guard':
      return [expr.body];
    case 'derivative':
      return [expr.of];
  }
}

/** Rebuilds `expr` with each child replaced by `f(child)`, through the smart constructors. */
export function mapChildren(expr: Expr, f: (child: Expr) => Expr): Expr {
  switch (expr.kind) {
    case 'const':
    case 'access':
    case 'delta':
      return expr;
    case 'add':
      return build.add(...expr.terms.map(f));
    case 'mul':
      return build.mul(...expr.factors.map(f));
    case 'div':
      return build.div(f(expr.numerator), f(expr.denominator));
    case 'apply':
      return build.apply(expr.fn, f(expr.arg), expr.parameter);
    case 'select':
      return build.select(f(expr.test), f(expr.then), f(expr.otherwise));
    case 'sum':
      return build.sum(expr.indices, f(expr.body), expr.conditions);
    case 'max':
      return build.max(expr.indices, f(expr.body), expr.conditions);
    case 'argmax':
    case 'winner':
      return { ...expr, body: f(expr.body) };
    case 'isWinner': {
      const winner = f(expr.winner);
      invariant(winner.kind === 'access', 'the winner of an isWinner test must stay an access');
      return { ...expr, winner };
    }
    case 'guard':
      return build.guard(expr.conditions, f(expr.body));
    case 'derivative':
      return build.derivative(f(expr.of), expr.wrt);
  }
}

/** Every node of `expr`, parents before children. */
export function* walk(expr: Expr): Generator<Expr> {
  yield expr;
  for (const child of children(expr)) yield* walk(child);
}

export function readsTensor(expr: Expr, tensor: string): boolean {
  for (const node of walk(expr)) if (node.kind === 'access' && node.tensor === tensor) return true;
  return false;
}

export function tensorsRead(expr: Expr): Set<string> {
  const names = new Set<string>();
  for (const node of walk(expr)) if (node.kind === 'access') names.add(node.tensor);
  return names;
}

/** Indices a node binds: those of sums, maxima and argmax windows. */
export function boundIndices(expr: Expr): readonly IndexVar[] {
  switch (expr.kind) {
    case 'sum':
    case 'max':
    case 'argmax':
    case 'winner':
      return expr.indices;
    default:
      return [];
  }
}

/** Index names that occur free in `expr` (not bound by an enclosing sum inside it). */
export function freeIndices(expr: Expr): Set<string> {
  const free = new Set<string>();
  const visit = (node: Expr, bound: ReadonlySet<string>): void => {
    const inner = new Set([...bound, ...boundIndices(node).map((v) => v.name)]);
    for (const a of ownAffines(node)) {
      for (const name of affineIndices(a)) if (!inner.has(name)) free.add(name);
    }
    for (const child of children(node)) visit(child, inner);
  };
  visit(expr, new Set());
  return free;
}

/** Every index name used in `expr`, bound or free. */
export function allIndexNames(expr: Expr): Set<string> {
  const names = new Set<string>();
  for (const node of walk(expr)) {
    for (const v of boundIndices(node)) names.add(v.name);
    for (const a of ownAffines(node)) for (const name of affineIndices(a)) names.add(name);
  }
  return names;
}

/** The affine expressions a node holds itself (not those of its children). */
function ownAffines(expr: Expr): readonly Affine[] {
  switch (expr.kind) {
    case 'access':
      return expr.indices;
    case 'delta':
      return [expr.left, expr.right];
    case 'sum':
    case 'max':
    case 'winner':
    case 'guard':
      return expr.conditions.map((c) => c.affine);
    case 'argmax':
      return [...expr.conditions.map((c) => c.affine), ...expr.at];
    case 'isWinner':
      return [expr.position];
    case 'derivative':
      return expr.wrt.indices;
    default:
      return [];
  }
}

export function substituteCondition(
  c: Condition,
  bindings: ReadonlyMap<string, Affine>,
): Condition {
  return { ...c, affine: substituteAffine(c.affine, bindings) };
}

/** A name not in `taken`: `base`, then `base2`, `base3`, ... */
export function freshName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base}${k}`)) return `${base}${k}`;
}

/**
 * Replaces free indices by affine values everywhere in `expr`. Bound indices that would
 * capture a name used in a value are renamed first, so the result always means what it says.
 */
export function substitute(expr: Expr, bindings: ReadonlyMap<string, Affine>): Expr {
  if (bindings.size === 0) return expr;
  const valueNames = new Set<string>();
  for (const value of bindings.values())
    for (const name of affineIndices(value)) valueNames.add(name);
  return substituteInside(expr, bindings, valueNames);
}

function substituteInside(
  expr: Expr,
  bindings: ReadonlyMap<string, Affine>,
  valueNames: ReadonlySet<string>,
): Expr {
  const bound = boundIndices(expr);
  if (bound.length > 0) return substituteUnderBinder(expr, bindings, valueNames);
  const here = substituteOwn(expr, bindings);
  return mapChildren(here, (child) => substituteInside(child, bindings, valueNames));
}

function substituteUnderBinder(
  expr: Expr,
  bindings: ReadonlyMap<string, Affine>,
  valueNames: ReadonlySet<string>,
): Expr {
  const taken = new Set([...valueNames, ...allIndexNames(expr), ...bindings.keys()]);
  const renames = new Map<string, string>();
  for (const v of boundIndices(expr)) {
    if (valueNames.has(v.name)) {
      const fresh = freshName(v.name, taken);
      taken.add(fresh);
      renames.set(v.name, fresh);
    }
  }
  const renamed = renames.size > 0 ? renameBound(expr, renames) : expr;
  const inner = new Map(bindings);
  for (const v of boundIndices(renamed)) inner.delete(v.name);
  // An argmax's position lies outside its window: it takes the outer bindings.
  const positioned =
    renamed.kind === 'argmax'
      ? { ...renamed, at: renamed.at.map((a) => substituteAffine(a, bindings)) }
      : renamed;
  const here = substituteOwn(positioned, inner);
  return mapChildren(here, (child) => substituteInside(child, inner, valueNames));
}

/** Renames the indices bound by `expr` itself, throughout its body. */
function renameBound(expr: Expr, renames: ReadonlyMap<string, string>): Expr {
  const values = new Map([...renames].map(([from, to]) => [from, indexAffine(to)] as const));
  const indices = boundIndices(expr).map((v) => ({ ...v, name: renames.get(v.name) ?? v.name }));
  const rename = (c: Condition) => ({ ...c, affine: renameAffine(c.affine, renames) });
  switch (expr.kind) {
    case 'sum':
    case 'max':
    case 'winner':
      return {
        ...expr,
        indices,
        conditions: expr.conditions.map(rename),
        body: substitute(expr.body, values),
      };
    case 'argmax':
      return {
        ...expr,
        indices,
        conditions: expr.conditions.map(rename),
        body: substitute(expr.body, values),
      };
    default:
      return expr;
  }
}

/** Substitutes in the affine fields a node holds itself. */
function substituteOwn(expr: Expr, bindings: ReadonlyMap<string, Affine>): Expr {
  const at = (a: Affine) => substituteAffine(a, bindings);
  const cond = (c: Condition) => substituteCondition(c, bindings);
  switch (expr.kind) {
    case 'access':
      return build.access(expr.tensor, expr.indices.map(at));
    case 'delta':
      return build.delta(at(expr.left), at(expr.right));
    case 'sum':
    case 'max':
    case 'winner':
    case 'guard':
      return { ...expr, conditions: expr.conditions.map(cond) };
    case 'argmax':
      return { ...expr, conditions: expr.conditions.map(cond) };
    case 'isWinner':
      return { ...expr, position: at(expr.position) };
    case 'derivative':
      return build.derivative(expr.of, build.access(expr.wrt.tensor, expr.wrt.indices.map(at)));
    default:
      return expr;
  }
}

export function conditionEquals(a: Condition, b: Condition): boolean {
  if (a.kind !== b.kind || !affineEquals(a.affine, b.affine)) return false;
  return (
    a.kind === 'divisible' || (b.kind === 'bounds' && a.lower === b.lower && a.upper === b.upper)
  );
}

/** Structural equality, with bound indices compared by name. */
export function exprEquals(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind) return false;
  if (!ownFieldsEqual(a, b)) return false;
  const left = children(a);
  const right = children(b);
  return (
    left.length === right.length && left.every((child, k) => exprEquals(child, right[k] as Expr))
  );
}

function ownFieldsEqual(a: Expr, b: Expr): boolean {
  const left = ownAffines(a);
  const right = ownAffines(b);
  if (left.length !== right.length || !left.every((x, k) => affineEquals(x, right[k] as Affine))) {
    return false;
  }
  const boundA = boundIndices(a);
  const boundB = boundIndices(b);
  if (boundA.length !== boundB.length) return false;
  if (!boundA.every((v, k) => v.name === boundB[k]?.name && v.extent === boundB[k]?.extent)) {
    return false;
  }
  return scalarFieldsEqual(a, b);
}

function scalarFieldsEqual(a: Expr, b: Expr): boolean {
  switch (a.kind) {
    case 'const':
      return b.kind === 'const' && a.value === b.value;
    case 'access':
      return b.kind === 'access' && a.tensor === b.tensor;
    case 'apply':
      return b.kind === 'apply' && a.fn === b.fn && a.parameter === b.parameter;
    case 'derivative':
      return b.kind === 'derivative' && a.wrt.tensor === b.wrt.tensor;
    case 'sum':
    case 'max':
    case 'guard':
    case 'argmax':
    case 'winner': {
      const conditionsA = a.conditions;
      const conditionsB = (b as typeof a).conditions;
      return (
        conditionsA.length === conditionsB.length &&
        conditionsA.every((c, k) => conditionEquals(c, conditionsB[k] as Condition))
      );
    }
    default:
      return true;
  }
}
