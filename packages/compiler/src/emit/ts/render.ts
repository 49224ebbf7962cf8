import type { CodeBlockWriter } from 'ts-morph';
import { invariant } from '../../errors.js';
import type { Affine } from '../../program/affine.js';
import type { IndexExpr, Stmt, Test, Value } from '../../schedule/loops.js';
import { readsOnlyWhatTestReads } from '../../schedule/values.js';
import type { LimitTerm } from '../../simplify/bounds.js';
import { affineSource, offsetSource } from '../code.js';

/**
 * Prints the loop IR as TypeScript over `Float32Array`s. Index names become identifiers
 * (`i'` is `i_`), shapes are numbers in the code, and `buffer` maps tensors to the local
 * variables that hold them.
 */
export class TsRenderer {
  /** Locals that some statement assigns after their declaration: `let`; the others `const`. */
  private mutable: ReadonlySet<string> = new Set();

  constructor(private readonly buffer: (tensor: string) => string) {}

  /** Prints a kernel's statements. */
  statements(writer: CodeBlockWriter, stmts: readonly Stmt[]): void {
    this.mutable = assignedLocals(stmts);
    this.block(writer, stmts);
  }

  private block(writer: CodeBlockWriter, stmts: readonly Stmt[]): void {
    for (const stmt of stmts) this.statement(writer, stmt);
  }

  private statement(writer: CodeBlockWriter, stmt: Stmt): void {
    switch (stmt.kind) {
      case 'for': {
        const head = this.loopHead(indexName(stmt.index), stmt.lower, stmt.upper, stmt.step ?? 1);
        writer.write(`${head} `).block(() => this.block(writer, stmt.body));
        return;
      }
      case 'if':
        writer.write(`if (${this.test(stmt.test)}) `).block(() => this.block(writer, stmt.body));
        return;
      case 'skipUnless':
        writer.writeLine(`if (!(${this.test(stmt.test)})) continue;`);
        return;
      case 'declare':
        writer.writeLine(`${this.keyword(stmt.name)} ${stmt.name} = ${this.value(stmt.value)};`);
        return;
      case 'declareIndex':
        writer.writeLine(`${this.keyword(stmt.name)} ${stmt.name} = ${this.index(stmt.value)};`);
        return;
      case 'assign':
        if (isRunningMax(stmt)) {
          const value = this.value(stmt.value.args[1]);
          this.withCandidate(writer, value, (candidate) =>
            this.pickLarger(writer, stmt.name, candidate),
          );
        } else {
          writer.writeLine(`${stmt.name} = ${this.value(stmt.value)};`);
        }
        return;
      case 'assignIndex':
        writer.writeLine(`${stmt.name} = ${this.index(stmt.value)};`);
        return;
      case 'accumulate':
        writer.writeLine(`${stmt.name} += ${this.value(stmt.value)};`);
        return;
      case 'store':
        writer.writeLine(
          `${this.buffer(stmt.buffer)}[${this.index(stmt.offset)}] = ${this.value(stmt.value)};`,
        );
        return;
      case 'keepLarger': {
        // position += (at - position) * [value > best], then best = max(best, value).
        const { best, position } = stmt;
        const at = this.index(stmt.at);
        this.withCandidate(writer, this.value(stmt.value), (candidate) => {
          writer.writeLine(`${position} += (${at} - ${position}) * +(${candidate} > ${best});`);
          this.pickLarger(writer, best, candidate);
        });
        return;
      }
      case 'comment':
        writer.writeLine(`// ${stmt.text}`);
        return;
    }
  }

  /**
   * best = max(best, candidate) without a branch: both go into the module's two-slot
   * `operands` array and the comparison picks one. Written out in place, not as a call of a
   * helper: a kernel with many of them (a 4 x 6 tile of a pool) runs past what V8 inlines,
   * and every call left standing boxes its three doubles, about 4 MB of garbage in a LeNet-5
   * step, with pooling twice as slow.
   */
  private pickLarger(writer: CodeBlockWriter, best: string, candidate: string): void {
    writer.writeLine(`operands[0] = ${best};`);
    writer.writeLine(`operands[1] = ${candidate};`);
    writer.writeLine(`${best} = operands[+(${candidate} > ${best})];`);
  }

