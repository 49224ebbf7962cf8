import { invariant } from '../errors.js';
import {
  type Affine,
  addAffine,
  affine,
  indexAffine,
  substituteAffine,
} from '../program/affine.js';
import type { LimitTerm } from '../simplify/bounds.js';
import { collapseLoops, dropUnitLoops } from './collapse.js';
import type { IndexExpr, Kernel, Stmt, Test, Value } from './loops.js';
import { EXAMPLE } from './lower-kernel.js';
import { hoistLoads } from './registers.js';
import { reduceOffsets } from './strength.js';

/**
 * Register tiling for CPU backends ("unroll and jam"). A kernel computes each element of its
 * grid on its own; here a tile of neighbouring elements (4 examples by 8 outputs, say) is
 * computed together: the copies of the element's statements share their reduction loops, so
 * every value loaded in the inner loop serves the whole tile from a register. V8 runs a
 * 4 x 4 tile of a dense layer about four times faster than one element at a time.
 *
 * Every copy writes its own locals and its own output element and reads nothing another copy
 * writes, so any interleaving of the copies computes the same numbers. Where the copies'
 * loops run over different ranges (a padded window shifted by the tiled index), they share
 * the range they all run and finish their own edges alone.
 *
 * The loops that come out are the ones a CPU backend prints: loops that run once are gone and
 * contiguous pairs merged (`collapse.ts`) before tiling; offsets are built loop by loop
 * (`strength.ts`) and each tile's operands read once into locals (`registers.ts`) after it.
 */
