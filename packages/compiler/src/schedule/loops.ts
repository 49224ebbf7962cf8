import type { Affine } from '../program/affine.js';
import type { LimitTerm } from '../simplify/bounds.js';

/**
 * The imperative form every backend prints: loop nests over flat float buffers. Tensor
 * expressions are lowered to it once (`lower-kernel.ts`); TypeScript and WGSL are renderers of
 * it. Integer index arithmetic stays affine, so renderers can inline constant shapes.
 */

/** An integer index expression. */
export type IndexExpr =
  | { readonly kind: 'affine'; readonly value: Affine }
  /** `sum_k stride_k * parts_k`: a flat offset into a buffer. */
  | {
      readonly kind: 'offset';
      readonly parts: readonly { readonly stride: number; readonly value: Affine }[];
    }
  /** `max(ceil(t_1), ...)` or `min(floor(t_1), ...)`: a loop limit. */
  | {
      readonly kind: 'limit';
      readonly side: 'lower' | 'upper';
      readonly terms: readonly LimitTerm[];
    }
  /** The batch size less one, known only when a step runs: the example loop's upper limit. */
  | { readonly kind: 'lastExample' }
  /** `batch - tile`: the last example that starts a whole tile of `tile` examples. */
  | { readonly kind: 'lastTileStart'; readonly tile: number }
  /** `batch - batch % tile`: the first example after the whole tiles. */
  | { readonly kind: 'afterTiles'; readonly tile: number };

/** A boolean test on indices or values. */
export type Test =
  | {
      readonly kind: 'inRange';
      readonly value: Affine;
      readonly lower: number;
      readonly upper: number;
    }
  | { readonly kind: 'divisible'; readonly value: Affine }
  | { readonly kind: 'positive'; readonly value: Value }
  | { readonly kind: 'greater'; readonly left: Value; readonly right: Value }
  /** A float that holds a whole number (a stored window position) equal to an index. */
  | { readonly kind: 'equalsIndex'; readonly value: Value; readonly index: IndexExpr }
  | { readonly kind: 'all'; readonly tests: readonly Test[] };

/** A floating-point value. */
export type Value =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'load'; readonly buffer: string; readonly offset: IndexExpr }
  | { readonly kind: 'local'; readonly name: string }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Value;
      readonly right: Value;
    }
  | { readonly kind: 'negate'; readonly operand: Value }
  | { readonly kind: 'call'; readonly fn: MathFunction; readonly args: readonly Value[] }
  | {
      readonly kind: 'select';
      readonly test: Test;
      readonly then: Value;
      readonly otherwise: Value;
    }
  | { readonly kind: 'batchSize' };

export type MathFunction = 'exp' | 'log' | 'tanh' | 'max' | 'sigmoid';

export type Stmt =
  | {
      readonly kind: 'for';
      readonly index: string;
      readonly lower: IndexExpr;
      /** Inclusive. */
      readonly upper: IndexExpr;
      /** 1 unless the loop walks a tile of several elements at a time. */
      readonly step?: number;
      readonly body: readonly Stmt[];
    }
  | { readonly kind: 'if'; readonly test: Test; readonly body: readonly Stmt[] }
  | { readonly kind: 'skipUnless'; readonly test: Test }
  | {
      readonly kind: 'declare';
      readonly name: string;
      readonly value: Value;
      readonly type: 'float' | 'int';
    }
  | { readonly kind: 'declareIndex'; readonly name: string; readonly value: IndexExpr }
  | { readonly kind: 'assignIndex'; readonly name: string; readonly value: IndexExpr }
  | { readonly kind: 'assign'; readonly name: string; readonly value: Value }
  | { readonly kind: 'accumulate'; readonly name: string; readonly value: Value }
  /**
   * One step of a running first maximum: where `value > best`, `best` becomes `value` and the
   * float local `position` becomes the index `at`; a tie keeps the earlier position, as TensorFlow's
   * max-pool gradient does. Renderers print it without a branch, which data mispredicts.
   */
  | {
      readonly kind: 'keepLarger';
      readonly best: string;
      readonly position: string;
      readonly value: Value;
      readonly at: IndexExpr;
    }
  | {
      readonly kind: 'store';
      readonly buffer: string;
      readonly offset: IndexExpr;
      readonly value: Value;
    }
  | { readonly kind: 'comment'; readonly text: string };

/** A buffer of the compiled model, sized per example or once. */
export interface Buffer {
  /** The tensor name in the program, e.g. `conv1/kernel` or `grad(conv1/kernel)`. */
  readonly tensor: string;
  /** An identifier for generated code, e.g. `conv1Kernel`. */
  readonly identifier: string;
  readonly shape: readonly number[];
  /** The number of floats for one example, or in all when not per example. */
  readonly size: number;
  readonly perExample: boolean;
  readonly role: 'weight' | 'gradient' | 'input' | 'target' | 'activation' | 'adjoint' | 'loss';
}

/**
 * One kernel: it writes one buffer, one element per point of its grid, each element computed
 * by `element` independently of the others (gather form). A CPU backend loops over the grid;
 * a GPU backend gives each point an invocation.
 */
export interface Kernel {
  readonly name: string;
  readonly writes: string;
  readonly phase: 'forward' | 'loss' | 'backward';
  readonly layer?: string;
  /** The equation it computes, as text, and the derivation rules it comes from. */
  readonly comment: readonly string[];
  /**
   * Kernels of the schedule that run inside this one, after its own element, by name: an
   * activation fused into its weighted sum (see `fuseElementwise`). Absent when none.
   */
  readonly fused?: readonly string[];
  readonly grid: Grid;
  /** Computes and stores the element at the grid point (the example and output indices). */
  readonly element: readonly Stmt[];
}

/** Every example of the batch (for per-example tensors) times every output index value. */
export interface Grid {
  readonly examples: boolean;
  readonly indices: readonly import('../program/ir.js').IndexVar[];
}
