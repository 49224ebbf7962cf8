import type { DerivedProgram } from '../derive/types.js';
import { type Affine, affineIndices, indexAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type {
  Argmax,
  Equation,
  Expr,
  IndexVar,
  IsWinner,
  TensorDecl,
  Winner,
} from '../program/ir.js';
import { boundIndices, mapChildren, substitute, tensorsRead, walk } from '../program/traverse.js';
import { windowPosition } from './lower-kernel.js';

/**
 * A max-pool's input gradient reads `[(i' - 2i, j' - 2j) = argmax_{m,n} O[2i + m, 2j + n, c']]`
 * at every point of every window. The argmax depends on the window `(i, j, c')` alone, yet a
 * kernel that computes it where it is read scans each window once for each of its points.
 *
 * Here each such argmax becomes a tensor of its own, `p[i,j,c] = argmax_{m,n} O[...]` (a
 * `Winner`), computed once per window by a kernel that runs before the gradient's; the
 * gradient reads `[2 (i' - 2i) + (j' - 2j) = p[i,j,c']]` (an `IsWinner`) instead. The values
 * are the same; the work shrinks by the size of a window. TensorFlow's max-pool gradient
 * keeps the same kind of tensor, its `argmax` positions.
 */
export interface WithWinners {
  /** The derived program's tensors and one declaration per winner tensor. */
  readonly tensors: readonly TensorDecl[];
  /** The backward equations, each winner's equation right before the first that reads it. */
  readonly backward: readonly Equation[];
  /** The names of the winner tensors. */
  readonly winners: ReadonlySet<string>;
}

export function materializeWinners(derived: DerivedProgram): WithWinners {
  const hoisting = new WinnerHoisting(derived);
  const backward = derived.backward.flatMap((equation) => hoisting.equation(equation));
  return {
    tensors: [...derived.tensors, ...hoisting.declarations],
    backward,
    winners: new Set(hoisting.declarations.map((d) => d.name)),
  };
}

class WinnerHoisting {
  readonly declarations: TensorDecl[] = [];
  /** Winner equations by a key of what they compute, so that equal ones share a tensor. */
  private readonly byKey = new Map<string, Equation>();
  private pending: Equation[] = [];

  constructor(private readonly derived: DerivedProgram) {}

  /** `equation` with its argmaxes read from winner tensors, after the new winners' equations. */
  equation(equation: Equation): Equation[] {
    const scope = new Map(equation.indices.map((v) => [v.name, v] as const));
    const body = this.rewrite(equation.body, scope);
    const added = this.pending;
    this.pending = [];
    return [...added, { ...equation, body }];
  }

  private rewrite(expr: Expr, scope: ReadonlyMap<string, IndexVar>): Expr {
    if (expr.kind === 'argmax') return this.hoisted(expr, scope) ?? expr;
    const bound = boundIndices(expr);
    const inner =
      bound.length === 0 ? scope : new Map([...scope, ...bound.map((v) => [v.name, v] as const)]);
    return mapChildren(expr, (child) => this.rewrite(child, inner));
  }

  /**
   * The argmax as a test on a winner tensor, where its window depends only on indices in
   * scope and some index in scope does not move it (so that hoisting saves scans).
   */
  private hoisted(argmax: Argmax, scope: ReadonlyMap<string, IndexVar>): IsWinner | undefined {
    const window = windowIndices(argmax);
    if (!window.every((name) => scope.has(name)) || window.length === scope.size) return;
    const outer = window.map((name) => scope.get(name) as IndexVar);
    const winner = this.winnerTensor(argmax, outer);
    return {
      kind: 'isWinner',
      winner: build.access(winner, window.map(indexAffine)),
      position: windowPosition(argmax.indices, argmax.at),
    };
  }

  /** The name of the tensor holding this argmax's winners, declared on first use. */
  private winnerTensor(argmax: Argmax, outer: readonly IndexVar[]): string {
    const pooled = this.pooledTensor(argmax);
    // The pool's own index names where its output has the winners' shape: p[i,j,c].
    const fits = pooled !== undefined && pooled.indexNames.length === outer.length;
    const indices = outer.map((v, axis) => ({
      ...v,
      name: fits ? (pooled.indexNames[axis] ?? v.name) : v.name,
    }));
    const renames = new Map<string, Affine>(
      outer.map((v, axis) => [v.name, indexAffine((indices[axis] as IndexVar).name)]),
    );
    const window: Winner = {
      kind: 'winner',
      indices: argmax.indices,
      conditions: argmax.conditions,
      body: argmax.body,
    };
    const body = substitute(window, renames);
    const key = JSON.stringify([indices, body]);
    const known = this.byKey.get(key);
    if (known !== undefined) return known.tensor;

    const layer = pooled?.layer;
    const name = this.freshName(`${layer ?? 'max'}/argmax`);
    this.declarations.push({
      name,
      shape: indices.map((v) => v.extent),
      role: 'intermediate',
      indexNames: indices.map((v) => v.name),
      notation: { symbol: 'p', ...layerNumber(pooled) },
      ...(layer === undefined ? {} : { layer }),
    });
    const equation: Equation = {
      tensor: name,
      indices,
      body,
      ...(layer === undefined ? {} : { layer }),
      comment: 'the position of the first maximum in each window, kept for the gradient',
    };
    this.byKey.set(key, equation);
    this.pending.push(equation);
    return name;
  }

  /** The forward tensor that is the maximum over the same windows, such as a pool's output. */
  private pooledTensor(argmax: Argmax): TensorDecl | undefined {
    const scanned = [...tensorsRead(argmax.body)].join();
    const pool = this.derived.forward.equations.find(
      (e) => e.body.kind === 'max' && [...tensorsRead(e.body)].join() === scanned,
    );
    return this.derived.tensors.find((t) => t.name === pool?.tensor);
  }

  private freshName(base: string): string {
    const taken = new Set(this.derived.tensors.map((t) => t.name));
    for (const d of this.declarations) taken.add(d.name);
    if (!taken.has(base)) return base;
    for (let k = 2; ; k++) if (!taken.has(`${base}${k}`)) return `${base}${k}`;
  }
}

/**
 * The indices outside an argmax that choose its window, in the order its body first reads
 * them: `(i, j, c')` for `argmax_{m,n} O[2i + m, 2j + n, c']`.
 */
function windowIndices(argmax: Argmax): string[] {
  const own = new Set(argmax.indices.map((v) => v.name));
  const names: string[] = [];
  const note = (a: Affine) => {
    for (const name of affineIndices(a))
      if (!own.has(name) && !names.includes(name)) names.push(name);
  };
  for (const node of walk(argmax.body)) if (node.kind === 'access') node.indices.forEach(note);
  for (const condition of argmax.conditions) note(condition.affine);
  return names;
}

/** The layer number of a tensor's notation, to give its winners the same: `p^2` for `O^2`. */
function layerNumber(decl: TensorDecl | undefined): { layer?: number } {
  const layer = decl?.notation.layer;
  return layer === undefined ? {} : { layer };
}
