import type { DerivedProgram } from '../derive/types.js';
import { type Affine, formatAffine, soleIndex } from '../program/affine.js';
import type { Condition, Expr, ScalarFunction } from '../program/ir.js';
import type { IndexRange, LimitTerm } from '../simplify/bounds.js';
import type { Notation, TensorName } from './notation.js';
import {
  type DerivationView,
  type EquationView,
  ExprPrinter,
  formatNumber,
  isStep,
  notationOf,
  type StepView,
  type Style,
  type UpdateView,
  viewDerivation,
  type Window,
} from './printer.js';

/**
 * KaTeX-compatible LaTeX in the paper's notation: `\frac{\partial E}{\partial w^{1}_{i,j}}`,
 * `\delta^{2}_{i,j}`, `\sum_{i=0}^{4}`, Kronecker deltas `\delta_{m' m}`, Iverson brackets
 * `[p = 2i + m]` and divisibility `2 \mid (p - m)`.
 */
export const latexStyle: Style = {
  times: '\\, ',
  compact: true,
  number: formatNumber,
  group,
  affine: latexAffine,
  element: latexElement,
  quotient: (numerator, denominator, p) => ({
    text: `\\frac{${p.expr(numerator)}}{${p.expr(denominator)}}`,
    precedence: 2,
  }),
  apply(fn, arg, parameter, p) {
    if (fn === 'square') return `${squareBase(p.at(arg, 2))}^{2}`;
    const extra = parameter === undefined ? '' : `;\\ \\alpha = ${formatNumber(parameter)}`;
    return `${FUNCTIONS[fn]}${group(`${p.expr(arg)}${extra}`)}`;
  },
  select(test, then, otherwise, p) {
    if (isStep(then, otherwise)) return `[${p.expr(test)} > 0]`;
    const positive = `${p.expr(then)} & \\text{if } ${p.expr(test)} > 0`;
    const otherwiseRow = `${p.expr(otherwise)} & \\text{otherwise}`;
    return `\\begin{cases} ${positive} \\\\ ${otherwiseRow} \\end{cases}`;
  },
  sum: (ranges, body) => `${ranges.map(sumLatex).join('')} ${body}`,
  max: (window, body) => `\\max_{${windowLatex(window)}} ${body}`,
  argmax(at, window, body) {
    const position = at.map(latexAffine).join(', ');
    const argmax = `\\operatorname*{arg\\,max}_{${windowLatex(window)}}`;
    return `\\left[(${position}) = ${argmax} ${body}\\right]`;
  },
  winner: (window, body) => `\\operatorname*{arg\\,max}_{${windowLatex(window)}} ${body}`,
  isWinner: (position, winner) => `\\left[${latexAffine(position)} = ${winner}\\right]`,
  delta(left, right) {
    const l = latexAffine(left);
    const r = latexAffine(right);
    const kronecker = soleIndex(left) !== undefined && soleIndex(right) !== undefined;
    return kronecker ? `\\delta_{${l} ${r}}` : `[${l} = ${r}]`;
  },
  guard: (conditions, body) =>
    `${conditions.map((c) => `[${conditionLatex(c)}]`).join('\\, ')}\\, ${body}`,
  derivative(of, wrt, p) {
    const target = p.access(wrt);
    if (of.kind === 'access') return `\\frac{\\partial ${p.access(of)}}{\\partial ${target}}`;
    return `\\frac{\\partial}{\\partial ${target}} ${group(p.expr(of))}`;
  },
};

/** Renders expressions as LaTeX; `lhs` gives `\frac{\partial E}{\partial w^{1}_{i',j'}}`. */
export class LatexFormatter extends ExprPrinter {
  constructor(notation: Notation) {
    super(notation, latexStyle);
  }
}

/**
 * One expression as KaTeX-compatible LaTeX.
 *
 * @example latexExpr(closedForm, notation) // "-e_{j}\, y_{j}\, (1 - y_{j})\, x_{i}"
 */