  /**
   * Writes `use(name)` for a value read once: in a block of its own, where `candidate` holds
   * it, so that the comparison reads a register rather than the slot just stored (a quarter
   * faster on a max-pool), unless the value itself names a `candidate` of the kernel's.
   */
  private withCandidate(
    writer: CodeBlockWriter,
    value: string,
    use: (candidate: string) => void,
  ): void {
    if (/\bcandidate\b/.test(value)) {
      use(value);
      return;
    }
    writer.write('').block(() => {
      writer.writeLine(`const candidate = ${value};`);
      use('candidate');
    });
  }

  private keyword(local: string): 'let' | 'const' {
    return this.mutable.has(local) ? 'let' : 'const';
  }

  /**
   * A loop's head. A limit that is not a number or a local is computed once, before the loop,
   * rather than at every iteration as a plain `i <= Math.min(...)` test would.
   */
  private loopHead(i: string, lower: IndexExpr, upper: IndexExpr, step: number): string {
    const first = `let ${i} = ${this.index(lower)}`;
    const next = step === 1 ? `${i}++` : `${i} += ${step}`;
    if (upper.kind === 'lastExample') return `for (${first}; ${i} < batch; ${next})`;
    const last = this.index(upper);
    if (/^-?\d+$|^[A-Za-z_]\w*$/.test(last)) return `for (${first}; ${i} <= ${last}; ${next})`;
    return `for (${first}, ${i}Last = ${last}; ${i} <= ${i}Last; ${next})`;
  }

  index(e: IndexExpr): string {
    switch (e.kind) {
      case 'affine':
        return affineCode(e.value);
      case 'offset':
        return offsetCode(e.parts);
      case 'limit':
        return limitCode(e.side, e.terms);
      case 'lastExample':
        return 'batch - 1';
      case 'lastTileStart':
        return `batch - ${e.tile}`;
      case 'afterTiles':
        return `batch - (batch % ${e.tile})`;
    }
  }

  value(v: Value): string {
    return this.valueAt(v, 0);
  }

  /** Precedence: 0 additive context, 1 multiplicative, 2 operand of a unary or division. */
  private valueAt(v: Value, context: number): string {
    switch (v.kind) {
      case 'number':
        return numberCode(v.value);
      case 'load':
        return `${this.buffer(v.buffer)}[${this.index(v.offset)}]`;
      case 'local':
        return v.name;
      case 'batchSize':
        return 'batch';
      case 'negate':
        return `-${this.valueAt(v.operand, 2)}`;
      case 'call':
        return this.call(v, context);
      case 'select':
        return this.select(v, context);
      case 'binary': {
        const own = v.op === '+' || v.op === '-' ? 0 : 1;
        const right = v.op === '-' || v.op === '/' ? own + 1 : own;
        const text = `${this.valueAt(v.left, own)} ${v.op} ${this.valueAt(v.right, right)}`;
        return own < context ? `(${text})` : text;
      }
    }
  }

  /**
   * A call as an expression of its own: kernels call nothing but V8's Math builtins, since a
   * call of a module function that V8 does not inline boxes every double passing through it.
   * The sigmoid is written out, in parentheses wherever it is an operand of a product, so
   * that `y * sigmoid(x)` keeps its rounding. A running maximum is a statement of its own
   * (`pickLarger`), never a call.
   */
  private call(v: Value & { kind: 'call' }, context: number): string {
    const [first] = v.args;
    invariant(v.fn !== 'max', 'a maximum outside a running maximum has no TypeScript form');
    if (v.fn === 'sigmoid' && first !== undefined) {
      const x = this.valueAt(first, 2);
      const text = `1 / (1 + Math.exp(-${x.startsWith('-') ? `(${x})` : x}))`;
      return context > 0 ? `(${text})` : text;
    }
    return `Math.${v.fn}(${v.args.map((a) => this.value(a)).join(', ')})`;
  }

