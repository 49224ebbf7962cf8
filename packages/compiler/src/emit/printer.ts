import type { Derivation, DerivedProgram, RuleName, Step } from '../derive/types.js';
import type { Affine } from '../program/affine.js';
import type { Access, Condition, Expr, IndexVar, ScalarFunction } from '../program/ir.js';
import { type IndexRange, indexRanges } from '../simplify/bounds.js';
import { Notation, type TensorName } from './notation.js';
import { ruleTitles } from './rules.js';

/** How tightly a rendered expression binds: 0 a sum, 1 a product, 2 an atom. */
export type Precedence = 0 | 1 | 2;

/** Rendered text with the precedence of its outermost operator. */
export interface Piece {
  readonly text: string;
  readonly precedence: Precedence;
}

/** A reduction's indices and the conditions that restrict them: the window of a max. */
export interface Window {
  readonly indices: readonly IndexVar[];
  readonly conditions: readonly Condition[];
}

/**
 * The spelling of one output format. `ExprPrinter` walks an expression, places parentheses
 * by precedence and folds signs into sums and products; a style decides how each construct
 * is written. Constructs that contain expressions receive the printer to render them.
 */
export interface Style {
  /** What goes between the factors of a product: ` * ` in text, `\,` in LaTeX. */
  readonly times: string;
  /**
   * Leaves out the parentheses that typeset mathematics does without: around a product's
   * leading negative number (`-0.5\, e_{j}`) and its trailing sum (`\frac{1}{2} \sum_j ...`).
   */
  readonly compact?: boolean;
  number(value: number): string;
  /** Wraps text in parentheses. */
  group(text: string): string;
  affine(a: Affine): string;
  /** A tensor element from its displayed name and its visible, already rendered indices. */
  element(name: TensorName, indices: readonly string[]): string;
  quotient(numerator: Expr, denominator: Expr, printer: ExprPrinter): Piece;
  apply(fn: ScalarFunction, arg: Expr, parameter: number | undefined, printer: ExprPrinter): string;
  select(test: Expr, then: Expr, otherwise: Expr, printer: ExprPrinter): string;
  /** A sum over explicit ranges; `body` is rendered at product precedence. */
  sum(ranges: readonly IndexRange[], body: string): string;
  /** The largest value over a window; `body` is an atom. */
  max(window: Window, body: string): string;
  /** The first-argmax indicator `[(at) = argmax_window body]`. */
  argmax(at: readonly Affine[], window: Window, body: string): string;
  /** The window position of the first maximum, `argmax_window body`, as a number. */
  winner(window: Window, body: string): string;
  /** The test `[position = winner]` of a window position against a stored winner. */
  isWinner(position: Affine, winner: string): string;
  delta(left: Affine, right: Affine): string;
  /** `body` where every condition holds; `body` is rendered at product precedence. */
  guard(conditions: readonly Condition[], body: string): string;
  /** `d of / d wrt`, where `of` is a single tensor element or any other expression. */
  derivative(of: Expr, wrt: Access, printer: ExprPrinter): string;
}

/**
 * Renders tensor-program expressions in the paper's notation, in the syntax of a style.
 *
 * @example new ExprPrinter(notation, textStyle).expr(e) // "-e[j] * y[j] * (1 - y[j]) * x[i]"
 */
export class ExprPrinter {
  constructor(
    readonly notation: Notation,
    readonly style: Style,
  ) {}

  expr(e: Expr): string {
    return this.at(e, 0);
  }

  /** Renders `e` as an operand of an operator of the given precedence. */
  at(e: Expr, precedence: Precedence): string {
    const { text, precedence: own } = this.render(e);
    return own < precedence ? this.style.group(text) : text;
  }

  /** One tensor element, such as `w^1[i,j]`, or an adjoint element such as `dE/dw^1[i,j]`. */
  access(a: Access): string {
    const indices = this.notation.visibleIndices(a).map((i) => this.style.affine(i));
    return this.style.element(this.notation.name(a.tensor), indices);
  }

  /** The element of `tensor` at plain indices, such as the left-hand side of an equation. */
  element(tensor: string, indices: readonly IndexVar[]): string {
    return this.access({ kind: 'access', tensor, indices: indices.map(indexAt) });
  }

  /** The adjoint's left-hand side, `dE/dw^1[i',j']` or `delta^1[j']`. */
  lhs(derivation: Derivation, indices: readonly IndexVar[] = derivation.indices): string {
    return this.element(derivation.adjoint, indices);
  }