export function latexExpr(expr: Expr, notation: Notation): string {
  return new LatexFormatter(notation).expr(expr);
}

const FUNCTIONS: Readonly<Record<Exclude<ScalarFunction, 'square'>, string>> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  relu: '\\operatorname{relu}',
  leakyRelu: '\\operatorname{leakyrelu}',
  elu: '\\operatorname{elu}',
  exp: '\\exp',
  log: '\\log',
};

/** Greek letters, which a tensor named `delta` or `sigma` is written as. */
const GREEK = new Set([
  ...['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'],
  ...['lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'phi', 'chi', 'psi', 'omega'],
  ...['Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega'],
]);

/** Parentheses that grow with their content where it holds fractions, sums or cases. */
function group(text: string): string {
  return /\\(frac|sum|max|begin|operatorname\*)/.test(text)
    ? `\\left(${text}\\right)`
    : `(${text})`;
}

/** A base for `^{2}`: an element with a superscript needs parentheses to take another one. */
function squareBase(base: string): string {
  if (base.endsWith(')')) return base;
  return /[\^]|\\frac/.test(base) ? group(base) : base;
}

/** A tensor symbol: `w`, `\delta`, or `\mathit{mix}` for longer names. */
export function latexSymbol(name: string): string {
  if (GREEK.has(name)) return `\\${name}`;
  if (/^[A-Za-z]$/.test(name)) return name;
  return `\\mathit{${escapeLatex(name)}}`;
}

/** An index name: `i'`, `m_{2}` for `m2`, `\mathit{ch}'` for longer names. */
export function latexIndex(name: string): string {
  const numbered = /^([A-Za-z])(\d+)('*)$/.exec(name);
  if (numbered) return `${numbered[1]}_{${numbered[2]}}${numbered[3]}`;
  const [, base = name, primes = ''] = /^(.*?)('*)$/.exec(name) ?? [];
  return /^[A-Za-z]$/.test(base) ? name : `\\mathit{${escapeLatex(base)}}${primes}`;
}

/** Escapes the characters LaTeX treats specially, for names and `\text{...}`. */
export function escapeLatex(text: string): string {
  return text.replace(/[\\{}_^#$%&~]/g, (c) => (c === '\\' ? '\\backslash ' : `\\${c}`));
}

/** `2i + m'`, `(p - m)/2`: the text form with LaTeX index names and no `*`. */
function latexAffine(a: Affine): string {
  return formatAffine(a, latexIndex).replaceAll('*', '');
}

function latexElement(name: TensorName, indices: readonly string[]): string {
  const layer = name.layer === undefined ? '' : `^{${name.layer}}`;
  const subscript = indices.length === 0 ? '' : `_{${indices.join(',')}}`;
  const element = `${latexSymbol(name.symbol)}${layer}${subscript}`;
  if (name.gradientOf === undefined) return element;
  return `\\frac{\\partial ${latexSymbol(name.gradientOf)}}{\\partial ${element}}`;
}

function conditionLatex(c: Condition): string {
  if (c.kind === 'divisible') {
    const numerator = latexAffine({ ...c.affine, divisor: 1 });
    const operand = c.affine.terms.length + (c.affine.constant === 0 ? 0 : 1) > 1;
    return `${c.affine.divisor} \\mid ${operand ? `(${numerator})` : numerator}`;
  }
  const value = latexAffine(c.affine);
  if (c.lower === c.upper) return `${value} = ${c.lower}`;
  return `${c.lower} \\le ${value} \\le ${c.upper}`;
}

/** `\sum_{i=0}^{4}`, with filters stacked under the lower limit. */
function sumLatex(range: IndexRange): string {
  const lower = `${latexIndex(range.index.name)}=${limitLatex(range.lower, 'max', 'ceil')}`;
  const upper = limitLatex(range.upper, 'min', 'floor');
  if (range.filters.length === 0) return `\\sum_{${lower}}^{${upper}}`;
  const filters = range.filters.map(conditionLatex).join(',\\ ');
  return `\\sum_{\\substack{${lower} \\\\ ${filters}}}^{${upper}}`;
}

/** `\max(0, \lceil (p - 2)/2 \rceil)`: the tightest of several loop limits. */
function limitLatex(limits: readonly LimitTerm[], combine: string, round: string): string {
  const parts = limits.map((l) => {
    const numerator = latexAffine(l.numerator);
    if (l.divisor === 1) return numerator;
    const operand = numerator.includes(' ') ? `(${numerator})` : numerator;
    return `\\l${round} ${operand}/${l.divisor} \\r${round}`;
  });
  return parts.length === 1 ? (parts[0] as string) : `\\${combine}(${parts.join(', ')})`;
}

function windowLatex({ indices, conditions }: Window): string {
  const names = indices.map((v) => latexIndex(v.name)).join(', ');
  if (conditions.length === 0) return names;
  return `\\substack{${names} \\\\ ${conditions.map(conditionLatex).join(',\\ ')}}`;
}

/**
 * The gradient-descent update over a batch of B examples, as the two sides of
 * `w \leftarrow w - \alpha\, \frac{1}{B} \sum_{b} \frac{\partial E}{\partial w}`.
 */
export function updateLatex({ weight, gradient }: UpdateView): EquationView {
  return { lhs: weight, rhs: `${weight} - \\alpha\\, \\frac{1}{B} \\sum_{b} ${gradient}` };
}

/**
 * Every derivation as LaTeX: one `align*` block per gradient, a row per step tagged with
 * its rule, the step's reason as a comment above the row, then the result, the closed form
 * and the update.
 */
export function renderLatex(derived: DerivedProgram): string {
  const notation = notationOf(derived);
  const latex = new LatexFormatter(notation);
  const blocks = derived.derivations.map((d) => derivationLatex(viewDerivation(d, latex)));
  const loss = latexSymbol(notation.lossSymbol);
  const header = [
    `% ${derived.forward.name}: every gradient of the loss $${loss}$, derived step by step by symgrad.`,
    '% One amsmath align* block per gradient; KaTeX renders each block as it is.',
  ];
  return `${[header.join('\n'), ...blocks].join('\n\n')}\n`;
}

function derivationLatex(view: DerivationView): string {
  const rows: string[] = [];
  let shown: string | undefined;
  for (const step of view.steps) {
    rows.push(stepRow(step, step.lhs === shown ? '' : step.lhs));
    shown = step.lhs;
  }
  rows.push(row(view.result.lhs, '=', view.result.rhs, 'result'));
  if (view.closedForm) rows.push(row(view.closedForm.lhs, '=', view.closedForm.rhs, 'closed form'));
  if (view.update) rows.push(updateRow(view.update));

  return [
    `% the gradient with respect to ${escapeComment(view.derivation.of)}`,
    '\\begin{align*}',
    rows.join(' \\\\\n'),
    '\\end{align*}',
  ].join('\n');
}

function stepRow(step: StepView, lhs: string): string {
  return `% ${escapeComment(step.description)}\n${row(lhs, '=', step.rhs, step.title)}`;
}

function row(lhs: string, relation: string, rhs: string, tag: string): string {
  const left = lhs === '' ? '' : `${lhs} `;
  return `${left}&${relation} ${rhs} && \\text{(${escapeLatex(tag)})}`;
}

function updateRow(update: UpdateView): string {
  const { lhs, rhs } = updateLatex(update);
  const rate = formatNumber(update.learningRate);
  return row(lhs, '\\leftarrow', `${rhs}, \\quad \\alpha = ${rate}`, 'update');
}

/** A comment runs to the end of its line, so the text must stay on one. */
function escapeComment(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
