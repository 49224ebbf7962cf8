import {
  type Affine,
  addAffine,
  affine,
  indexAffine,
  substituteAffine,
} from '../program/affine.js';
import { collapseLoops, dropUnitLoops } from './collapse.js';
import type { IndexExpr, Kernel, Stmt, Test, Value } from './loops.js';
import { EXAMPLE } from './lower-kernel.js';
import { hoistLoads } from './registers.js';
import { reduceOffsets } from './strength.js';

/**
 * Register tiling for CPU backends ("unroll and jam"). A kernel computes each element of its
 * grid on its own; here a tile of neighbouring elements (4 examples by 4 outputs, say) is
 * computed together: the copies of the element's statements share their reduction loops, so
 * every value loaded in the inner loop serves the whole tile from a register. V8 runs a
 * 4 x 4 tile of a dense layer about four times faster than one element at a time.
 *
 * Every copy writes its own locals and its own output element and reads nothing another copy
 * writes, so any interleaving of the copies computes the same numbers. Where the copies'
 * loops differ (limits that depend on a tiled index), they simply run one after another.
 */
export function tiledGrid(kernel: Kernel): Stmt[] {
  const shaped = { ...kernel, element: collapseLoops(dropUnitLoops(withUnitIndices(kernel))) };
  const dims = gridDims(shaped).filter((d) => d.extent !== 1);
  const tiles = new Map(tilingWorthIt(shaped) ? chooseTiles(shaped, dims) : []);
  return hoistLoads(reduceOffsets(nest(shaped, dims, 0, tiles, [new Map()])));
}

/** Elements larger than this are not copied: code size would outgrow the gain. */
const MAX_ELEMENT_STATEMENTS = 16;

/**
 * Tile sizes to try for one dimension, best first, and the most copies of a tile. V8 keeps
 * about 16 floats in registers and spills the rest to the stack, which stays in the L1 cache:
 * measured on LeNet-5, 4 x 8 and 6 x 8 tiles still beat 4 x 4, and a size that divides the
 * extent (no remainder loop of single elements) beats one that does not.
 */
const TILE_SIZES = [8, 6, 4, 3, 5, 2];
const MAX_TILE_COPIES = 48;

/** A dimension this short is tiled whole: the tile loop disappears. */
const WHOLE_TILE = 6;

/** The examples' tile: their number is only known when a step runs. */
const EXAMPLE_TILE = 4;

/** A dimension tiled alone (a weight gradient's channels) takes up to this many copies. */
const MAX_SINGLE_TILE = 8;

interface Dim {
  readonly name: string;
  /** Undefined for the examples of the batch, whose number is known only at run time. */
  readonly extent?: number;
}

function gridDims(kernel: Kernel): Dim[] {
  const indices = kernel.grid.indices.map((v) => ({ name: v.name, extent: v.extent }));
  return kernel.grid.examples ? [{ name: EXAMPLE }, ...indices] : indices;
}

/** The element with every grid index of extent 1 replaced by 0: no loop runs once. */
function withUnitIndices(kernel: Kernel): Stmt[] {
  const unit = kernel.grid.indices.filter((v) => v.extent === 1);
  const bindings = new Map(unit.map((v) => [v.name, affine({}, 0)] as const));
  const rewrite = { affine: (a: Affine) => substituteAffine(a, bindings), local: unchanged };
  return kernel.element.map((s) => mapStmt(s, rewrite));
}

/** Tiling pays where an element runs a reduction loop, and stays small enough to copy. */
function tilingWorthIt(kernel: Kernel): boolean {
  return (
    kernel.element.some((s) => s.kind === 'for') &&
    countStatements(kernel.element) <= MAX_ELEMENT_STATEMENTS
  );
}

/**
 * The examples and the last output index, or the last two output indices of a weight
 * gradient, with their tile sizes. Indices that set the limits of the element's loops are
 * passed over: copies with different loops cannot share them.
 */
function chooseTiles(kernel: Kernel, dims: readonly Dim[]): [string, number][] {
  const inLimits = indicesInLimits(kernel.element);
  const candidates = dims.filter(
    (d) => d.name !== EXAMPLE && !inLimits.has(d.name) && (d.extent ?? 0) >= 2,
  );
  const wanted = kernel.grid.examples ? 1 : 2;
  const chosen = candidates.slice(-wanted).reverse();
  const copies = kernel.grid.examples ? EXAMPLE_TILE : 1;
  const sizes: [string, number][] = [];
  for (const d of chosen) {
    const limit = Math.floor(MAX_TILE_COPIES / (copies * (sizes[0]?.[1] ?? 1)));
    sizes.push([d.name, tileSize(d.extent ?? 0, chosen.length === 1 && copies === 1, limit)]);
  }
  return kernel.grid.examples ? [[EXAMPLE, EXAMPLE_TILE], ...sizes] : sizes;
}

