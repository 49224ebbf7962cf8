import type { Activation, Layer } from '../graph/types.js';
import { indexAffine } from './affine.js';
import * as build from './build.js';
import type { Expr, IndexVar } from './ir.js';
import type { LayerPosition, ProgramBuilder, Source } from './lower.js';

/**
 * Applies a layer's activation to its pre-activation: `O^l = f(x^l)` element by element, or
 * softmax over all elements. A linear activation adds no equation: the output is `x^l`.
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
  const body = build.div(build.access(parts.exps, position), build.access(parts.normalizer, []));
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
  const indices = indicesOf(program, logits);
  const element = (vars: readonly IndexVar[]) =>
    build.access(
      logits.tensor,
      vars.map((v) => indexAffine(v.name)),
    );
  const window = indices.map((v) => ({ name: `${v.name}2`, extent: v.extent }));
  const layer = layerNumber === undefined ? {} : { layer: layerNumber };

  const shift = `${owner}/softmaxShift`;
  program.declare({
    name: shift,
    shape: [],
    role: 'intermediate',
    indexNames: [],
    notation: { symbol: 's', ...layer },
    layer: owner,
    detached: true,
  });
  program.equations.push({
    tensor: shift,
    indices: [],
    body: build.max(window, element(window)),
    layer: owner,
    comment: 'softmax shift, the largest logit',
  });

  const shifted: Expr = build.sub(element(indices), build.access(shift, []));
  const exps = program.defineIntermediate(
    { name: `${owner}/softmaxExp`, notation: { symbol: 'u', ...layer }, layer: owner },
    indices,
    build.apply('exp', shifted),
    'shifted exponentials',
  );
  const sumOfExps = build.sum(
    window,
    build.access(
      exps,
      window.map((v) => indexAffine(v.name)),
    ),
  );
  const normalizer = program.defineIntermediate(
    { name: `${owner}/softmaxSum`, notation: { symbol: 'Z', ...layer }, layer: owner },
    [],
    sumOfExps,
    'softmax normaliser',
  );
  return { shift, exps, normalizer };
}