  /**
   * V8 compiles `?:` to a branch, which a test on the data (a ReLU on signed values)
   * mispredicts for about every other element: six times slower than no branch, as measured
   * here on a ReLU mask. Where both branches may be evaluated, an indicator prints as a
   * number instead, `+(test)`, which V8 sets without a branch: `[test]` is `+(test)` and
   * `test ? v : 0` is `v * +(test)`, the same value for every finite `v`. (An infinite `v`
   * where the test fails gives NaN for 0, from a tensor that is non-finite already.)
   */
  private select(v: Value & { kind: 'select' }, context: number): string {
    const test = this.test(v.test);
    const isNumber = (x: Value, n: number) => x.kind === 'number' && x.value === n;
    if (isNumber(v.then, 1) && isNumber(v.otherwise, 0)) return `+(${test})`;
    if (isNumber(v.otherwise, 0) && readsOnlyWhatTestReads(v)) {
      const text = `${this.valueAt(v.then, 1)} * +(${test})`;
      return context > 1 ? `(${text})` : text;
    }
    return `(${test} ? ${this.value(v.then)} : ${this.value(v.otherwise)})`;
  }

  test(t: Test): string {
    switch (t.kind) {
      case 'inRange': {
        const value = affineCode(t.value);
        if (t.lower === t.upper) return `${value} === ${t.lower}`;
        return `${t.lower} <= ${value} && ${value} <= ${t.upper}`;
      }
      case 'divisible':
        return `(${affineCode({ ...t.value, divisor: 1 })}) % ${t.value.divisor} === 0`;
      case 'positive':
        return `${this.valueAt(t.value, 1)} > 0`;
      case 'greater':
        return `${this.valueAt(t.left, 1)} > ${this.valueAt(t.right, 1)}`;
      case 'equalsIndex':
        return `${this.valueAt(t.value, 1)} === ${this.index(t.index)}`;
      case 'all':
        return t.tests.map((x) => `(${this.test(x)})`).join(' && ');
    }
  }
}

/** `m = max(m, value)`: the step of a running maximum, in the form `reduce` lowers it to. */
function isRunningMax(
  stmt: Stmt & { kind: 'assign' },
): stmt is Stmt & { kind: 'assign'; value: Value & { kind: 'call'; args: [Value, Value] } } {
  const { value } = stmt;
  if (value.kind !== 'call' || value.fn !== 'max' || value.args.length !== 2) return false;
  const first = value.args[0] as Value;
  return first.kind === 'local' && first.name === stmt.name;
}

/** Whether statements keep a running maximum, and so need the module's `operands`. */
export function keepsMaximum(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => {
    if (s.kind === 'keepLarger' || (s.kind === 'assign' && isRunningMax(s))) return true;
    return (s.kind === 'for' || s.kind === 'if') && keepsMaximum(s.body);
  });
}

function assignedLocals(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const visit = (s: Stmt): void => {
    if (s.kind === 'assign' || s.kind === 'accumulate' || s.kind === 'assignIndex')
      names.add(s.name);
    if (s.kind === 'keepLarger') names.add(s.best).add(s.position);
    if (s.kind === 'for' || s.kind === 'if') s.body.forEach(visit);
  };
  stmts.forEach(visit);
  return names;
}

/** `i'` -> `i_`; the batch index `#example` -> `example`. */
export function indexName(name: string): string {
  return name.replace(/^#/, '').replace(/'/g, '_');
}

export function affineCode(a: Affine): string {
  return affineSource(a, indexName);
}

function offsetCode(parts: readonly { readonly stride: number; readonly value: Affine }[]): string {
  return offsetSource(parts, indexName);
}

function limitCode(side: 'lower' | 'upper', terms: readonly LimitTerm[]): string {
  const round = side === 'lower' ? 'Math.ceil' : 'Math.floor';
  const parts = terms.map((t) => {
    const numerator = affineCode(t.numerator);
    return t.divisor === 1 ? numerator : `${round}((${numerator}) / ${t.divisor})`;
  });
  if (parts.length === 1) return parts[0] as string;
  return `${side === 'lower' ? 'Math.max' : 'Math.min'}(${parts.join(', ')})`;
}

export function numberCode(value: number): string {
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  return String(value);
}
