import { identifierOf } from './kernels.js';
import type { Stmt, Value } from './loops.js';

/**
 * Explicit register blocking, for CPU backends. After unroll and jam, the innermost loop of a
 * tile multiplies every operand of one copy with every operand of the others: a 4 x 4 tile
 * reads 8 values 16 times. Each value read more than once is loaded once into a local at the
 * top of the loop body, and the products are formed from the locals. V8 does not merge the
 * repeated loads itself: each keeps its own bounds check.
 *
 * Only loads outside `select` branches move: a branch may guard an access out of range. Loads
 * of a buffer that the body stores to stay in place.
 */
export function hoistLoads(stmts: readonly Stmt[]): Stmt[] {
  return stmts.map((s) => {
    if (s.kind === 'if') return { ...s, body: hoistLoads(s.body) };
    if (s.kind !== 'for') return s;
    const body = hoistLoads(s.body);
    return { ...s, body: body.some(isBlock) ? body : withOperandLocals(body) };
  });
}

function isBlock(s: Stmt): boolean {
  return s.kind === 'for' || s.kind === 'if';
}

/** The body with its repeated loads declared once after its index declarations and skips. */
function withOperandLocals(body: readonly Stmt[]): Stmt[] {
  const repeated = repeatedLoads(body);
  if (repeated.size === 0) return [...body];

  const buffers = [...new Set([...repeated.values()].map((load) => load.buffer))];
  const bufferOrder = (load: Load) => buffers.indexOf(load.buffer);
  const ordinals = new Map<string, number>();
  const locals = new Map<string, string>();
  const declarations: Stmt[] = [];
  // Grouped by buffer, so that the code reads the operands of one tile side by side.
  const byBuffer = [...repeated].sort(([, a], [, b]) => bufferOrder(a) - bufferOrder(b));
  for (const [key, load] of byBuffer) {
    const ordinal = ordinals.get(load.buffer) ?? 0;
    ordinals.set(load.buffer, ordinal + 1);
    const name = `${identifierOf(load.buffer)}_${ordinal}`;
    locals.set(key, name);
    declarations.push({ kind: 'declare', name, value: load, type: 'float' });
  }

  const replace = (v: Value) => replaceLoads(v, locals);
  const rewritten = body.map((s) => {
    if (s.kind === 'declare' || s.kind === 'assign' || s.kind === 'accumulate')
      return { ...s, value: replace(s.value) };
    if (s.kind === 'store' || s.kind === 'keepLarger') return { ...s, value: replace(s.value) };
    return s;
  });
  const head = rewritten.findIndex((s) => s.kind !== 'declareIndex' && s.kind !== 'skipUnless');
  const at = head < 0 ? rewritten.length : head;
  return [...rewritten.slice(0, at), ...declarations, ...rewritten.slice(at)];
}

type Load = Value & { kind: 'load' };

/** Loads that the body's statements read more than once, unconditionally, in first-read order. */
function repeatedLoads(body: readonly Stmt[]): Map<string, Load> {
  const counts = new Map<string, { load: Load; count: number }>();
  const visit = (v: Value): void => {
    if (v.kind === 'load') {
      const key = JSON.stringify(v);
      const seen = counts.get(key);
      counts.set(key, { load: v, count: (seen?.count ?? 0) + 1 });
    } else if (v.kind === 'binary') {
      visit(v.left);
      visit(v.right);
    } else if (v.kind === 'negate') visit(v.operand);
    else if (v.kind === 'call') v.args.forEach(visit);
  };
  for (const s of body) {
    if (s.kind === 'declare' || s.kind === 'assign' || s.kind === 'accumulate') visit(s.value);
    if (s.kind === 'store' || s.kind === 'keepLarger') visit(s.value);
  }
  // A fused kernel reads what it stored a statement before: such loads stay where they are.
  const stored = new Set(body.flatMap((s) => (s.kind === 'store' ? [s.buffer] : [])));
  return new Map(
    [...counts]
      .filter(([, c]) => c.count > 1 && !stored.has(c.load.buffer))
      .map(([k, c]) => [k, c.load]),
  );
}

function replaceLoads(v: Value, locals: ReadonlyMap<string, string>): Value {
  const replace = (x: Value) => replaceLoads(x, locals);
  switch (v.kind) {
    case 'load': {
      const name = locals.get(JSON.stringify(v));
      return name === undefined ? v : { kind: 'local', name };
    }
    case 'binary':
      return { ...v, left: replace(v.left), right: replace(v.right) };
    case 'negate':
      return { ...v, operand: replace(v.operand) };
    case 'call':
      return { ...v, args: v.args.map(replace) };
    default:
      return v;
  }
}
