import type CodeBlockWriter from 'code-block-writer';
import type { Affine } from '../../program/affine.js';
import type { IndexExpr, Stmt, Test, Value } from '../../schedule/loops.js';
import { loadsOf, readsOnlyWhatTestReads, valuesOf } from '../../schedule/values.js';
import type { LimitTerm } from '../../simplify/bounds.js';
import { affineSource, offsetSource } from '../code.js';
import type { Namespace } from './names.js';

/** Helper functions a shader needs once some statement calls them. */
export type WgslHelper = 'floor_div' | 'ceil_div' | 'sigmoid';

/**
 * Prints the loop IR as WGSL, mirroring `TsRenderer`. Indices are `i32`, since affine
 * arithmetic may go below zero before a bound is checked; values are `f32`; shapes are
 * literals. Two things differ from TypeScript and are handled here:
 *
 * - WGSL's `/` on integers rounds toward zero, so loop limits call `floor_div` / `ceil_div`,
 *   and a range test on `n / d` is tested on `n` against the bounds times `d`.
 * - WGSL's `select` evaluates both branches. A select whose branch loads from a buffer at an
 *   offset that its test does not already read (a guard `[0 <= p - m <= 7] * x[p - m]`) may
 *   only read there when the test holds, so it becomes a `var` and an `if`.
 */
export class WgslRenderer {
  /** Helpers the printed code calls; the shader declares them. */
  readonly helpers = new Set<WgslHelper>();
  /** Selects printed as a branch before their statement, and the variable holding each. */
  private readonly branched = new Map<Value, string>();
  /** Loops around the statement being printed: outside any, `continue` becomes `return`. */
  private depth = 0;

  /**
   * @param names the shader's identifiers; IR names are claimed in it as they are printed
   * @param buffer the identifier of the storage buffer that holds a tensor
   * @param mutable IR locals that some statement assigns: declared `var`, the others `let`
   * @param batch the identifier of the shader's batch size, an `i32`
   */
  constructor(
    private readonly names: Namespace,
    private readonly buffer: (tensor: string) => string,
    private readonly mutable: ReadonlySet<string>,
    private readonly batch: string,
  ) {}

  statements(writer: CodeBlockWriter, stmts: readonly Stmt[]): void {
    for (const stmt of stmts) this.statement(writer, stmt);
  }

  private statement(writer: CodeBlockWriter, stmt: Stmt): void {
    switch (stmt.kind) {
      case 'for':
        this.loop(writer, stmt);
        return;
      case 'if':
        this.hoistTest(writer, stmt.test);
        writer
          .write(`if (${this.test(stmt.test)}) `)
          .block(() => this.statements(writer, stmt.body));
        return;
      case 'skipUnless': {
        this.hoistTest(writer, stmt.test);
        const leave = this.depth > 0 ? 'continue' : 'return';
        writer.write(`if (!(${this.test(stmt.test)})) `).block(() => writer.writeLine(`${leave};`));
        return;
      }
      case 'declare': {
        this.hoist(writer, stmt.value);
        const type = stmt.type === 'int' ? 'i32' : 'f32';
        const value =
          stmt.type === 'int' ? `${type}(${this.value(stmt.value)})` : this.value(stmt.value);
        writer.writeLine(`${this.binding(stmt.name)}: ${type} = ${value};`);
        return;
      }
      case 'declareIndex':
        writer.writeLine(`${this.binding(stmt.name)}: i32 = ${this.index(stmt.value)};`);
        return;
      case 'assign':
        this.hoist(writer, stmt.value);
        writer.writeLine(`${this.names.claim(stmt.name)} = ${this.value(stmt.value)};`);
        return;
      case 'assignIndex':
        writer.writeLine(`${this.names.claim(stmt.name)} = ${this.index(stmt.value)};`);
        return;
      case 'accumulate':
        this.hoist(writer, stmt.value);
        writer.writeLine(`${this.names.claim(stmt.name)} += ${this.value(stmt.value)};`);
        return;
      case 'store':
        this.hoist(writer, stmt.value);
        writer.writeLine(`${this.load(stmt.buffer, stmt.offset)} = ${this.value(stmt.value)};`);
        return;
      case 'keepLarger': {
        this.hoist(writer, stmt.value);
        const [best, position] = [this.names.claim(stmt.best), this.names.claim(stmt.position)];
        const value = this.value(stmt.value);
        const larger = this.names.numbered('larger');
        writer.writeLine(`let ${larger} = ${value} > ${best};`);
        writer.writeLine(
          `${position} = select(${position}, f32(${this.index(stmt.at)}), ${larger});`,
        );
        writer.writeLine(`${best} = select(${best}, ${value}, ${larger});`);
        return;
      }
      case 'comment':
        writer.writeLine(`// ${stmt.text}`);
        return;
    }
  }

