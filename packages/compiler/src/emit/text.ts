import type { Derivation, DerivedProgram } from '../derive/types.js';
import { formatAffine } from '../program/affine.js';
import type { Condition } from '../program/ir.js';
import type { IndexRange, LimitTerm } from '../simplify/bounds.js';
import type { Notation, TensorName } from './notation.js';
import {
  ExprPrinter,
  formatNumber,
  isStep,
  notationOf,
  type Style,
  type UpdateView,
  viewDerivation,
  type Window,
} from './printer.js';

export { formatNumber } from './printer.js';

/** Plain-text spelling: `sum_{i=0..4}`, `[p = 2*i + m]`, `dE/dw^1[i,j]`, `sigmoid(x^1[j])`. */
export const textStyle: Style = {
  times: ' * ',
  number: formatNumber,
  group: (text) => `(${text})`,
  affine: (a) => formatAffine(a),
  element: elementText,
  quotient: (numerator, denominator, p) => ({
    text: `${p.at(numerator, 1)} / ${p.at(denominator, 2)}`,
    precedence: 1,
  }),
  apply(fn, arg, parameter, p) {
    if (fn === 'square') return `${p.at(arg, 2)}^2`;
    const extra = parameter === undefined ? '' : `; alpha=${formatNumber(parameter)}`;
    return `${fn}(${p.expr(arg)}${extra})`;
  },
  select(test, then, otherwise, p) {
    if (isStep(then, otherwise)) return `[${p.expr(test)} > 0]`;
    return `(${p.expr(test)} > 0 ? ${p.expr(then)} : ${p.expr(otherwise)})`;
  },
  sum: (ranges, body) => `${ranges.map((r) => `sum_{${rangeText(r)}}`).join(' ')} ${body}`,
  max: (window, body) => `max_{${windowText(window)}} ${body}`,
  argmax(at, window, body) {
    const position = at.map((a) => formatAffine(a)).join(',');
    return `[(${position}) = argmax_{${windowText(window)}} ${body}]`;
  },
  winner: (window, body) => `argmax_{${windowText(window)}} ${body}`,
  isWinner: (position, winner) => `[${formatAffine(position)} = ${winner}]`,
  delta: (left, right) => `[${formatAffine(left)} = ${formatAffine(right)}]`,
  guard: (conditions, body) => `${conditions.map((c) => `[${condition(c)}]`).join(' ')} * ${body}`,
  derivative(of, wrt, p) {
    const target = p.access(wrt);
    if (of.kind === 'access') return `d${p.access(of)}/d${target}`;
    return `d(${p.expr(of)})/d${target}`;
  },
};

/**
 * Plain-text rendering in the paper's notation, for terminals and golden tests:
 * `dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]`.
 */
export class TextFormatter extends ExprPrinter {
  constructor(notation: Notation) {
    super(notation, textStyle);
  }
}

/** `w^1[i,j]`, `b^2`, or `dE/dO^1[i,j]` for an adjoint that is not a delta. */
function elementText(name: TensorName, indices: readonly string[]): string {
  const base = `${name.symbol}${name.layer === undefined ? '' : `^${name.layer}`}`;
  const element = indices.length === 0 ? base : `${base}[${indices.join(',')}]`;
  return name.gradientOf === undefined ? element : `d${name.gradientOf}/d${element}`;
}

export function condition(c: Condition): string {
  if (c.kind === 'divisible')
    return `${c.affine.divisor} divides ${formatAffine({ ...c.affine, divisor: 1 })}`;
  const value = formatAffine(c.affine);
  return c.lower === c.upper ? `${value} = ${c.lower}` : `${c.lower} <= ${value} <= ${c.upper}`;
}

function windowText({ indices, conditions }: Window): string {
  const names = indices.map((v) => v.name).join(',');
  return conditions.length === 0 ? names : `${names} | ${conditions.map(condition).join(', ')}`;
}

function rangeText(range: IndexRange): string {
  const lower = limitText(range.lower, 'max', 'ceil');
  const upper = limitText(range.upper, 'min', 'floor');
  const filters = range.filters.length === 0 ? '' : ` | ${range.filters.map(condition).join(', ')}`;
  return `${range.index.name}=${lower}..${upper}${filters}`;
}

function limitText(limits: readonly LimitTerm[], combine: string, round: string): string {
  const parts = limits.map((l) => {
    const numerator = formatAffine(l.numerator);
    if (l.divisor === 1) return numerator;
    return `${round}((${numerator})/${l.divisor})`;
  });
  return parts.length === 1 ? (parts[0] as string) : `${combine}(${parts.join(', ')})`;
}

/** The whole derivation of every gradient, as text. */
export function renderText(derived: DerivedProgram): string {
  const format = new TextFormatter(notationOf(derived));
  return derived.derivations.map((d) => renderDerivationText(d, format)).join('\n\n');
}

export function renderDerivationText(d: Derivation, format: TextFormatter): string {
  const view = viewDerivation(d, format);
  const lines = [`${view.lhs}  (gradient with respect to ${d.of})`];
  for (const step of view.steps) {
    lines.push(`  [${step.title}] ${step.description}`, `    ${step.lhs} = ${step.rhs}`);
  }
  lines.push(`  result: ${view.result.lhs} = ${view.result.rhs}`);
  if (view.closedForm) lines.push(`  closed form: ${view.closedForm.lhs} = ${view.closedForm.rhs}`);
  if (view.update) {
    const rate = formatNumber(view.update.learningRate);
    lines.push(
      `  update: ${updateText(view.update)}, alpha = ${rate}, over the B examples of a batch`,
    );
  }
  return lines.join('\n');
}

/** The gradient-descent update over a batch, `w <- w - alpha * (1/B) sum_b dL/dw`. */
export function updateText({ weight, gradient }: UpdateView): string {
  return `${weight} <- ${weight} - alpha * (1/B) sum_b ${gradient}`;
}
