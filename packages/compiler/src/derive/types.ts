import type { Equation, Expr, IndexVar, Program, TensorDecl } from '../program/ir.js';

/** The rules a derivation step can apply, named as a person would name them on paper. */
export type RuleName =
  | 'chainRule'
  | 'deltaDefinition'
  | 'linearity'
  | 'productRule'
  | 'scalarRule'
  | 'accessDerivative'
  | 'deltaElimination'
  | 'bounds'
  | 'simplify'
  | 'recognize'
  | 'identity'
  | 'substitute'
  | 'rename'
  | 'batchMean'
  | 'gradientDescent';

/**
 * One step of a derivation: the right-hand side of the equation for `lhs` before and after a
 * rule was applied, and a sentence that says why the rule applies here.
 */
export interface Step {
  readonly rule: RuleName;
  readonly description: string;
  readonly before: Expr;
  readonly after: Expr;
  /** The left-hand side's indices after this step, where the step renamed them. */
  readonly indices?: readonly IndexVar[];
}

/** How the gradient of the loss with respect to one tensor was derived. */
export interface Derivation {
  /** The adjoint tensor being defined, e.g. `dL/dw1`. */
  readonly adjoint: string;
  /** The forward tensor it is the gradient of. */
  readonly of: string;
  /** The free indices of the adjoint, primed names of the forward tensor's indices. */
  readonly indices: readonly IndexVar[];
  readonly steps: readonly Step[];
  /** The equation as it is computed: in gather form, in terms of other adjoints. */
  readonly result: Expr;
  /**
   * The result with local adjoints expanded, where that gives a closed form in forward
   * values only (as in Lemma 2.1); undefined where it would not shorten anything.
   */
  readonly closedForm?: Expr;
  /** For weights: the gradient-descent update `w <- w - alpha * dL/dw` over a batch. */
  readonly update?: { readonly learningRate: number };
}

/** A weight, the adjoint tensor that holds its gradient, and the gradient-descent update. */
export interface WeightGradient {
  readonly weight: string;
  readonly gradient: string;
}

/**
 * Everything `derive` produces: the forward program, the adjoint equations in an order in
 * which they can be evaluated, which adjoint is the gradient of which weight, and the trace.
 */
export interface DerivedProgram {
  readonly forward: Program;
  /** Forward tensors followed by adjoint tensors. */
  readonly tensors: readonly TensorDecl[];
  /** Adjoint equations, each reading only forward tensors and adjoints defined before it. */
  readonly backward: readonly Equation[];
  readonly weightGradients: readonly WeightGradient[];
  /** The adjoint of the network's input, when it was asked for. */
  readonly inputGradient?: string;
  readonly derivations: readonly Derivation[];
}
