import { InvariantError, invariant } from '../errors.js';
import { type Affine, affine, coefficientOf, indexAffine } from '../program/affine.js';
import type { Access, Argmax, Condition, Expr, IndexVar, Winner } from '../program/ir.js';
import { walk } from '../program/traverse.js';
import { indexRanges } from '../simplify/bounds.js';
import type { Buffer, IndexExpr, Stmt, Test, Value } from './loops.js';

/** The name of the batch index in kernels: no equation can use it, as it is not a letter. */
export const EXAMPLE = '#example';

/**
 * Lowers tensor expressions to statements. Reductions become loops that accumulate into a
 * local, guards become branches, and every access becomes a load at a flat offset with the
 * shapes inlined. `buffers` gives each tensor's layout.
 */
export class KernelLowering {
  private counter = 0;

  constructor(
    private readonly buffers: ReadonlyMap<string, Buffer>,
    private readonly batched: boolean,
  ) {}

  /** Emits the statements that compute `expr` into `out` and returns its value. */
  value(expr: Expr, out: Stmt[]): Value {
    switch (expr.kind) {
      case 'const':
        return number(expr.value);
      case 'access':
        return { kind: 'load', buffer: expr.tensor, offset: this.offset(expr) };
      case 'add':
        return expr.terms.map((t) => this.value(t, out)).reduce((a, b) => binary('+', a, b));
      case 'mul':
        return this.product(expr.factors, out);
      case 'div':
        return binary('/', this.value(expr.numerator, out), this.value(expr.denominator, out));
      case 'apply':
        return this.apply(expr, out);
      case 'select':
        return this.select(expr.test, expr.then, expr.otherwise, out);
      case 'sum':
        return this.reduce('sum', expr.indices, expr.conditions, expr.body, out);
      case 'max':
        return this.reduce('max', expr.indices, expr.conditions, expr.body, out);
      case 'argmax':
        return this.argmax(expr, out);
      case 'winner':
        return this.winner(expr, out);
      case 'isWinner': {
        const winner = this.value(expr.winner, out);
        const position: IndexExpr = { kind: 'affine', value: expr.position };
        return indicator({ kind: 'equalsIndex', value: winner, index: position });
      }
      case 'guard':
        return this.guard(expr.conditions, expr.body, out);
      case 'delta':
      case 'derivative':
        throw new InvariantError(`a ${expr.kind} reached code generation`);
    }
  }

  /** The flat offset of an access: the batch stride, then row-major strides of the shape. */
  offset(access: Access): IndexExpr {
    const buffer = this.buffers.get(access.tensor);
    invariant(buffer !== undefined, `no buffer for '${access.tensor}'`);
    const parts: { stride: number; value: Affine }[] = [];
    if (buffer.perExample && this.batched)
      parts.push({ stride: buffer.size, value: indexAffine(EXAMPLE) });
    let stride = buffer.size;
    access.indices.forEach((value, axis) => {
      stride /= buffer.shape[axis] ?? 1;
      parts.push({ stride, value });
    });
    return { kind: 'offset', parts };
  }

  private product(factors: readonly Expr[], out: Stmt[]): Value {
    const [first, ...rest] = factors;
    if (first?.kind === 'const' && first.value === -1 && rest.length > 0) {
      return { kind: 'negate', operand: this.product(rest, out) };
    }
    return factors.map((f) => this.value(f, out)).reduce((a, b) => binary('*', a, b));
  }

  /** A local holding `value`, so that piecewise functions read their argument once. */
  private bind(value: Value, out: Stmt[], hint: string): Value {
    if (value.kind === 'load' || value.kind === 'local' || value.kind === 'number') return value;
    const name = this.fresh(hint);
    out.push({ kind: 'declare', name, value, type: 'float' });
    return { kind: 'local', name };
  }