  private render(e: Expr): Piece {
    const { style } = this;
    switch (e.kind) {
      case 'const':
        return { text: style.number(e.value), precedence: e.value < 0 ? 0 : 2 };
      case 'access':
        return atom(this.access(e));
      case 'add':
        return { text: this.sum(e.terms), precedence: 0 };
      case 'mul':
        return { text: this.product(e.factors), precedence: 1 };
      case 'div':
        return style.quotient(e.numerator, e.denominator, this);
      case 'apply':
        return atom(style.apply(e.fn, e.arg, e.parameter, this));
      case 'select':
        return atom(style.select(e.test, e.then, e.otherwise, this));
      case 'sum':
        return this.reduction(e.indices, e.conditions, e.body);
      case 'max':
        return atom(style.max(e, this.at(e.body, 2)));
      case 'delta':
        return atom(style.delta(e.left, e.right));
      case 'argmax':
        return atom(style.argmax(e.at, e, this.at(e.body, 2)));
      case 'winner':
        return atom(style.winner(e, this.at(e.body, 2)));
      case 'isWinner':
        return atom(style.isWinner(e.position, this.access(e.winner)));
      case 'guard':
        return { text: style.guard(e.conditions, this.at(e.body, 1)), precedence: 1 };
      case 'derivative':
        return atom(style.derivative(e.of, e.wrt, this));
    }
  }

  /** Terms joined by `+`, a term's leading minus folded into the operator. */
  private sum(terms: readonly Expr[]): string {
    return terms
      .map((term, k) => {
        const text = this.at(term, 0);
        if (k === 0) return text;
        return text.startsWith('-') ? `- ${text.slice(1)}` : `+ ${text}`;
      })
      .join(' ');
  }

  /** Factors joined by the style's product sign; a leading factor -1 becomes a minus. */
  private product(factors: readonly Expr[]): string {
    const [first, ...rest] = factors;
    const negated = first?.kind === 'const' && first.value === -1 && rest.length > 0;
    const shown = negated ? rest : factors;
    const sign = negated ? '-' : '';
    const text = shown.map((f, k) => this.at(f, this.factorPrecedence(f, k, shown.length, sign)));
    return `${sign}${text.join(this.style.times)}`;
  }

  /** Every factor is an atom, except where a compact style lets typesetting show the grouping. */
  private factorPrecedence(factor: Expr, k: number, count: number, sign: string): Precedence {
    if (!this.style.compact) return 2;
    if (k === 0 && factor.kind === 'const' && sign === '') return 0;
    return k === count - 1 && factor.kind === 'sum' ? 1 : 2;
  }

  private reduction(
    indices: readonly IndexVar[],
    conditions: readonly Condition[],
    body: Expr,
  ): Piece {
    const ranges = indexRanges(indices, conditions);
    return { text: this.style.sum(ranges, this.at(body, 1)), precedence: 1 };
  }
}

/** The paper's notation for every tensor and adjoint of a derived program. */
export function notationOf(derived: DerivedProgram): Notation {
  return new Notation(derived.tensors, derived.forward.loss);
}

/** A number as every format shows it: integers exactly, others to six significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** True for `test > 0 ? 1 : 0`, the step function, which every format writes as `[test > 0]`. */
export function isStep(then: Expr, otherwise: Expr): boolean {
  const one = then.kind === 'const' && then.value === 1;
  return one && otherwise.kind === 'const' && otherwise.value === 0;
}

function atom(text: string): Piece {
  return { text, precedence: 2 };
}

function indexAt(v: IndexVar): Affine {
  return { terms: [{ index: v.name, coefficient: 1 }], constant: 0, divisor: 1 };
}

/** One equation as shown: `lhs = rhs`, both rendered. */
export interface EquationView {
  readonly lhs: string;
  readonly rhs: string;
}

/** One step of a derivation, with its left-hand side as it stands after the step. */
export interface StepView extends EquationView {
  readonly rule: RuleName;
  readonly title: string;
  readonly description: string;
  readonly step: Step;
}

/** The gradient-descent update of a weight, its element and gradient rendered. */
export interface UpdateView {
  readonly weight: string;
  readonly gradient: string;
  readonly learningRate: number;
}

/**
 * A derivation with every equation rendered, in the order every format shows it: the
 * steps, the result, the closed form and the update. Steps that rename the free indices
 * (dropping primes) change the left-hand side of the steps after them, of the closed form
 * and of the update; the result keeps the adjoint's own indices.
 */
export interface DerivationView {
  readonly derivation: Derivation;
  readonly lhs: string;
  readonly steps: readonly StepView[];
  readonly result: EquationView;
  readonly closedForm?: EquationView;
  readonly update?: UpdateView;
}

/** Renders every equation of a derivation with `printer`. */
export function viewDerivation(d: Derivation, printer: ExprPrinter): DerivationView {
  const lhs = printer.lhs(d);
  const steps: StepView[] = [];
  let indices = d.indices;
  for (const step of d.steps) {
    indices = step.indices ?? indices;
    steps.push({
      rule: step.rule,
      title: ruleTitles[step.rule],
      description: step.description,
      step,
      lhs: printer.lhs(d, indices),
      rhs: printer.expr(step.after),
    });
  }

  const final = printer.lhs(d, indices);
  return {
    derivation: d,
    lhs,
    steps,
    result: { lhs, rhs: printer.expr(d.result) },
    ...(d.closedForm && { closedForm: { lhs: final, rhs: printer.expr(d.closedForm) } }),
    ...(d.update && {
      update: {
        weight: printer.element(d.of, indices),
        gradient: final,
        learningRate: d.update.learningRate,
      },
    }),
  };
}
