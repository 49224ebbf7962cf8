import { type Affine, affine, indexAffine, substituteAffine } from '../program/affine.js';
import { collapseLoops } from './collapse.js';
import {
  type FusedKernel,
  type FusedUpdate,
  fuseElementwise,
  fusibleUpdates,
  unfused,
} from './gpu-fusion.js';
import type { Schedule } from './kernels.js';
import type { IndexExpr, Kernel, Stmt } from './loops.js';
import { EXAMPLE } from './lower-kernel.js';
import { mapStmt } from './tile.js';

/**
 * How a GPU kernel spreads over invocations. Most kernels give each element an invocation.
 * A batch-mean kernel with few elements and a long sum (a convolution's kernel gradient: 150
 * elements, each summing 64 examples of 784 products) would run a few long invocations, so
 * each element gets several lanes of a workgroup instead: each lane sums a share of the
 * terms, and the element's partial sums meet in workgroup memory.
 */
export type WorkgroupPlan =
  /** One invocation per element, `size` invocations to a workgroup. */
  | { readonly kind: 'perElement'; readonly size: number }
  /**
   * `elements` neighbouring elements to a workgroup and `lanes` invocations to an element:
   * invocation `s` of the workgroup works on element `s % elements` and, as its lane
   * `s / elements`, sums every `lanes`-th example from its lane's. Neighbouring invocations
   * run the same loops over neighbouring elements, as they would one element each. The
   * element's statements up to `finishAt` compute a lane's partial sum in `accumulator`; the
   * rest, run by lane 0 once it has added the other lanes' partial sums, store the element.
   */
  | {
      readonly kind: 'splitSum';
      readonly elements: number;
      readonly lanes: number;
      readonly accumulator: string;
      readonly finishAt: number;
    }
  /**
   * A matrix product (a dense layer's weighted sum, its kernel gradient): `tile` x `tile`
   * neighbouring elements to a workgroup, rows along the grid's first dimension and columns
   * along its second (see `MatrixProduct`).
   */
  | {
      readonly kind: 'tiled';
      readonly tile: number;
      /** Terms of the sum per pass: a multiple of `tile`, each invocation loading a share. */
      readonly depth: number;
      readonly product: MatrixProduct;
    };

/**
 * A kernel whose element is `sum_r rowOperand[row, r] * columnOperand[column, r]`, then
 * statements that read the sum: a float local declared 0, one loop that only adds the product
 * of two loads to it, the first load indexed by the grid's row index and the loop's, the
 * second by the column index and the loop's, and limits that no grid index moves. Tiled, each
 * pass over `tile` terms of the sum loads one term of each operand per invocation into
 * workgroup memory, where the whole row or column of the tile reads it: one load from
 * storage serves `tile` elements rather than one.
 */
export interface MatrixProduct {
  readonly accumulator: string;
  readonly loop: Stmt & { kind: 'for' };
  /** The grid index along the tile's rows (`#example` where the grid has examples) and columns. */
  readonly rows: string;
  readonly columns: string;
  /** The extent of each: the row one is the batch's where it is the example. */
  readonly rowExtent: number | 'batch';
  readonly columnExtent: number;
  /** Which operand of the product, as the element writes it, goes with the rows. */
  readonly rowOperand: 'left' | 'right';
  /** Statements from here on read the finished sum; those before compute it. */
  readonly finishAt: number;
}

/** A kernel as a GPU runs it: fused kernels of the schedule and how they spread. */
export interface GpuKernel extends FusedKernel {
  readonly workgroup: WorkgroupPlan;
  /**
   * The weight it updates by gradient descent once it has stored the weight's gradient, when
   * a step asks for it; its tensor is the last of `writes`.
   */
  readonly update?: FusedUpdate;
}

/** Invocations per workgroup of a per-element kernel; every WebGPU device allows 256. */
export const ELEMENT_WORKGROUP_SIZE = 64;

/** Invocations per workgroup of a split sum. */
const SPLIT_WORKGROUP_SIZE = 64;

/**
 * The fewest neighbouring elements a workgroup of a split sum holds, so that the invocations
 * that a device runs in lockstep (4 on SwiftShader) share their loops: at most 16 lanes.
 */
const MIN_ELEMENTS = 4;

/** Kernels with this many elements keep a large GPU's cores busy one invocation each. */
const BUSY_ELEMENTS = 65_536;

/**
 * Fewer terms than this per lane, and the barrier and the adding up of partial sums cost
 * more than the split saves: a dense layer's kernel gradient (64 terms an element at a batch
 * of 64) stays whole, a convolution's (6,400 or 50,176) is split 16 ways.
 */
const MIN_TERMS_PER_LANE = 256;