  private apply(expr: Expr & { kind: 'apply' }, out: Stmt[]): Value {
    const u = this.bind(this.value(expr.arg, out), out, 'u');
    const alpha = number(expr.parameter ?? 0);
    const positive: Test = { kind: 'positive', value: u };
    switch (expr.fn) {
      case 'sigmoid':
      case 'tanh':
      case 'exp':
      case 'log':
        return { kind: 'call', fn: expr.fn, args: [u] };
      case 'relu':
        return { kind: 'select', test: positive, then: u, otherwise: number(0) };
      case 'leakyRelu':
        return { kind: 'select', test: positive, then: u, otherwise: binary('*', alpha, u) };
      case 'elu': {
        const negativePart = binary(
          '*',
          alpha,
          binary('-', { kind: 'call', fn: 'exp', args: [u] }, number(1)),
        );
        return { kind: 'select', test: positive, then: u, otherwise: negativePart };
      }
      case 'square':
        return binary('*', u, u);
    }
  }

  private select(test: Expr, then: Expr, otherwise: Expr, out: Stmt[]): Value {
    const tested = this.value(test, out);
    const chosen = (branch: Expr) => this.value(branch, out);
    return {
      kind: 'select',
      test: { kind: 'positive', value: tested },
      then: chosen(then),
      otherwise: chosen(otherwise),
    };
  }

  /** `sum` or `max` over indices with explicit limits: a loop nest around an accumulator. */
  private reduce(
    kind: 'sum' | 'max',
    indices: readonly IndexVar[],
    conditions: readonly Condition[],
    body: Expr,
    out: Stmt[],
  ): Value {
    const name = this.fresh(kind);
    out.push({
      kind: 'declare',
      name,
      value: number(kind === 'sum' ? 0 : Number.NEGATIVE_INFINITY),
      type: 'float',
    });
    const ordered = this.orderForLocality(indices, body);
    const inner: Stmt[] = [];
    const value = this.value(body, inner);
    const combined: Value =
      kind === 'sum' ? value : { kind: 'call', fn: 'max', args: [{ kind: 'local', name }, value] };
    inner.push(
      kind === 'sum'
        ? { kind: 'accumulate', name, value }
        : { kind: 'assign', name, value: combined },
    );
    out.push(...loopNest(ordered, conditions, inner));
    return { kind: 'local', name };
  }

  /**
   * Orders a reduction's loops so that the innermost one moves through memory in the
   * smallest steps. Any order gives the same sum: conditions become limits of whichever of
   * their indices runs innermost.
   */
  private orderForLocality(indices: readonly IndexVar[], body: Expr): IndexVar[] {
    const step = new Map(indices.map((v) => [v.name, Number.POSITIVE_INFINITY]));
    for (const node of walk(body)) {
      if (node.kind !== 'access') continue;
      const offset = this.offset(node);
      if (offset.kind !== 'offset') continue;
      for (const v of indices) {
        const stride = Math.abs(
          offset.parts.reduce((n, p) => n + p.stride * coefficientOf(p.value, v.name), 0),
        );
        if (stride > 0) step.set(v.name, Math.min(step.get(v.name) ?? stride, stride));
      }
    }
    return [...indices].sort((a, b) => (step.get(b.name) ?? 0) - (step.get(a.name) ?? 0));
  }

  /**
   * The indicator that `at` is the first maximum of a window: scan the window (see `winner`)
   * and compare the position found with `at`. A schedule that stores each window's winner
   * ahead (`materializeWinners`) leaves none of these in its kernels.
   */
  private argmax(expr: Argmax, out: Stmt[]): Value {
    const position = this.winner(expr, out);
    const target: IndexExpr = { kind: 'affine', value: windowPosition(expr.indices, expr.at) };
    return indicator({ kind: 'equalsIndex', value: position, index: target });
  }

