import { type Affine, formatAffine } from '../program/affine.js';
import type { Access, TensorDecl } from '../program/ir.js';

/**
 * How tensors are named in the paper's notation, shared by every renderer: `w^l`, `b^l`,
 * `x^l` (pre-activation), `O^l` (output), `x` and `y` for the network's input and output,
 * `delta^l = dL/dx^l`, and `dL/dT` for the other adjoints. Axes of extent 1 (a single
 * channel) are left out, as the paper writes `w_{m,n}` for a one-channel kernel.
 */
export interface TensorName {
  /** `w`, `delta`, `O` ... or, for adjoints other than deltas, the tensor differentiated. */
  readonly symbol: string;
  readonly layer?: number;
  /** Set for `dL/dT` names: the loss symbol, with `symbol` naming T. */
  readonly gradientOf?: string;
}

export class Notation {
  private readonly decls: Map<string, TensorDecl>;
  readonly lossSymbol: string;

  constructor(tensors: readonly TensorDecl[], loss: string) {
    this.decls = new Map(tensors.map((t) => [t.name, t]));
    this.lossSymbol = this.decls.get(loss)?.notation.symbol ?? 'L';
  }

  /** The displayed name of a tensor or adjoint. `grad(T)` names the adjoint of T. */
  name(tensor: string): TensorName {
    const of = /^grad\((.*)\)$/.exec(tensor)?.[1];
    if (of === undefined) return this.plain(tensor);
    const decl = this.decls.get(of);
    if (decl?.role === 'preActivation') {
      return {
        symbol: 'delta',
        ...(decl.notation.layer === undefined ? {} : { layer: decl.notation.layer }),
      };
    }
    return { ...this.plain(of), gradientOf: this.lossSymbol };
  }

  private plain(tensor: string): TensorName {
    const decl = this.decls.get(tensor);
    if (decl === undefined) return { symbol: tensor };
    const { symbol, layer } = decl.notation;
    return layer === undefined ? { symbol } : { symbol, layer };
  }

  /** The indices worth showing: those of axes longer than 1. */
  visibleIndices(access: Access): Affine[] {
    const of = /^grad\((.*)\)$/.exec(access.tensor)?.[1] ?? access.tensor;
    const shape = this.decls.get(of)?.shape;
    if (shape === undefined) return [...access.indices];
    return access.indices.filter((_, axis) => shape[axis] !== 1);
  }

  /** `i + m'` with the index names as written. */
  index(a: Affine): string {
    return formatAffine(a);
  }
}