/** The batch size a plan assumes; the real one is known only when a step runs. */
const PLANNING_BATCH = 64;

/** Choices of how GPU kernels spread over a device. */
export interface GpuOptions {
  /**
   * Tile matrix products in workgroup memory (`tiled` plans): true unless false. A GPU's
   * memory is slow next to its arithmetic, and a tile loads each operand once for 8 elements.
   * A software adapter is the other way round: SwiftShader runs every barrier as a switch
   * between coroutines, and tiles made the MLP's step 1.7 times slower there.
   */
  readonly tileProducts?: boolean;
}

/** Elements along each side of a matrix product's tile: 64 invocations to a workgroup. */
const TILE = 8;

/**
 * Terms of a matrix product's sum per pass between barriers: more passes cost more barriers,
 * which SwiftShader runs as switches between coroutines.
 */
const DEPTH = 32;

/**
 * Fewer terms than this in a matrix product's sum, and the barriers of each pass cost more
 * than the shared loads save: an output layer's input gradient (10 terms) stays per element.
 */
const MIN_TILED_TERMS = 32;

/** A lane's index among its element's lanes; not a letter, like the example's. */
export const LANE = '#lane';

/**
 * The kernels of a schedule as a GPU runs them: elementwise consumers fused into their
 * producers, each weight's update fused into its gradient's kernel where that is safe, and
 * each kernel's workgroup plan.
 */
export function gpuKernels(plan: Schedule, options: GpuOptions = {}): GpuKernel[] {
  const scratch = new Set(plan.buffers.filter((b) => b.role === 'adjoint').map((b) => b.tensor));
  const fused = fuseElementwise(plan.kernels, (t) => scratch.has(t));
  const updates = fusibleUpdates(
    fused,
    plan.weights.map((w) => ({ weight: w.weight, gradient: w.gradient })),
  );
  return fused.map((kernel) => {
    const planned = planWorkgroup(kernel, options);
    const update = updates.get(kernel);
    if (update === undefined) return planned;
    return { ...planned, writes: [...planned.writes, update.weight], update };
  });
}

/**
 * Chooses a kernel's workgroup plan and adapts its statements to it. A batch sum is split
 * across lanes when the kernel has too few elements to keep a GPU busy and each element sums
 * many terms: as many lanes (a power of two up to 16) as leave each at least
 * `MIN_TERMS_PER_LANE` terms at a batch of 64, and as many elements to a workgroup as fill
 * its 64 invocations.
 */
// TODO: a convolution's products are not tiled: its sum runs over a window whose limits move
// with the element, and over channels, so each element still loads both operands from
// storage; tiling it needs the window's rows and columns of the input shared in workgroup
// memory, with a halo around the tile.
// The tiles were checked for correctness on SwiftShader only: no GPU was at hand to time them.
export function planWorkgroup(kernel: FusedKernel, options: GpuOptions = {}): GpuKernel {
  const sum = batchSumOf(kernel);
  const lanes = sum === undefined ? 1 : lanesFor(kernel, sum.loop);
  if (sum === undefined || lanes < 2) {
    const flat = options.tileProducts === false ? undefined : asMatrix(kernel);
    const product = flat === undefined ? undefined : matrixProductOf(flat);
    if (flat !== undefined && product !== undefined) {
      return { ...flat, workgroup: { kind: 'tiled', tile: TILE, depth: DEPTH, product } };
    }
    return { ...kernel, workgroup: { kind: 'perElement', size: ELEMENT_WORKGROUP_SIZE } };
  }
  return splitSum(kernel, sum, lanes);
}

/** How many lanes an element's sum over the examples in `loop` is worth: a power of two. */
function lanesFor(kernel: FusedKernel, loop: Stmt & { kind: 'for' }): number {
  const elements = kernel.grid.indices.reduce((n, v) => n * v.extent, 1);
  if (elements >= BUSY_ELEMENTS) return 1;
  const terms = PLANNING_BATCH * tripEstimate(loop.body);
  const wanted = Math.min(SPLIT_WORKGROUP_SIZE / MIN_ELEMENTS, terms / MIN_TERMS_PER_LANE);
  return 2 ** Math.floor(Math.log2(Math.max(1, wanted)));
}

/**
 * The kernel with its sum dealt to `lanes` lanes: the example loop starts at the lane's own
 * example and steps over the other lanes'. Each lane keeps the whole inner loops of an
 * example: dealing their iterations out too would leave SwiftShader's lanes loops of one or
 * two iterations, several times slower than the same sum whole.
 */
