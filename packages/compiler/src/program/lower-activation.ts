import type { Activation, Layer } from '../graph/types.js';
import { indexAffine } from './affine.js';
import * as build from './build.js';
import type { Expr, IndexVar } from './ir.js';
import type { LayerPosition, ProgramBuilder, Source } from './lower.js';

/**
 * Applies a layer's activation to its pre-activation: `O^l = f(x^l)` element by element, or
 * softmax along the last axis. A linear activation adds no equation: the output is `x^l`.
 */
export function lowerActivation(
  program: ProgramBuilder,
  layer: Layer & { readonly activation: Activation },
  preActivation: Source,
  at: LayerPosition,
): Source {
  const { activation } = layer;
  if (activation.name === 'linear') return preActivation;
  if (activation.name === 'softmax') return lowerSoftmax(program, layer, preActivation, at);

  const indices = indicesOf(program, preActivation);
  const element = build.access(
    preActivation.tensor,
    indices.map((v) => indexAffine(v.name)),
  );
  const alpha = 'alpha' in activation ? activation.alpha : undefined;
  const body = build.apply(activation.name, element, alpha);
  const output = program.defineOutput(layer, at, indices, body, `${activation.name} activation`);
  return { ...output, preActivation };
}

/** The index variables of a tensor's own equation, or of the input. */
export function indicesOf(program: ProgramBuilder, source: Source): IndexVar[] {
  const decl = program.tensors.find((t) => t.name === source.tensor);
  return source.shape.map((extent, axis) => ({
    name: decl?.indexNames[axis] ?? `i${axis}`,
    extent,
  }));
}

/**
 * `y_j = exp(z_j - s) / sum_k exp(z_k - s)` with the shift `s = max_k z_k`, which keeps every
 * exponential at most 1. The shift carries no gradient: softmax is unchanged by any shift.
 */
function lowerSoftmax(
  program: ProgramBuilder,
  layer: Layer,
  preActivation: Source,
  at: LayerPosition,
): Source {
  const parts = softmaxParts(program, layer.name, preActivation, at.number);
  const indices = indicesOf(program, preActivation);
  const position = indices.map((v) => indexAffine(v.name));
  const leading = position.slice(0, -1);
  const body = build.div(
    build.access(parts.exps, position),
    build.access(parts.normalizer, leading),
  );
  const output = program.defineOutput(layer, at, indices, body, 'softmax activation');
  return { ...output, preActivation, softmax: parts };
}

export interface SoftmaxParts {
  readonly shift: string;
  readonly exps: string;
  readonly normalizer: string;
}

/** The shift `s`, the exponentials `u_j = exp(z_j - s)` and their sum `Z = sum_k u_k`. */
export function softmaxParts(
  program: ProgramBuilder,
  owner: string,
  logits: Source,
  layerNumber: number | undefined,
): SoftmaxParts {
  // Softmax runs along the last axis, as in Keras: per position for a 3-D tensor.
  const indices = indicesOf(program, logits);
  const leading = indices.slice(0, -1);
  const last = indices[indices.length - 1] as IndexVar;
  const across = { name: `${last.name}2`, extent: last.extent };
  const at = (vars: readonly IndexVar[]) => vars.map((v) => indexAffine(v.name));
  const layer = layerNumber === undefined ? {} : { layer: layerNumber };

  const shift = program.defineIntermediate(
    {
      name: `${owner}/softmaxShift`,
      notation: { symbol: 's', ...layer },
      layer: owner,
      detached: true,
    },
    leading,
    build.max([across], build.access(logits.tensor, at([...leading, across]))),
    'softmax shift, the largest logit',
  );
  const shifted: Expr = build.sub(
    build.access(logits.tensor, at(indices)),
    build.access(shift, at(leading)),
  );
  const exps = program.defineIntermediate(
    { name: `${owner}/softmaxExp`, notation: { symbol: 'u', ...layer }, layer: owner },
    indices,
    build.apply('exp', shifted),
    'shifted exponentials',
  );
  const normalizer = program.defineIntermediate(
    { name: `${owner}/softmaxSum`, notation: { symbol: 'Z', ...layer }, layer: owner },
    leading,
    build.sum([across], build.access(exps, at([...leading, across]))),
    'softmax normaliser',
  );
  return { shift, exps, normalizer };
}
