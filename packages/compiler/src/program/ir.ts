import type { Affine } from './affine.js';

/**
 * The tensor program: equations that define tensors element-wise over index variables.
 *
 * Equations describe one example; the batch is a uniform outer dimension added when kernels
 * are scheduled, and the loss of a batch is the mean of the per-example losses. Every access
 * in a well-formed program stays inside its tensor, given the ranges of the indices and the
 * conditions of the reductions that enclose it: zero padding is written as a condition on the
 * reduction, never as an out-of-bounds read.
 */

/** An index variable ranging over `0 .. extent - 1`. */
export interface IndexVar {
  readonly name: string;
  readonly extent: number;
}

/** A condition on index values, used by reductions, guards and argmax indicators. */
export type Condition = BoundsCondition | DivisibleCondition;

/** `lower <= value(affine) <= upper`, both inclusive. */
export interface BoundsCondition {
  readonly kind: 'bounds';
  readonly affine: Affine;
  readonly lower: number;
  readonly upper: number;
}

/** The numerator of `affine` is a multiple of `affine.divisor`: the quotient is an index. */
export interface DivisibleCondition {
  readonly kind: 'divisible';
  readonly affine: Affine;
}

/** Scalar functions with derivative rules in `derive/scalar-rules.ts`. */
export type ScalarFunction =
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'exp'
  | 'log'
  | 'square';

export type Expr =
  | Const
  | Access
  | Add
  | Mul
  | Div
  | Apply
  | Select
  | Sum
  | Max
  | Delta
  | Argmax
  | Winner
  | IsWinner
  | Guard
  | Derivative;

/** A number. */
export interface Const {
  readonly kind: 'const';
  readonly value: number;
}

/** The element of a tensor at affine indices, e.g. `x[i + m, j + n, k]`. */
export interface Access {
  readonly kind: 'access';
  readonly tensor: string;
  readonly indices: readonly Affine[];
}

/** `terms[0] + terms[1] + ...`. */
export interface Add {
  readonly kind: 'add';
  readonly terms: readonly Expr[];
}

/** `factors[0] * factors[1] * ...`. */
export interface Mul {
  readonly kind: 'mul';
  readonly factors: readonly Expr[];
}

/** `numerator / denominator`. */
export interface Div {
  readonly kind: 'div';
  readonly numerator: Expr;
  readonly denominator: Expr;
}

/** A scalar function applied to one argument; `parameter` is alpha for leakyRelu and elu. */
export interface Apply {
  readonly kind: 'apply';
  readonly fn: ScalarFunction;
  readonly arg: Expr;
  readonly parameter?: number;
}

/** `test > 0 ? then : otherwise`; derivative rules of piecewise functions produce it. */
export interface Select {
  readonly kind: 'select';
  readonly test: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
}

/** The sum of `body` over every combination of `indices` that satisfies `conditions`. */
export interface Sum {
  readonly kind: 'sum';
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
  readonly body: Expr;
}

/** The largest `body` over every combination of `indices` that satisfies `conditions`. */
export interface Max {
  readonly kind: 'max';
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
  readonly body: Expr;
}

/** The Kronecker delta `[left = right]`: 1 where the two index values agree, else 0. */
export interface Delta {
  readonly kind: 'delta';
  readonly left: Affine;
  readonly right: Affine;
}

/**
 * 1 where `at` is the first position, in row-major order of `indices`, at which `body`
 * reaches its maximum over the window; else 0. The derivative of `Max` (ties go to the first
 * maximum, as in TensorFlow).
 */
export interface Argmax {
  readonly kind: 'argmax';
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
  readonly body: Expr;
  readonly at: readonly Affine[];
}

/**
 * The row-major position, within the window of `indices`, of the first point at which `body`
 * reaches its maximum, as a number (0 for the window's first point). A schedule computes it
 * once per window into a tensor of its own, so that an `Argmax` read at every point of the
 * window becomes an `IsWinner` test on that tensor.
 */
export interface Winner {
  readonly kind: 'winner';
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
  readonly body: Expr;
}

/** 1 where the window position `position` equals `winner`, a `Winner` stored ahead; else 0. */
export interface IsWinner {
  readonly kind: 'isWinner';
  readonly winner: Access;
  readonly position: Affine;
}

/** `body` where every condition holds, else 0. */
export interface Guard {
  readonly kind: 'guard';
  readonly conditions: readonly Condition[];
  readonly body: Expr;
}

/**
 * `d of / d wrt`, not yet worked out. Only derivation traces hold it: every step rewrites
 * some of these until none is left.
 */
export interface Derivative {
  readonly kind: 'derivative';
  readonly of: Expr;
  readonly wrt: Access;
}

/** What a tensor is in the network, which decides how it is shown and stored. */
export type TensorRole =
  | 'input'
  | 'target'
  | 'weight'
  | 'preActivation'
  | 'activation'
  | 'intermediate'
  | 'loss'
  | 'adjoint';

/**
 * How a tensor is written in the paper's notation: `symbol^layer_{indices}`, for example
 * `w^2_{m,n}`, `delta^1_{i,j}`, `O^0_i` or `e_j`.
 */
export interface Notation {
  readonly symbol: string;
  readonly layer?: number;
}

export interface TensorDecl {
  readonly name: string;
  readonly shape: readonly number[];
  /**
   * The shape users see in weights files and tensors, where it differs from `shape` but holds
   * the same elements in the same row-major order: a dense kernel after a flatten is
   * `[h * w * c, units]` outside and `[h, w, c, units]` inside, so no index needs splitting.
   */
  readonly externalShape?: readonly number[];
  readonly role: TensorRole;
  /** Index names used for this tensor's own equation, one per dimension. */
  readonly indexNames: readonly string[];
  readonly notation: Notation;
  /** The layer that owns this tensor, when there is one. */
  readonly layer?: string;
  /** For adjoints: the tensor whose gradient this is. */
  readonly gradientOf?: string;
  /**
   * True for tensors that carry no gradient by design, such as the shift `max_k z_k` that
   * keeps softmax finite: softmax is unchanged by any shift, so its derivative is zero.
   */
  readonly detached?: boolean;
}

/** `tensor[indices] = body`, for every value of the indices. */
export interface Equation {
  readonly tensor: string;
  readonly indices: readonly IndexVar[];
  readonly body: Expr;
  /** The layer this equation belongs to, and what it computes there. */
  readonly layer?: string;
  readonly comment?: string;
}

/** The forward pass of one example, from input to the per-example loss. */
export interface Program {
  readonly name: string;
  readonly tensors: readonly TensorDecl[];
  readonly equations: readonly Equation[];
  /** The scalar per-example loss tensor; the batch loss is its mean. */
  readonly loss: string;
  /** The network's input and target tensors, and its output (the last layer's activation). */
  readonly input: string;
  readonly target: string;
  readonly output: string;
  /** Facts about the inputs that the derivation may use, such as targets summing to 1. */
  readonly identities: readonly Identity[];
}

/**
 * `sum of every element of tensor = 1`: softmax cross-entropy takes its targets to be
 * probability distributions, which turns its gradient `y * sum_j t_j - t` into `y - t`.
 */
export interface Identity {
  readonly kind: 'unitSum';
  readonly tensor: string;
  readonly description: string;
}