function splitSum(kernel: FusedKernel, sum: BatchSum, lanes: number): GpuKernel {
  const first: IndexExpr = {
    kind: 'affine',
    value: { terms: [{ index: LANE, coefficient: 1 }], constant: 0, divisor: 1 },
  };
  const element = [...kernel.element];
  element[sum.at] = { ...sum.loop, lower: first, step: lanes };
  const workgroup = {
    kind: 'splitSum',
    elements: SPLIT_WORKGROUP_SIZE / lanes,
    lanes,
    accumulator: sum.accumulator,
    finishAt: sum.at + 1,
  } as const;
  return { ...kernel, element, workgroup };
}

/** Where a kernel's loop over the examples is, and the local it adds to. */
interface BatchSum {
  readonly at: number;
  readonly loop: Stmt & { kind: 'for' };
  readonly accumulator: string;
}

/**
 * The batch sum of a batch-mean kernel: a float local declared at the top, then the loop over
 * every example, which only adds to it. Statements after the loop may read the sum; none
 * before it may leave the invocation, since every lane must reach the workgroup's barriers.
 */
function batchSumOf(kernel: FusedKernel): BatchSum | undefined {
  if (kernel.grid.examples) return undefined;
  const at = kernel.element.findIndex((s) => s.kind === 'for' && isExampleLoop(s));
  const loop = kernel.element[at] as (Stmt & { kind: 'for' }) | undefined;
  const declared = kernel.element[at - 1];
  if (loop === undefined || declared?.kind !== 'declare' || declared.type !== 'float') {
    return undefined;
  }
  if (declared.value.kind !== 'number' || declared.value.value !== 0) return undefined;
  const before = kernel.element.slice(0, at - 1);
  if (before.some((s) => s.kind !== 'declare' && s.kind !== 'declareIndex')) return undefined;
  if (!onlyAccumulates(loop.body, declared.name)) return undefined;
  return { at, loop, accumulator: declared.name };
}

function isExampleLoop(s: Stmt & { kind: 'for' }): boolean {
  const starts = s.lower.kind === 'affine' && s.lower.value.terms.length === 0;
  return s.index === EXAMPLE && s.upper.kind === 'lastExample' && starts && (s.step ?? 1) === 1;
}

/**
 * Whether `stmts` change `name` only by adding to it, do add to it, and never read it: then
 * the sum splits into partial sums in any way.
 */
function onlyAccumulates(stmts: readonly Stmt[], name: string): boolean {
  if (JSON.stringify(stmts).includes(JSON.stringify({ kind: 'local', name }))) return false;
  let adds = false;
  const visit = (list: readonly Stmt[]): boolean =>
    list.every((s) => {
      if (s.kind === 'accumulate' && s.name === name) adds = true;
      if ((s.kind === 'assign' || s.kind === 'declare') && s.name === name) return false;
      return s.kind === 'for' || s.kind === 'if' ? visit(s.body) : true;
    });
  return visit(stmts) && adds;
}

/**
 * The kernel with a grid of two dimensions and its sums as single loops, where its indices
 * walk memory as contiguous ranges: an image after a flatten, (h, w, c), read as one index
 * of 400. The examples, if any, are the rows and every output index together the columns;
 * otherwise the output indices but the last are the rows. Sums and stores keep their order.
 */
function asMatrix(kernel: FusedKernel): FusedKernel | undefined {
  const { examples, indices } = kernel.grid;
  const element = collapseLoops(kernel.element);
  const merged = examples ? indices : indices.slice(0, -1);
  if (merged.length <= 1) return { ...kernel, element };

  const zero = { kind: 'affine', value: affine({}, 0) } as const;
  const nest = merged.reduceRight<Stmt[]>((body, index) => {
    const upper = { kind: 'affine', value: affine({}, index.extent - 1) } as const;
    return [{ kind: 'for', index: index.name, lower: zero, upper, body }];
  }, element);
  const [loop, ...rest] = collapseLoops(nest);
  const extent = merged.reduce((n, index) => n * index.extent, 1);
  const last = loop?.kind === 'for' && loop.upper.kind === 'affine' ? loop.upper.value : undefined;
  if (loop?.kind !== 'for' || rest.length > 0 || last?.constant !== extent - 1) return undefined;
  if (last.terms.length > 0) return undefined;

  // The merged name joins the indices' own (`p'q'r'`), which could spell a local of the
  // kernel's (`su` and `m1` make `sum1`); marked like the example, it is no user's index.
  const name = `#${loop.index}`;
  const renamed = new Map([[loop.index, indexAffine(name)]]);
  const rename = (a: Affine) => substituteAffine(a, renamed);
  const body = loop.body.map((s) => mapStmt(s, { affine: rename, local: (local) => local }));
  const row = { name, extent };
  const grid = { examples, indices: examples ? [row] : [row, ...indices.slice(-1)] };
  return { ...kernel, grid, element: body };
}