  /** `var sum1` or `let u2`: only locals that some statement assigns need to be variables. */
  private binding(name: string): string {
    return `${this.mutable.has(name) ? 'var' : 'let'} ${this.names.claim(name)}`;
  }

  /**
   * A loop. An upper limit that is not a literal is computed once, into a `let` before the
   * loop, rather than at every iteration.
   */
  private loop(writer: CodeBlockWriter, stmt: Stmt & { kind: 'for' }): void {
    const i = this.names.claim(stmt.index);
    let condition: string;
    if (stmt.upper.kind === 'lastExample') {
      condition = `${i} < ${this.batch}`;
    } else {
      const last = this.index(stmt.upper);
      if (/^-?\d+$/.test(last)) {
        condition = `${i} <= ${last}`;
      } else {
        const name = this.names.fresh(`${i}Last`);
        writer.writeLine(`let ${name} = ${last};`);
        condition = `${i} <= ${name}`;
      }
    }
    const step = stmt.step ?? 1;
    const next = step === 1 ? `${i}++` : `${i} += ${step}`;
    const head = `for (var ${i}: i32 = ${this.index(stmt.lower)}; ${condition}; ${next}) `;
    writer.write(head).block(() => {
      this.depth += 1;
      this.statements(writer, stmt.body);
      this.depth -= 1;
    });
  }

  index(e: IndexExpr): string {
    switch (e.kind) {
      case 'affine':
        return this.affine(e.value);
      case 'offset':
        return this.offset(e.parts);
      case 'limit':
        return this.limit(e.side, e.terms);
      case 'lastExample':
        return `${this.batch} - 1`;
      case 'lastTileStart':
        return `${this.batch} - ${e.tile}`;
      case 'afterTiles':
        return `${this.batch} - ${this.batch} % ${e.tile}`;
    }
  }

  value(v: Value): string {
    return this.valueAt(v, 0);
  }

  /** Precedence: 0 additive context, 1 multiplicative, 2 operand of a unary or division. */
  private valueAt(v: Value, context: number): string {
    switch (v.kind) {
      case 'number':
        return floatLiteral(v.value);
      case 'load':
        return this.load(v.buffer, v.offset);
      case 'local':
        return this.names.claim(v.name);
      case 'batchSize':
        return `f32(${this.batch})`;
      case 'negate': {
        const operand = this.valueAt(v.operand, 2);
        return operand.startsWith('-') ? `-(${operand})` : `-${operand}`;
      }
      case 'call':
        return this.call(v);
      case 'select': {
        const variable = this.branched.get(v);
        if (variable !== undefined) return variable;
        // WGSL's select takes the value when false first: select(f, t, condition).
        return `select(${this.value(v.otherwise)}, ${this.value(v.then)}, ${this.test(v.test)})`;
      }
      case 'binary': {
        const own = v.op === '+' || v.op === '-' ? 0 : 1;
        const right = v.op === '-' || v.op === '/' ? own + 1 : own;
        const text = `${this.valueAt(v.left, own)} ${v.op} ${this.valueAt(v.right, right)}`;
        return own < context ? `(${text})` : text;
      }
    }
  }

  private call(v: Value & { kind: 'call' }): string {
    const args = v.args.map((a) => this.value(a));
    if (v.fn === 'sigmoid') this.helpers.add('sigmoid');
    return `${v.fn}(${args.join(', ')})`;
  }

  /** The element of a tensor's buffer at a flat offset: `x[u32(784 * example + i)]`. */
  load(tensor: string, offset: IndexExpr): string {
    return `${this.buffer(tensor)}[u32(${this.index(offset)})]`;
  }

