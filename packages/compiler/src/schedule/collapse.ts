import {
  type Affine,
  affine,
  coefficientOf,
  indexAffine,
  substituteAffine,
} from '../program/affine.js';
import type { IndexExpr, Stmt } from './loops.js';
import { mapStmt } from './tile.js';

/**
 * Loop shapes that suit a CPU: no loop runs once, and two nested loops that walk memory as one
 * contiguous range become one longer loop. Both keep every sum's terms in the same order, so
 * the numbers do not change.
 */

/** `for (k = c; k <= c; k++) body` is `body` with `k = c`, where the body declares nothing. */
export function dropUnitLoops(stmts: readonly Stmt[]): Stmt[] {
  return stmts.flatMap((s): Stmt[] => {
    if (s.kind === 'if') return [{ ...s, body: dropUnitLoops(s.body) }];
    if (s.kind !== 'for') return [s];
    const body = dropUnitLoops(s.body);
    const only = constantOf(s.lower);
    if (only === undefined || only !== constantOf(s.upper) || declaresLocals(body))
      return [{ ...s, body }];
    const bindings = new Map([[s.index, affine({}, only)]]);
    return body.map((b) =>
      mapStmt(b, { affine: (a) => substituteAffine(a, bindings), local: same }),
    );
  });
}

/**
 * `for a in 0..A-1 { for b in 0..B-1 body }` is one loop over `ab in 0..A*B-1` where every
 * affine in the body weighs `a` exactly `B` times `b`: then `wa * a + wb * b = wb * ab`. A
 * convolution's inner window column and channel loops are such a pair: `6 * n + k`.
 */
export function collapseLoops(stmts: readonly Stmt[]): Stmt[] {
  return stmts.map((s): Stmt => {
    if (s.kind === 'if') return { ...s, body: collapseLoops(s.body) };
    if (s.kind !== 'for') return s;
    const body = collapseLoops(s.body);
    return collapsed({ ...s, body }) ?? { ...s, body };
  });
}

type Loop = Stmt & { kind: 'for' };

function collapsed(outer: Loop): Loop | undefined {
  const [inner] = outer.body;
  if (outer.body.length !== 1 || inner?.kind !== 'for') return undefined;
  const outerExtent = zeroBasedExtent(outer);
  const innerExtent = zeroBasedExtent(inner);
  if (outerExtent === undefined || innerExtent === undefined) return undefined;

  const body = inner.body.map(flattenOffsets);
  let fits = true;
  const check = (a: Affine) => {
    const weight = coefficientOf(a, inner.index);
    if (coefficientOf(a, outer.index) !== innerExtent * weight) fits = false;
    return a;
  };
  for (const s of body) mapStmt(s, { affine: check, local: same });
  if (!fits) return undefined;

  const index = `${outer.index}${inner.index}`;
  const bindings = new Map([
    [outer.index, affine({}, 0)],
    [inner.index, indexAffine(index)],
  ]);
  const substitute = (a: Affine) => substituteAffine(a, bindings);
  return {
    ...inner,
    index,
    upper: { kind: 'affine', value: affine({}, outerExtent * innerExtent - 1) },
    body: body.map((s) => mapStmt(s, { affine: substitute, local: same })),
  };
}

/** The number of iterations of a loop from 0 to a constant, step 1; else undefined. */
function zeroBasedExtent(loop: Loop): number | undefined {
  const last = constantOf(loop.upper);
  if (constantOf(loop.lower) !== 0 || last === undefined || (loop.step ?? 1) !== 1)
    return undefined;
  return last + 1;
}

/** The value of a loop limit that depends on no index, else undefined. */
function constantOf(e: IndexExpr): number | undefined {
  if (e.kind === 'affine')
    return e.value.terms.length === 0 && e.value.divisor === 1 ? e.value.constant : undefined;
  if (e.kind !== 'limit' || e.terms.some((t) => t.numerator.terms.length > 0)) return undefined;
  const values = e.terms.map((t) => t.numerator.constant / t.numerator.divisor / t.divisor);
  return e.side === 'lower'
    ? Math.max(...values.map(Math.ceil))
    : Math.min(...values.map(Math.floor));
}

/** Offsets as one part each, so that the check sees every index's total weight. */
function flattenOffsets(s: Stmt): Stmt {
  const flat = (e: IndexExpr): IndexExpr => {
    if (e.kind !== 'offset' || e.parts.some((p) => p.value.divisor !== 1)) return e;
    let total = affine({}, 0);
    for (const { stride, value } of e.parts) {
      const coefficients = new Map(value.terms.map((t) => [t.index, stride * t.coefficient]));
      for (const t of total.terms)
        coefficients.set(t.index, (coefficients.get(t.index) ?? 0) + t.coefficient);
      total = affine(coefficients, total.constant + stride * value.constant);
    }
    return { kind: 'offset', parts: [{ stride: 1, value: total }] };
  };
  return mapStmt(s, { affine: (a) => a, local: same, offset: flat });
}

function declaresLocals(stmts: readonly Stmt[]): boolean {
  return stmts.some(
    (s) =>
      s.kind === 'declare' ||
      s.kind === 'declareIndex' ||
      ((s.kind === 'for' || s.kind === 'if') && declaresLocals(s.body)),
  );
}

const same = (name: string) => name;