  /**
   * The row-major position of a window's first maximum: scan the window in row-major order,
   * keeping the position of each value strictly larger than every one before it.
   */
  private winner(window: Winner | Argmax, out: Stmt[]): Value {
    const best = this.fresh('largest');
    const position = this.fresh('first');
    out.push({ kind: 'declare', name: best, value: number(-Infinity), type: 'float' });
    out.push({ kind: 'declare', name: position, value: number(-1), type: 'float' });
    const inner: Stmt[] = [];
    const value = this.bind(this.value(window.body, inner), inner, 'candidate');
    const here = windowPosition(
      window.indices,
      window.indices.map((v) => indexAffine(v.name)),
    );
    inner.push({ kind: 'keepLarger', best, position, value, at: { kind: 'affine', value: here } });
    out.push(...loopNest(window.indices, window.conditions, inner));
    return { kind: 'local', name: position };
  }

  /** `[conditions] * body`: a branch, so that nothing in the body runs where it is not defined. */
  private guard(conditions: readonly Condition[], body: Expr, out: Stmt[]): Value {
    const test = conditionsTest(conditions);
    const inner: Stmt[] = [];
    const value = this.value(body, inner);
    if (inner.length === 0) return { kind: 'select', test, then: value, otherwise: number(0) };
    const name = this.fresh('guarded');
    out.push({ kind: 'declare', name, value: number(0), type: 'float' });
    out.push({ kind: 'if', test, body: [...inner, { kind: 'assign', name, value }] });
    return { kind: 'local', name };
  }

  private fresh(hint: string): string {
    this.counter += 1;
    return `${hint}${this.counter}`;
  }
}

/**
 * Loops over `indices` in order, each between the limits its conditions give; conditions that
 * are not limits (divisibility) skip the iterations that fail them.
 */
export function loopNest(
  indices: readonly IndexVar[],
  conditions: readonly Condition[],
  body: Stmt[],
): Stmt[] {
  const ranges = indexRanges(indices, conditions);
  let nest: Stmt[] = body;
  for (let k = ranges.length - 1; k >= 0; k--) {
    const range = ranges[k];
    if (range === undefined) continue;
    const filters = range.filters.map(
      (c) => ({ kind: 'skipUnless', test: conditionTest(c) }) as const,
    );
    nest = [
      {
        kind: 'for',
        index: range.index.name,
        lower: { kind: 'limit', side: 'lower', terms: range.lower },
        upper: { kind: 'limit', side: 'upper', terms: range.upper },
        body: [...filters, ...nest],
      },
    ];
  }
  return nest;
}

/** The row-major position of `at` within a window over `indices`. */
export function windowPosition(indices: readonly IndexVar[], at: readonly Affine[]): Affine {
  const coefficients = new Map<string, number>();
  let constant = 0;
  let stride = 1;
  for (let k = indices.length - 1; k >= 0; k--) {
    const a = at[k] as Affine;
    invariant(a.divisor === 1, 'an argmax position with a divisor');
    for (const t of a.terms)
      coefficients.set(t.index, (coefficients.get(t.index) ?? 0) + stride * t.coefficient);
    constant += stride * a.constant;
    stride *= (indices[k] as IndexVar).extent;
  }
  return affine(coefficients, constant);
}

export function conditionTest(c: Condition): Test {
  if (c.kind === 'divisible') return { kind: 'divisible', value: c.affine };
  return { kind: 'inRange', value: c.affine, lower: c.lower, upper: c.upper };
}

export function conditionsTest(conditions: readonly Condition[]): Test {
  const tests = conditions.map(conditionTest);
  return tests.length === 1 ? (tests[0] as Test) : { kind: 'all', tests };
}

/** 1 where `test` holds, else 0. */
function indicator(test: Test): Value {
  return { kind: 'select', test, then: number(1), otherwise: number(0) };
}

export function number(value: number): Value {
  return { kind: 'number', value };
}

function binary(op: '+' | '-' | '*' | '/', left: Value, right: Value): Value {
  return { kind: 'binary', op, left, right };
}