const unchanged = (name: string) => name;

/** Every index that an index expression mentions. */
function indicesOf(e: IndexExpr): Set<string> {
  const names = new Set<string>();
  const record = (a: Affine) => {
    for (const t of a.terms) names.add(t.index);
    return a;
  };
  mapIndex(e, { affine: record, local: unchanged });
  return names;
}

/**
 * The whole extent when short enough, else the first size of `TILE_SIZES` up to `limit` that
 * divides the extent, else the first that fits in it.
 */
function tileSize(extent: number, alone: boolean, limit: number): number {
  if (extent <= Math.min(alone ? MAX_SINGLE_TILE : WHOLE_TILE, limit)) return extent;
  const sizes = TILE_SIZES.filter((t) => t <= Math.min(limit, extent));
  return sizes.find((t) => extent % t === 0) ?? sizes[0] ?? 1;
}

/** Indices that a loop limit or a skip of the element mentions. */
function indicesInLimits(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const visit = (s: Stmt): void => {
    if (s.kind === 'for') {
      for (const name of [...indicesOf(s.lower), ...indicesOf(s.upper)]) names.add(name);
      s.body.forEach(visit);
    }
    if (s.kind === 'skipUnless')
      mapTest(s.test, {
        affine: (a) => {
          for (const t of a.terms) names.add(t.index);
          return a;
        },
        local: unchanged,
      });
  };
  stmts.forEach(visit);
  return names;
}

type Shift = ReadonlyMap<string, number>;

/** The loops over dims[at..], each tiled dimension in whole tiles then its remainder. */
function nest(
  kernel: Kernel,
  dims: readonly Dim[],
  at: number,
  tiles: ReadonlyMap<string, number>,
  shifts: readonly Shift[],
): Stmt[] {
  const dim = dims[at];
  if (dim === undefined)
    return jam(
      shifts.map((shift, k) =>
        copyElement(kernel.element, shift, shifts.length > 1 ? `_${k}` : ''),
      ),
    );
  const inner = (next: readonly Shift[]) => nest(kernel, dims, at + 1, tiles, next);
  const first: IndexExpr = { kind: 'affine', value: affine({}, 0) };
  const last: IndexExpr =
    dim.extent === undefined ? { kind: 'lastExample' } : constant(dim.extent - 1);
  const tile = tiles.get(dim.name);
  if (tile === undefined)
    return [{ kind: 'for', index: dim.name, lower: first, upper: last, body: inner(shifts) }];

  const widened = shifts.flatMap((s) =>
    Array.from({ length: tile }, (_, k) => new Map([...s, [dim.name, k]])),
  );
  if (dim.extent === tile) return inner(widened).map((s) => mapStmt(s, atZero(dim.name)));
  const wholeTiles: Stmt = {
    kind: 'for',
    index: dim.name,
    lower: first,
    upper: dim.extent === undefined ? { kind: 'lastTileStart', tile } : constant(dim.extent - tile),
    step: tile,
    body: inner(widened),
  };
  if (dim.extent !== undefined && dim.extent % tile === 0) return [wholeTiles];
  const rest =
    dim.extent === undefined
      ? ({ kind: 'afterTiles', tile } as const)
      : constant(dim.extent - (dim.extent % tile));
  return [
    wholeTiles,
    { kind: 'for', index: dim.name, lower: rest, upper: last, body: inner(shifts) },
  ];
}

/** Sets an index to 0: a tile that spans its whole dimension needs no loop. */
function atZero(index: string): Rewrite {
  const bindings = new Map([[index, affine({}, 0)]]);
  return { affine: (a) => substituteAffine(a, bindings), local: unchanged };
}

function constant(value: number): IndexExpr {
  return { kind: 'affine', value: affine({}, value) };
}

/**
 * Interleaves copies that have the same shape: loops with the same limits become one loop
 * whose body interleaves the copies' bodies; anything else runs copy after copy.
 */
function jam(copies: readonly (readonly Stmt[])[]): Stmt[] {
  const [first] = copies;
  if (first === undefined) return [];
  if (copies.length === 1 || copies.some((c) => c.length !== first.length)) return copies.flat();
  return first.flatMap((stmt, position) => {
    const here = copies.map((c) => c[position] as Stmt);
    if (stmt.kind === 'skipUnless' && here.every((s) => same(s, stmt))) return [stmt];
    if (stmt.kind === 'for' && here.every((s) => sameLoop(s, stmt))) {
      const bodies = here.map((s) => (s.kind === 'for' ? s.body : []));
      if (!skipsAlike(bodies)) return here;
      return [{ ...stmt, body: jam(bodies) }];
    }
    return here;
  });
}

/**
 * A `continue` in a shared loop would skip every copy's work: bodies are only interleaved
 * when their skips test the same thing.
 */
