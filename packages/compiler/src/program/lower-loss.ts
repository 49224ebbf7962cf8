import { invariant } from '../errors.js';
import type { Graph } from '../graph/types.js';
import { indexAffine } from './affine.js';
import * as build from './build.js';
import type { Expr, Identity, Program } from './ir.js';
import { elementCount, type ProgramBuilder, type Source } from './lower.js';
import { indicesOf, softmaxParts } from './lower-activation.js';

/**
 * Lowers the loss of one example; the loss of a batch is the mean of these.
 * - squaredError: `E = 1/2 * sum_j e_j^2` with `e_j = t_j - y_j` (the paper's E);
 * - meanSquaredError: `L = 1/n * sum_j e_j^2`;
 * - softmaxCrossEntropy: `L = -sum_j t_j * log(softmax(z)_j)` on the last pre-activation z,
 *   written as `-sum_j t_j * (z_j - s - log Z)`, which stays finite for any logits.
 */
export function lowerLoss(program: ProgramBuilder, graph: Graph, output: Source): Program {
  const lastLayer = graph.layers[graph.layers.length - 1];
  const targetShape = lastLayer?.outputShape ?? graph.inputShape;
  const indices = indicesOf(program, output);
  const flattened = targetShape.length !== output.shape.length;
  const target = program.declare({
    name: 't',
    shape: output.shape,
    ...(flattened ? { externalShape: targetShape } : {}),
    role: 'target',
    indexNames: indices.map((v) => v.name),
    notation: { symbol: 't' },
  });
  const targetElement = build.access(
    target,
    indices.map((v) => indexAffine(v.name)),
  );
  const outputElement = build.access(
    output.tensor,
    indices.map((v) => indexAffine(v.name)),
  );

  if (graph.loss === 'softmaxCrossEntropy') {
    return crossEntropy(program, output, indices, targetElement);
  }

  const error = program.defineIntermediate(
    { name: 'loss/error', notation: { symbol: 'e' } },
    indices,
    build.sub(targetElement, outputElement),
    'error of each output',
  );
  const squared = build.apply(
    'square',
    build.access(
      error,
      indices.map((v) => indexAffine(v.name)),
    ),
  );
  const scale = graph.loss === 'squaredError' ? 0.5 : 1 / elementCount(output.shape);
  const symbol = graph.loss === 'squaredError' ? 'E' : 'L';
  return finishLoss(
    program,
    output,
    build.mul(build.constant(scale), build.sum(indices, squared)),
    symbol,
    [],
  );
}

function crossEntropy(
  program: ProgramBuilder,
  output: Source,
  indices: ReturnType<typeof indicesOf>,
  targetElement: Expr,
): Program {
  invariant(indices.length === 1, 'softmax cross-entropy on an output that is not 1-D');
  const logits = output.preActivation ?? output;
  const parts = output.softmax ?? softmaxParts(program, 'loss', logits, undefined);
  const logit = build.access(
    logits.tensor,
    indices.map((v) => indexAffine(v.name)),
  );
  const logSoftmax = build.sub(
    build.sub(logit, build.access(parts.shift, [])),
    build.apply('log', build.access(parts.normalizer, [])),
  );
  const body = build.neg(build.sum(indices, build.mul(targetElement, logSoftmax)));
  const identity: Identity = {
    kind: 'unitSum',
    tensor: 't',
    description: 'the targets of softmax cross-entropy are probabilities, so sum_j t_j = 1',
  };
  return finishLoss(program, output, body, 'L', [identity]);
}

function finishLoss(
  program: ProgramBuilder,
  output: Source,
  body: Expr,
  symbol: string,
  identities: readonly Identity[],
): Program {
  program.declare({
    name: 'loss',
    shape: [],
    role: 'loss',
    indexNames: [],
    notation: { symbol },
  });
  program.equations.push({ tensor: 'loss', indices: [], body, comment: 'loss of one example' });
  return program.finish({ loss: 'loss', target: 't', output: output.tensor, identities });
}
