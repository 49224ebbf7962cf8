import type { Affine } from '../program/affine.js';
import type { LimitTerm } from '../simplify/bounds.js';
import type { IndexExpr, Stmt, Test, Value } from './loops.js';

/**
 * Rewrites of the loop IR that the WGSL schedule needs when it fuses kernels: renaming the
 * names a statement list binds or reads, and replacing the loads of one buffer element by a
 * value. Both walk the whole tree and build a new one; the input is never changed.
 */

/** A rewrite: how names map, and what replaces a load (undefined keeps it). */
interface Rewrite {
  readonly name: (name: string) => string;
  readonly load?: (load: Value & { kind: 'load' }) => Value | undefined;
}

/** `stmts` with every index and local name passed through `rename`. */
export function renameStmts(stmts: readonly Stmt[], rename: (name: string) => string): Stmt[] {
  return stmts.map((s) => rewriteStmt(s, { name: rename }));
}

/** `stmts` with every load of `buffer` at exactly `offset` replaced by `value`. */
export function replaceLoads(
  stmts: readonly Stmt[],
  buffer: string,
  offset: IndexExpr,
  value: Value,
): Stmt[] {
  const key = offsetKey(offset);
  const load = (v: Value & { kind: 'load' }) =>
    v.buffer === buffer && offsetKey(v.offset) === key ? value : undefined;
  return stmts.map((s) => rewriteStmt(s, { name: (n) => n, load }));
}

/** A key equal for two offsets exactly when they name the same element: terms sorted by index. */
export function offsetKey(offset: IndexExpr): string {
  if (offset.kind !== 'offset') return JSON.stringify(offset);
  return JSON.stringify(
    offset.parts.map(({ stride, value }) => ({
      stride,
      constant: value.constant,
      divisor: value.divisor,
      terms: [...value.terms]
        .filter((t) => t.coefficient !== 0)
        .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0)),
    })),
  );
}

/** Every load in `stmts`, tests and limits included. */
export function loadsIn(stmts: readonly Stmt[]): (Value & { kind: 'load' })[] {
  const found: (Value & { kind: 'load' })[] = [];
  const load = (v: Value & { kind: 'load' }) => {
    found.push(v);
    return undefined;
  };
  for (const s of stmts) rewriteStmt(s, { name: (n) => n, load });
  return found;
}

/** Every name that `stmts` binds: loop indices and declared locals. */
export function boundNames(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const visit = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.kind === 'for') names.add(s.index);
      if (s.kind === 'declare' || s.kind === 'declareIndex') names.add(s.name);
      if (s.kind === 'for' || s.kind === 'if') visit(s.body);
    }
  };
  visit(stmts);
  return names;
}

/** Every name that `stmts` mentions, bound or free. */
export function mentionedNames(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const record = (name: string) => {
    names.add(name);
    return name;
  };
  for (const s of stmts) rewriteStmt(s, { name: record });
  return names;
}

function rewriteStmt(s: Stmt, r: Rewrite): Stmt {
  switch (s.kind) {
    case 'for':
      return {
        ...s,
        index: r.name(s.index),
        lower: rewriteIndex(s.lower, r),
        upper: rewriteIndex(s.upper, r),
        body: s.body.map((b) => rewriteStmt(b, r)),
      };
    case 'if':
      return { ...s, test: rewriteTest(s.test, r), body: s.body.map((b) => rewriteStmt(b, r)) };
    case 'skipUnless':
      return { ...s, test: rewriteTest(s.test, r) };
    case 'declare':
    case 'assign':
    case 'accumulate':
      return { ...s, name: r.name(s.name), value: rewriteValue(s.value, r) };
    case 'declareIndex':
    case 'assignIndex':
      return { ...s, name: r.name(s.name), value: rewriteIndex(s.value, r) };
    case 'store':
      return { ...s, offset: rewriteIndex(s.offset, r), value: rewriteValue(s.value, r) };
    case 'keepLarger':
      return {
        ...s,
        best: r.name(s.best),
        position: r.name(s.position),
        value: rewriteValue(s.value, r),
        at: rewriteIndex(s.at, r),
      };
    case 'comment':
      return s;
  }
}

function rewriteValue(v: Value, r: Rewrite): Value {
  switch (v.kind) {
    case 'load': {
      const moved = { ...v, offset: rewriteIndex(v.offset, r) };
      return r.load?.(moved) ?? moved;
    }
    case 'local':
      return { ...v, name: r.name(v.name) };
    case 'binary':
      return { ...v, left: rewriteValue(v.left, r), right: rewriteValue(v.right, r) };
    case 'negate':
      return { ...v, operand: rewriteValue(v.operand, r) };
    case 'call':
      return { ...v, args: v.args.map((a) => rewriteValue(a, r)) };
    case 'select':
      return {
        ...v,
        test: rewriteTest(v.test, r),
        then: rewriteValue(v.then, r),
        otherwise: rewriteValue(v.otherwise, r),
      };
    case 'number':
    case 'batchSize':
      return v;
  }
}

function rewriteTest(t: Test, r: Rewrite): Test {
  switch (t.kind) {
    case 'inRange':
    case 'divisible':
      return { ...t, value: rewriteAffine(t.value, r) };
    case 'positive':
      return { ...t, value: rewriteValue(t.value, r) };
    case 'greater':
      return { ...t, left: rewriteValue(t.left, r), right: rewriteValue(t.right, r) };
    case 'equalsIndex':
      return { ...t, value: rewriteValue(t.value, r), index: rewriteIndex(t.index, r) };
    case 'all':
      return { ...t, tests: t.tests.map((u) => rewriteTest(u, r)) };
  }
}

function rewriteIndex(e: IndexExpr, r: Rewrite): IndexExpr {
  switch (e.kind) {
    case 'affine':
      return { ...e, value: rewriteAffine(e.value, r) };
    case 'offset':
      return { ...e, parts: e.parts.map((p) => ({ ...p, value: rewriteAffine(p.value, r) })) };
    case 'limit':
      return { ...e, terms: e.terms.map((t): LimitTerm => rewriteLimitTerm(t, r)) };
    case 'lastExample':
    case 'lastTileStart':
    case 'afterTiles':
      return e;
  }
}

function rewriteLimitTerm(t: LimitTerm, r: Rewrite): LimitTerm {
  return { ...t, numerator: rewriteAffine(t.numerator, r) };
}

function rewriteAffine(a: Affine, r: Rewrite): Affine {
  return { ...a, terms: a.terms.map((t) => ({ ...t, index: r.name(t.index) })) };
}