export function tiledGrid(kernel: Kernel): Stmt[] {
  const shaped = { ...kernel, element: collapseLoops(dropUnitLoops(withUnitIndices(kernel))) };
  const dims = gridDims(shaped).filter((d) => d.extent !== 1);
  const tiles = new Map(tilingWorthIt(shaped) ? chooseTiles(shaped, dims) : []);
  const names = new LocalNames();
  const grid = collapseLoops(nest(shaped, dims, 0, tiles, [new Map()], names));
  return hoistLoads(reduceOffsets(grid));
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
  const candidates = dims.filter((d) => d.name !== EXAMPLE && (d.extent ?? 0) >= 2);
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

/**
 * The whole extent when short enough, else the first size of `TILE_SIZES` up to `limit` that
 * divides the extent, else the first that fits in it.
 */
function tileSize(extent: number, alone: boolean, limit: number): number {
  if (extent <= Math.min(alone ? MAX_SINGLE_TILE : WHOLE_TILE, limit)) return extent;
  const sizes = TILE_SIZES.filter((t) => t <= Math.min(limit, extent));
  return sizes.find((t) => extent % t === 0) ?? sizes[0] ?? 1;
}

/** Where a copy sits in its tile: each tiled index bound to `index + k`, or to `k` alone. */
type Shift = ReadonlyMap<string, Affine>;

/** The loops over dims[at..], each tiled dimension in whole tiles then its remainder. */
function nest(
  kernel: Kernel,
  dims: readonly Dim[],
  at: number,
  tiles: ReadonlyMap<string, number>,
  shifts: readonly Shift[],
  names: LocalNames,
): Stmt[] {
  const dim = dims[at];
  if (dim === undefined)
    return jam(
      shifts.map((shift, k) =>
        copyElement(kernel.element, shift, shifts.length > 1 ? `_${k}` : ''),
      ),
      names,
    );
  const inner = (next: readonly Shift[]) => nest(kernel, dims, at + 1, tiles, next, names);
  const first: IndexExpr = { kind: 'affine', value: affine({}, 0) };
  const last: IndexExpr =
    dim.extent === undefined ? { kind: 'lastExample' } : constant(dim.extent - 1);
  const tile = tiles.get(dim.name);
  if (tile === undefined)
    return [{ kind: 'for', index: dim.name, lower: first, upper: last, body: inner(shifts) }];

  // A tile that spans its whole dimension needs no loop: its copies sit at 0, 1, ...
  const whole = dim.extent === tile;
  const position = (k: number) =>
    whole ? affine({}, k) : addAffine(indexAffine(dim.name), affine({}, k));
  const widened = shifts.flatMap((s) =>
    Array.from({ length: tile }, (_, k) => new Map([...s, [dim.name, position(k)]])),
  );
  if (whole) return inner(widened);
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

function constant(value: number): IndexExpr {
  return { kind: 'affine', value: affine({}, value) };
}

/**
 * Interleaves copies that have the same shape: loops over the same index become one loop
 * whose body interleaves the copies' bodies; anything else runs copy after copy.
 */
function jam(copies: readonly (readonly Stmt[])[], names: LocalNames): Stmt[] {
  const [first] = copies;
  if (first === undefined) return [];
  if (copies.length === 1 || copies.some((c) => c.length !== first.length)) return copies.flat();
  return first.flatMap((stmt, position) => {
    const here = copies.map((c) => c[position] as Stmt);
    if (stmt.kind === 'skipUnless' && here.every((s) => same(s, stmt))) return [stmt];
    if (stmt.kind !== 'for' || !here.every((s) => s.kind === 'for' && s.index === stmt.index))
      return here;
    const loops = here as Loop[];
    if (!skipsAlike(loops.map((l) => l.body))) return here;
    if (loops.every((l) => sameLoop(l, stmt)))
      return [
        {
          ...stmt,
          body: jam(
            loops.map((l) => l.body),
            names,
          ),
        },
      ];
    return loops.every((l) => (l.step ?? 1) === 1) ? peel(loops, names) : here;
  });
}

type Loop = Stmt & { kind: 'for' };

/**
 * Copies whose loops run over different ranges (a padded convolution's window, shifted by
 * the tiled index): one shared loop over the range every copy runs, jammed, then each copy
 * alone over what is left of its own range, below and above. The sums take the same terms,
 * in another order.
 */
function peel(loops: readonly Loop[], names: LocalNames): Stmt[] {
  const [loop] = loops as [Loop];
  const stem = loop.index.replace(/^#/, '').replace(/'/g, 'Prime');
  const declarations: Stmt[] = [];
  const bound = (name: string, value: IndexExpr): IndexExpr => {
    if (value.kind === 'affine') return value;
    const fresh = names.fresh(name);
    declarations.push({ kind: 'declareIndex', name: fresh, value });
    return { kind: 'affine', value: affine({ [fresh]: 1 }) };
  };
  const first = bound(
    `${stem}From`,
    limit(
      'lower',
      loops.flatMap((l) => termsOf(l.lower)),
    ),
  );
  const last = bound(
    `${stem}To`,
    limit(
      'upper',
      loops.flatMap((l) => termsOf(l.upper)),
    ),
  );
  const shared: Loop = {
    ...loop,
    lower: first,
    upper: last,
    body: jam(
      loops.map((l) => l.body),
      names,
    ),
  };
  const below = (l: Loop): Loop => ({
    ...l,
    lower: limit('lower', termsOf(l.lower)),
    upper: limit('upper', [...termsOf(l.upper), shiftedTerm(first, -1)]),
  });
  const above = (l: Loop): Loop => ({
    ...l,
    lower: limit('lower', [...termsOf(l.lower), shiftedTerm(last, 1), shiftedTerm(first, 0)]),
    upper: limit('upper', termsOf(l.upper)),
  });
  // Copies that share their limits (the other tiled index) share their leftover loops too.
  const groups = new Map<string, Loop[]>();
  for (const l of loops) {
    const key = JSON.stringify([l.lower, l.upper]);
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const leftovers = [...groups.values()].flatMap((group) => {
    const together = {
      ...(group[0] as Loop),
      body: jam(
        group.map((l) => l.body),
        names,
      ),
    };
    return [below(together), above(together)];
  });
  return [...declarations, shared, ...leftovers].filter((s) => s.kind !== 'for' || !isEmpty(s));
}

/** A loop whose limits are numbers and cross. */
function isEmpty(loop: Loop): boolean {
  const [lower, upper] = [loop.lower, loop.upper];
  if (lower.kind !== 'affine' || upper.kind !== 'affine') return false;
  const constant = (a: Affine) => (a.terms.length === 0 ? a.constant : undefined);
  const [from, to] = [constant(lower.value), constant(upper.value)];
  return from !== undefined && to !== undefined && from > to;
}

/** A loop limit as `max(ceil(t_k))` or `min(floor(t_k))` terms. */
function termsOf(e: IndexExpr): LimitTerm[] {
  if (e.kind === 'limit') return [...e.terms];
  invariant(e.kind === 'affine', `a loop limit of kind '${e.kind}' in a tile`);
  return [{ numerator: e.value, divisor: 1 }];
}

/**
 * `max(ceil(t_k))` or `min(floor(t_k))`, with the terms that are numbers folded into one; a
 * plain affine where one term is left.
 */
function limit(side: 'lower' | 'upper', terms: readonly LimitTerm[]): IndexExpr {
  const round = side === 'lower' ? Math.ceil : Math.floor;
  const pick = side === 'lower' ? Math.max : Math.min;
  const numbers = terms
    .filter((t) => t.numerator.terms.length === 0)
    .map((t) => round(t.numerator.constant / t.numerator.divisor / t.divisor));
  const variable = terms.filter((t) => t.numerator.terms.length > 0);
  const folded =
    numbers.length === 0 ? [] : [{ numerator: affine({}, pick(...numbers)), divisor: 1 }];
  const unique = [...new Map([...variable, ...folded].map((t) => [JSON.stringify(t), t])).values()];
  const [only] = unique;
  if (
    unique.length === 1 &&
    only !== undefined &&
    only.divisor === 1 &&
    only.numerator.divisor === 1
  )
    return { kind: 'affine', value: only.numerator };
  return { kind: 'limit', side, terms: unique };
}

function shiftedTerm(at: IndexExpr, by: number): LimitTerm {
  invariant(at.kind === 'affine', 'a shared loop limit that is not a local or a number');
  return { numerator: { ...at.value, constant: at.value.constant + by }, divisor: 1 };
}

/** Names for the locals that tiling adds, numbered from the second use of a name on. */
class LocalNames {
  private readonly used = new Map<string, number>();

  fresh(stem: string): string {
    const count = (this.used.get(stem) ?? 0) + 1;
    this.used.set(stem, count);
    return count === 1 ? stem : `${stem}${count}`;
  }
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

function sameLoop(a: Loop, b: Loop): boolean {
  if (a.index !== b.index || a.step !== b.step) return false;
  return JSON.stringify([a.lower, a.upper]) === JSON.stringify([b.lower, b.upper]);
}

/** The element at grid point `index + shift`, its locals renamed with `suffix`. */
function copyElement(element: readonly Stmt[], bindings: Shift, suffix: string): Stmt[] {
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
    case 'keepLarger':
      return {
        ...s,
        best: r.local(s.best),
        position: r.local(s.position),
        value: value(s.value),
        at: index(s.at),
      };
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
    case 'equalsIndex':
      return { ...t, value: mapValue(t.value, r), index: mapIndex(t.index, r) };
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
