import type { Derivation, DerivedProgram, Step } from '../derive/types.js';
import { formatAffine } from '../program/affine.js';
import type { Access, Condition, Expr, IndexVar } from '../program/ir.js';
import { type IndexRange, indexRanges, type LimitTerm } from '../simplify/bounds.js';
import { Notation } from './notation.js';
import { ruleTitles } from './rules.js';

/**
 * Plain-text rendering in the paper's notation, for terminals and golden tests:
 * `dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]`.
 */
export class TextFormatter {
  constructor(readonly notation: Notation) {}

  expr(e: Expr): string {
    return this.at(e, 0);
  }

  /** Renders `e` inside an operator of the given precedence: 0 sum, 1 product, 2 atom. */
  private at(e: Expr, precedence: number): string {
    const [text, own] = this.render(e);
    return own < precedence ? `(${text})` : text;
  }

  private render(e: Expr): [string, number] {
    switch (e.kind) {
      case 'const':
        return [formatNumber(e.value), e.value < 0 ? 0 : 2];
      case 'access':
        return [this.access(e), 2];
      case 'add':
        return [this.sum(e.terms), 0];
      case 'mul':
        return this.product(e.factors);
      case 'div':
        return [`${this.at(e.numerator, 1)} / ${this.at(e.denominator, 2)}`, 1];
      case 'apply':
        return [this.apply(e.fn, e.arg, e.parameter), 2];
      case 'select':
        return [this.select(e.test, e.then, e.otherwise), 2];
      case 'sum':
        return [`${this.ranges('sum', e.indices, e.conditions)} ${this.at(e.body, 1)}`, 1];
      case 'max':
        return [`max_{${this.window(e.indices, e.conditions)}} ${this.at(e.body, 2)}`, 2];
      case 'delta':
        return [`[${formatAffine(e.left)} = ${formatAffine(e.right)}]`, 2];
      case 'argmax':
        return [this.argmax(e.at, e.indices, e.conditions, e.body), 2];
      case 'guard':
        return [
          `${e.conditions.map((c) => `[${condition(c)}]`).join(' ')} * ${this.at(e.body, 1)}`,
          1,
        ];
      case 'derivative':
        return [this.derivative(e.of, e.wrt), 2];
    }
  }

  access(a: Access): string {
    const name = this.notation.name(a.tensor);
    const base = `${name.symbol}${name.layer === undefined ? '' : `^${name.layer}`}`;
    const indices = this.notation.visibleIndices(a).map((i) => formatAffine(i));
    const element = indices.length === 0 ? base : `${base}[${indices.join(',')}]`;
    return name.gradientOf === undefined ? element : `d${name.gradientOf}/d${element}`;
  }

  private sum(terms: readonly Expr[]): string {
    return terms
      .map((term, k) => {
        const text = this.at(term, 0);
        if (k === 0) return text;
        return text.startsWith('-') ? `- ${text.slice(1)}` : `+ ${text}`;
      })
      .join(' ');
  }

  private product(factors: readonly Expr[]): [string, number] {
    const [first, ...rest] = factors;
    if (first?.kind === 'const' && first.value === -1 && rest.length > 0) {
      return [`-${rest.map((f) => this.at(f, 2)).join(' * ')}`, 1];
    }
    return [factors.map((f) => this.at(f, 2)).join(' * '), 1];
  }

  private apply(fn: string, arg: Expr, parameter: number | undefined): string {
    if (fn === 'square') return `${this.at(arg, 2)}^2`;
    const extra = parameter === undefined ? '' : `; alpha=${formatNumber(parameter)}`;
    return `${fn}(${this.expr(arg)}${extra})`;
  }

  private select(test: Expr, then: Expr, otherwise: Expr): string {
    const isStep =
      then.kind === 'const' &&
      then.value === 1 &&
      otherwise.kind === 'const' &&
      otherwise.value === 0;
    if (isStep) return `[${this.expr(test)} > 0]`;
    return `(${this.expr(test)} > 0 ? ${this.expr(then)} : ${this.expr(otherwise)})`;
  }

  private ranges(
    operator: string,
    indices: readonly IndexVar[],
    conditions: readonly Condition[],
  ): string {
    return indexRanges(indices, conditions)
      .map((r) => `${operator}_{${rangeText(r)}}`)
      .join(' ');
  }

  private window(indices: readonly IndexVar[], conditions: readonly Condition[]): string {
    const names = indices.map((v) => v.name).join(',');
    return conditions.length === 0 ? names : `${names} | ${conditions.map(condition).join(', ')}`;
  }

  private argmax(
    at: readonly import('../program/affine.js').Affine[],
    indices: readonly IndexVar[],
    conditions: readonly Condition[],
    body: Expr,
  ): string {
    const position = at.map((a) => formatAffine(a)).join(',');
    return `[(${position}) = argmax_{${this.window(indices, conditions)}} ${this.at(body, 2)}]`;
  }

  private derivative(of: Expr, wrt: Access): string {
    const target = this.access(wrt);
    if (of.kind === 'access') return `d${this.access(of)}/d${target}`;
    return `d(${this.expr(of)})/d${target}`;
  }

  /** The adjoint's left-hand side, `dE/dw^1[i',j']` or `delta^1[j']`. */
  lhs(derivation: Derivation, indices: readonly IndexVar[] = derivation.indices): string {
    const at = indices.map((v) => ({
      terms: [{ index: v.name, coefficient: 1 }],
      constant: 0,
      divisor: 1,
    }));
    return this.access({ kind: 'access', tensor: derivation.adjoint, indices: at });
  }
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const short = Number(value.toPrecision(6));
  return String(short);
}

export function condition(c: Condition): string {
  if (c.kind === 'divisible')
    return `${c.affine.divisor} divides ${formatAffine({ ...c.affine, divisor: 1 })}`;
  const value = formatAffine(c.affine);
  return c.lower === c.upper ? `${value} = ${c.lower}` : `${c.lower} <= ${value} <= ${c.upper}`;
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
  const format = new TextFormatter(new Notation(derived.tensors, derived.forward.loss));
  return derived.derivations.map((d) => renderDerivationText(d, format)).join('\n\n');
}

export function renderDerivationText(d: Derivation, format: TextFormatter): string {
  const lines = [`${format.lhs(d)}  (gradient with respect to ${d.of})`];
  let indices = d.indices;
  for (const step of d.steps) {
    indices = step.indices ?? indices;
    lines.push(...stepText(step, format, format.lhs(d, indices)));
  }
  lines.push(`  result: ${format.lhs(d)} = ${format.expr(d.result)}`);
  if (d.closedForm)
    lines.push(`  closed form: ${format.lhs(d, indices)} = ${format.expr(d.closedForm)}`);
  if (d.update) lines.push(`  update: ${updateText(d, format, indices)}`);
  return lines.join('\n');
}

function stepText(step: Step, format: TextFormatter, lhs: string): string[] {
  return [
    `  [${ruleTitles[step.rule]}] ${step.description}`,
    `    ${lhs} = ${format.expr(step.after)}`,
  ];
}

function updateText(d: Derivation, format: TextFormatter, indices: readonly IndexVar[]): string {
  const weight = format.access({
    kind: 'access',
    tensor: d.of,
    indices: indices.map((v) => ({
      terms: [{ index: v.name, coefficient: 1 }],
      constant: 0,
      divisor: 1,
    })),
  });
  const rate = formatNumber(d.update?.learningRate ?? 0);
  return `${weight} <- ${weight} - alpha * (1/B) sum_b ${format.lhs(d, indices)}, alpha = ${rate}, over the B examples of a batch`;
}