  test(t: Test): string {
    switch (t.kind) {
      case 'inRange':
        return this.inRange(t.value, t.lower, t.upper);
      case 'divisible':
        // WGSL's % keeps the sign of the dividend, and is 0 exactly when d divides it.
        return `(${this.affine({ ...t.value, divisor: 1 })}) % ${t.value.divisor} == 0`;
      case 'positive':
        return `${this.valueAt(t.value, 1)} > 0.0`;
      case 'greater':
        return `${this.valueAt(t.left, 1)} > ${this.valueAt(t.right, 1)}`;
      case 'equalsIndex':
        return `${this.valueAt(t.value, 1)} == f32(${this.index(t.index)})`;
      case 'all':
        return t.tests.map((x) => `(${this.test(x)})`).join(' && ');
    }
  }

  /** `lower <= n / d <= upper` over the rationals, tested as `lower * d <= n <= upper * d`. */
  private inRange(value: Affine, lower: number, upper: number): string {
    const n = this.affine({ ...value, divisor: 1 });
    const [low, high] = [lower * value.divisor, upper * value.divisor];
    if (low === high) return `${n} == ${low}`;
    return `${low} <= ${n} && ${n} <= ${high}`;
  }

  /**
   * Records, then prints ahead of the statement, every select of `v` that must not read both
   * branches: `var chosen1: f32 = 0.0; if (test) { chosen1 = x[...]; }`.
   */
  private hoist(writer: CodeBlockWriter, v: Value): void {
    switch (v.kind) {
      case 'binary':
        this.hoist(writer, v.left);
        this.hoist(writer, v.right);
        return;
      case 'negate':
        this.hoist(writer, v.operand);
        return;
      case 'call':
        for (const arg of v.args) this.hoist(writer, arg);
        return;
      case 'select':
        this.hoistTest(writer, v.test);
        if (readsOnlyWhatTestReads(v)) {
          this.hoist(writer, v.then);
          this.hoist(writer, v.otherwise);
        } else {
          this.branch(writer, v);
        }
        return;
      default:
        return;
    }
  }

  private hoistTest(writer: CodeBlockWriter, t: Test): void {
    for (const value of valuesOf(t)) this.hoist(writer, value);
  }

  private branch(writer: CodeBlockWriter, v: Value & { kind: 'select' }): void {
    const name = this.names.numbered('chosen');
    const assign = (value: Value) => {
      this.hoist(writer, value);
      writer.writeLine(`${name} = ${this.value(value)};`);
    };
    const test = this.test(v.test);
    if (loadsOf(v.otherwise).size === 0) {
      this.hoist(writer, v.otherwise);
      writer.writeLine(`var ${name}: f32 = ${this.value(v.otherwise)};`);
      writer.write(`if (${test}) `).block(() => assign(v.then));
    } else {
      writer.writeLine(`var ${name}: f32;`);
      writer.write(`if (${test}) `).inlineBlock(() => assign(v.then));
      writer.write(' else ').block(() => assign(v.otherwise));
    }
    this.branched.set(v, name);
  }

  private affine(a: Affine): string {
    return affineSource(a, (index) => this.names.claim(index));
  }

  /** A flat offset: strides folded into one affine where no index is divided. */
  private offset(parts: readonly { readonly stride: number; readonly value: Affine }[]): string {
    return offsetSource(parts, (index) => this.names.claim(index));
  }

  /** `max(ceil_div(n1, d1), n2)` for a lower limit; `min` and `floor_div` for an upper one. */
  private limit(side: 'lower' | 'upper', terms: readonly LimitTerm[]): string {
    const round: WgslHelper = side === 'lower' ? 'ceil_div' : 'floor_div';
    const parts = terms.map((t) => {
      // ceil((n / a) / d) = ceil(n / (a * d)) for positive a and d: one exact division.
      const divisor = t.divisor * t.numerator.divisor;
      const numerator = this.affine({ ...t.numerator, divisor: 1 });
      if (divisor === 1) return numerator;
      this.helpers.add(round);
      return `${round}(${numerator}, ${divisor})`;
    });
    const pick = side === 'lower' ? 'max' : 'min';
    return parts.reduceRight((inner, part) => `${pick}(${part}, ${inner})`);
  }
}

/** Largest finite f32, for the -Infinity that starts a running maximum. */
const LARGEST_F32 = '3.402823e38';

/** A WGSL f32 literal: `0.0`, `-1.0`, `0.2`, `1e-7`. */
export function floatLiteral(value: number): string {
  if (value === Number.NEGATIVE_INFINITY || value < -3.402823e38) return `-${LARGEST_F32}`;
  if (value === Number.POSITIVE_INFINITY || value > 3.402823e38) return LARGEST_F32;
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}