/** The kernel's matrix product, where its element is one (see `MatrixProduct`). */
function matrixProductOf(kernel: FusedKernel): MatrixProduct | undefined {
  const { indices, examples } = kernel.grid;
  const dimensions = [...(examples ? [EXAMPLE] : []), ...indices.map((index) => index.name)];
  const [declared, loop] = kernel.element;
  if (dimensions.length !== 2 || declared?.kind !== 'declare' || loop?.kind !== 'for') return;
  if (declared.type !== 'float' || declared.value.kind !== 'number' || declared.value.value !== 0)
    return;
  const [term] = loop.body;
  if (loop.body.length !== 1 || term?.kind !== 'accumulate' || term.name !== declared.name) return;
  const { value } = term;
  if (value.kind !== 'binary' || value.op !== '*') return;
  if (value.left.kind !== 'load' || value.right.kind !== 'load') return;
  if (!fixedLimit(loop.lower) || !fixedLimit(loop.upper) || (loop.step ?? 1) !== 1) return;
  const trips = loop.upper.kind === 'lastExample' ? PLANNING_BATCH : loopTrips(loop);
  if (trips < MIN_TILED_TERMS) return;

  const [rows, columns] = dimensions as [string, string];
  const left = indicesOf(value.left.offset);
  const right = indicesOf(value.right.offset);
  const reads = (used: Set<string> | undefined, index: string) =>
    used !== undefined && used.size === 2 && used.has(index) && used.has(loop.index);
  let rowOperand: 'left' | 'right';
  if (reads(left, rows) && reads(right, columns)) rowOperand = 'left';
  else if (reads(right, rows) && reads(left, columns)) rowOperand = 'right';
  else return;

  // A grid narrower than a tile would leave most of each workgroup idle.
  const rowExtent = examples ? 'batch' : (indices[0]?.extent ?? 0);
  const columnExtent = indices.at(-1)?.extent ?? 0;
  if (columnExtent < TILE || (rowExtent !== 'batch' && rowExtent < TILE)) return;
  const accumulator = declared.name;
  return { accumulator, loop, rows, columns, rowExtent, columnExtent, rowOperand, finishAt: 2 };
}

/** A loop limit that no index moves: constants only, or the last example. */
function fixedLimit(e: IndexExpr): boolean {
  if (e.kind === 'limit') return e.terms.every((t) => t.numerator.terms.length === 0);
  return e.kind === 'lastExample' || (e.kind === 'affine' && e.value.terms.length === 0);
}

/** The indices an offset reads, or undefined for an index expression that is not one. */
function indicesOf(e: IndexExpr): Set<string> | undefined {
  const affines =
    e.kind === 'affine' ? [e.value] : e.kind === 'offset' ? e.parts.map((p) => p.value) : [];
  if (affines.length === 0) return undefined;
  return new Set(affines.flatMap((a) => a.terms.map((t) => t.index)));
}

/**
 * Roughly how many times the innermost statements of `stmts` run: each loop counts the span
 * of its constant limits (`max(2 - m, 0)..min(29 - m, 27)` spans 0..27), or once where a limit
 * has no constant part.
 */
function tripEstimate(stmts: readonly Stmt[]): number {
  let most = 1;
  for (const s of stmts) {
    if (s.kind === 'for') most = Math.max(most, loopTrips(s) * tripEstimate(s.body));
    else if (s.kind === 'if') most = Math.max(most, tripEstimate(s.body));
  }
  return most;
}

/** How many times a loop runs, from its constant limits, or once where it has none. */
function loopTrips(loop: Stmt & { kind: 'for' }): number {
  const span = constantLimit(loop.upper, 'upper') - constantLimit(loop.lower, 'lower') + 1;
  return Number.isFinite(span) && span > 0 ? Math.ceil(span / (loop.step ?? 1)) : 1;
}

/** The tightest constant limit of a loop bound, or an infinite one where it has none. */
function constantLimit(e: IndexExpr, side: 'lower' | 'upper'): number {
  const none = side === 'upper' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (e.kind === 'affine' && e.value.terms.length === 0) return e.value.constant / e.value.divisor;
  if (e.kind !== 'limit' || e.side !== side) return none;
  const constants = e.terms
    .filter((t) => t.numerator.terms.length === 0)
    .map((t) => t.numerator.constant / t.numerator.divisor / t.divisor);
  if (constants.length === 0) return none;
  return side === 'upper' ? Math.floor(Math.min(...constants)) : Math.ceil(Math.max(...constants));
}

/** A kernel of the schedule on its own, with its plan: what `kernelShader` emits. */
export function gpuKernel(kernel: Kernel): GpuKernel {
  return planWorkgroup(unfused(kernel));
}