function skipsAlike(bodies: readonly (readonly Stmt[])[]): boolean {
  const [first] = bodies;
  return bodies.every((body) =>
    body.every(
      (s, k) => s.kind !== 'skipUnless' || (first !== undefined && same(s, first[k] as Stmt)),
    ),
  );
}

function same(a: Stmt, b: Stmt): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameLoop(a: Stmt, b: Stmt & { kind: 'for' }): boolean {
  if (a.kind !== 'for' || a.index !== b.index || a.step !== b.step) return false;
  return JSON.stringify([a.lower, a.upper]) === JSON.stringify([b.lower, b.upper]);
}

/** The element at grid point `index + shift`, its locals renamed with `suffix`. */
function copyElement(element: readonly Stmt[], shift: Shift, suffix: string): Stmt[] {
  const bindings = new Map(
    [...shift].map(([name, k]) => [name, addAffine(indexAffine(name), affine({}, k))] as const),
  );
  const locals = declaredLocals(element);
  const rename = (name: string) => (locals.has(name) ? `${name}${suffix}` : name);
  const mapped = (a: Affine) => substituteAffine(a, bindings);
  return element.map((s) => mapStmt(s, { affine: mapped, local: rename }));
}

export interface Rewrite {
  readonly affine: (a: Affine) => Affine;
  readonly local: (name: string) => string;
  /** Rewrites a flat offset as a whole, instead of its parts' affines one by one. */
  readonly offset?: (e: IndexExpr & { kind: 'offset' }) => IndexExpr;
}

export function mapStmt(s: Stmt, r: Rewrite): Stmt {
  const value = (v: Value) => mapValue(v, r);
  const index = (e: IndexExpr) => mapIndex(e, r);
  switch (s.kind) {
    case 'for':
      return {
        ...s,
        lower: index(s.lower),
        upper: index(s.upper),
        body: s.body.map((b) => mapStmt(b, r)),
      };
    case 'if':
      return { ...s, test: mapTest(s.test, r), body: s.body.map((b) => mapStmt(b, r)) };
    case 'skipUnless':
      return { ...s, test: mapTest(s.test, r) };
    case 'declare':
    case 'assign':
    case 'accumulate':
      return { ...s, name: r.local(s.name), value: value(s.value) };
    case 'declareIndex':
    case 'assignIndex':
      return { ...s, name: r.local(s.name), value: index(s.value) };
    case 'store':
      return { ...s, offset: index(s.offset), value: value(s.value) };
    case 'comment':
      return s;
  }
}

function mapValue(v: Value, r: Rewrite): Value {
  switch (v.kind) {
    case 'load':
      return { ...v, offset: mapIndex(v.offset, r) };
    case 'local':
      return { ...v, name: r.local(v.name) };
    case 'binary':
      return { ...v, left: mapValue(v.left, r), right: mapValue(v.right, r) };
    case 'negate':
      return { ...v, operand: mapValue(v.operand, r) };
    case 'call':
      return { ...v, args: v.args.map((a) => mapValue(a, r)) };
    case 'select':
      return {
        ...v,
        test: mapTest(v.test, r),
        then: mapValue(v.then, r),
        otherwise: mapValue(v.otherwise, r),
      };
    default:
      return v;
  }
}

export function mapIndex(e: IndexExpr, r: Rewrite): IndexExpr {
  switch (e.kind) {
    case 'affine':
      return { ...e, value: r.affine(e.value) };
    case 'offset':
      if (r.offset !== undefined) return r.offset(e);
      return { ...e, parts: e.parts.map((p) => ({ ...p, value: r.affine(p.value) })) };
    case 'limit':
      return { ...e, terms: e.terms.map((t) => ({ ...t, numerator: r.affine(t.numerator) })) };
    default:
      return e;
  }
}

export function mapTest(t: Test, r: Rewrite): Test {
  switch (t.kind) {
    case 'inRange':
    case 'divisible':
      return { ...t, value: r.affine(t.value) };
    case 'positive':
      return { ...t, value: mapValue(t.value, r) };
    case 'greater':
      return { ...t, left: mapValue(t.left, r), right: mapValue(t.right, r) };
    case 'indexEquals':
      return { ...t, left: r.local(t.left), right: mapIndex(t.right, r) };
    case 'all':
      return { ...t, tests: t.tests.map((x) => mapTest(x, r)) };
  }
}

function declaredLocals(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const visit = (s: Stmt) => {
    if (s.kind === 'declare' || s.kind === 'declareIndex') names.add(s.name);
    if (s.kind === 'for' || s.kind === 'if') s.body.forEach(visit);
  };
  stmts.forEach(visit);
  return names;
}

function countStatements(stmts: readonly Stmt[]): number {
  return stmts.reduce(
    (n, s) => n + 1 + (s.kind === 'for' || s.kind === 'if' ? countStatements(s.body) : 0),
    0,
  );
}
