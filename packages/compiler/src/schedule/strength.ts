import { type Affine, affine } from '../program/affine.js';
import { identifierOf } from './kernels.js';
import type { IndexExpr, Stmt, Test, Value } from './loops.js';

/**
 * Strength reduction of buffer offsets, for CPU backends. A flat offset such as
 * `784 * example + 28 * i + 28 * m + j + n - 58` is split along the loops around it: each loop
 * level declares, once per iteration, the part that its own index and the outer ones add,
 * built from the level above (`const xAtN = xAtM + n`), and the access keeps only a constant:
 * `x[xAtN - 58]`. V8 does not move checked integer arithmetic out of loops by itself, so
 * without this the innermost statement recomputes the whole sum for every operand.
 *
 * Offsets with a divisor (strided gathers) stay as they are.
 */
export function reduceOffsets(stmts: readonly Stmt[]): Stmt[] {
  return new OffsetReducer().block(stmts, []);
}

/** One enclosing loop: its index, and the offsets declared at the top of its body. */
interface Level {
  readonly index: string;
  readonly declarations: Stmt[];
  readonly bases: Map<string, string>;
}

type Linear = ReadonlyMap<string, number>;

class OffsetReducer {
  /** A name per buffer, loop index and linear part; distinct parts get numbered names. */
  private readonly names = new Map<string, string>();
  private readonly taken = new Map<string, number>();

  block(stmts: readonly Stmt[], levels: readonly Level[]): Stmt[] {
    return stmts.map((s) => this.statement(s, levels));
  }

  private statement(s: Stmt, levels: readonly Level[]): Stmt {
    const value = (v: Value) => this.value(v, levels);
    switch (s.kind) {
      case 'for': {
        const level: Level = { index: s.index, declarations: [], bases: new Map() };
        const body = this.block(s.body, [...levels, level]);
        return { ...s, body: [...level.declarations, ...body] };
      }
      case 'if':
        return { ...s, test: this.test(s.test, levels), body: this.block(s.body, levels) };
      case 'skipUnless':
        return { ...s, test: this.test(s.test, levels) };
      case 'declare':
      case 'assign':
      case 'accumulate':
        return { ...s, value: value(s.value) };
      case 'store':
        return { ...s, offset: this.offset(s.offset, s.buffer, levels), value: value(s.value) };
      case 'keepLarger':
        return { ...s, value: value(s.value) };
      default:
        return s;
    }
  }

  private value(v: Value, levels: readonly Level[]): Value {
    const value = (x: Value) => this.value(x, levels);
    switch (v.kind) {
      case 'load':
        return { ...v, offset: this.offset(v.offset, v.buffer, levels) };
      case 'binary':
        return { ...v, left: value(v.left), right: value(v.right) };
      case 'negate':
        return { ...v, operand: value(v.operand) };
      case 'call':
        return { ...v, args: v.args.map(value) };
      case 'select':
        return {
          ...v,
          test: this.test(v.test, levels),
          then: value(v.then),
          otherwise: value(v.otherwise),
        };
      default:
        return v;
    }
  }

  private test(t: Test, levels: readonly Level[]): Test {
    switch (t.kind) {
      case 'positive':
        return { ...t, value: this.value(t.value, levels) };
      case 'greater':
        return { ...t, left: this.value(t.left, levels), right: this.value(t.right, levels) };
      case 'equalsIndex':
        return { ...t, value: this.value(t.value, levels) };
      case 'all':
        return { ...t, tests: t.tests.map((x) => this.test(x, levels)) };
      default:
        return t;
    }
  }

  /** `base + constant`, where `base` is declared at the innermost loop the offset depends on. */
  private offset(e: IndexExpr, buffer: string, levels: readonly Level[]): IndexExpr {
    const flat = e.kind === 'offset' ? flatten(e.parts) : undefined;
    if (flat === undefined) return e;
    const depth = deepestLevel(flat.linear, levels);
    if (depth === undefined) return e;
    if (depth < 0) return { kind: 'affine', value: affine({}, flat.constant) };
    const base = this.base(flat.linear, depth, buffer, levels);
    return { kind: 'affine', value: affine({ [base]: 1 }, flat.constant) };
  }

  /** The local holding `linear` at loop `depth`, declared there on first use. */
  private base(linear: Linear, depth: number, buffer: string, levels: readonly Level[]): string {
    const level = levels[depth] as Level;
    const key = `${buffer}|${JSON.stringify([...linear].sort())}`;
    const known = level.bases.get(key);
    if (known !== undefined) return known;

    const coefficient = linear.get(level.index) ?? 0;
    const outer = new Map([...linear].filter(([index]) => index !== level.index));
    if (outer.size === 0 && coefficient === 1) return level.index;
    const outerDepth = deepestLevel(outer, levels) ?? -1;
    const outerBase = outerDepth < 0 ? [] : [this.base(outer, outerDepth, buffer, levels)];
    const name = this.nameFor(key, buffer, level.index);
    // The terms stay in this order, so that the code reads `xAtM + 28 * m`.
    const terms = [
      ...outerBase.map((index) => ({ index, coefficient: 1 })),
      ...(coefficient === 0 ? [] : [{ index: level.index, coefficient }]),
    ];
    level.declarations.push({
      kind: 'declareIndex',
      name,
      value: { kind: 'affine', value: { terms, constant: 0, divisor: 1 } },
    });
    level.bases.set(key, name);
    return name;
  }

  /** `xAtN` for buffer `x` at loop `n`; a second linear part there is `xAtN2`. */
  private nameFor(key: string, buffer: string, index: string): string {
    const scoped = `${key}|${index}`;
    const known = this.names.get(scoped);
    if (known !== undefined) return known;
    const stem = `${identifierOf(buffer)}At${capitalized(index)}`;
    const count = (this.taken.get(stem) ?? 0) + 1;
    this.taken.set(stem, count);
    const name = count === 1 ? stem : `${stem}${count}`;
    this.names.set(scoped, name);
    return name;
  }
}

/** `sum_k stride_k * part_k` as one linear map plus a constant, when no part is divided. */
function flatten(
  parts: readonly { readonly stride: number; readonly value: Affine }[],
): { linear: Linear; constant: number } | undefined {
  if (parts.some((p) => p.value.divisor !== 1)) return undefined;
  const linear = new Map<string, number>();
  let constant = 0;
  for (const { stride, value } of parts) {
    for (const t of value.terms)
      linear.set(t.index, (linear.get(t.index) ?? 0) + stride * t.coefficient);
    constant += stride * value.constant;
  }
  for (const [index, coefficient] of linear) if (coefficient === 0) linear.delete(index);
  return { linear, constant };
}

/**
 * The innermost enclosing loop whose index `linear` uses, -1 for a constant, undefined when
 * it uses an index that no enclosing loop binds.
 */
function deepestLevel(linear: Linear, levels: readonly Level[]): number | undefined {
  let deepest = -1;
  for (const index of linear.keys()) {
    const depth = levels.findIndex((l) => l.index === index);
    if (depth < 0) return undefined;
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** `#example` -> `Example`, `i'` -> `IPrime`. */
function capitalized(index: string): string {
  const plain = index.replace(/^#/, '').replace(/'/g, 'Prime');
  return `${plain[0]?.toUpperCase()}${plain.slice(1)}`;
}
