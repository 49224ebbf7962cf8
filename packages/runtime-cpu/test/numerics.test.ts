import { describe, expect, it } from 'vitest';
import { NonFiniteError, train } from '../src/index.js';
import { graphOf, modelOf } from './helpers.js';

/** One dense softmax layer whose logits are the first input times the kernel's first row. */
const softmaxLayer = graphOf({
  name: 'softmax-layer',
  input: { shape: [2] },
  layers: [{ type: 'dense', name: 'out', units: 3, activation: 'softmax' }],
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
});

/** Two linear layers and squared error: nothing bounds the values. */
const linearNet = graphOf({
  name: 'linear-net',
  input: { shape: [2] },
  layers: [
    { type: 'dense', name: 'hidden', units: 2 },
    { type: 'dense', name: 'out', units: 2 },
  ],
  loss: 'squaredError',
  optimizer: { type: 'sgd', learningRate: 0.01 },
});

function nonFiniteError(action: () => unknown): NonFiniteError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).not.toContain('\n');
    return error as NonFiniteError;
  }
  return expect.fail('expected a NonFiniteError');
}

describe('softmax cross-entropy', () => {
  const model = modelOf(softmaxLayer);
  model.setWeights({
    'out/kernel': { shape: [2, 3], data: [1000, -1000, 0, 0, 0, 0] },
    'out/bias': { shape: [3], data: [0, 0, 0] },
  });
  const inputs = { shape: [2, 2], data: [1, 0, 1, 0] };

  it('stays finite for logits of +-1000, loss and gradients', () => {
    // Logits [1000, -1000, 0]: the first example's target is the -1000 class, the second's
    // the 1000 class.
    const targets = { shape: [2, 3], data: [0, 1, 0, 1, 0, 0] };
    const { loss, gradients } = model.gradients(inputs, targets);
    expect(loss).toBeCloseTo(2000 / 2, 3);
    for (const gradient of Object.values(gradients)) {
      expect(gradient.data.every(Number.isFinite)).toBe(true);
    }
    // d loss / d logit = softmax - target = [1, -1, 0] and [0, 0, 0]; their mean.
    expect(Array.from(gradients['out/bias']!.data)).toEqual([0.5, -0.5, 0]);
  });

  it('trains on such logits without a NaN', () => {
    const loss = model.trainStep(
      Float32Array.from(inputs.data),
      Float32Array.from([0, 1, 0, 1, 0, 0]),
      2,
      0.1,
    );
    expect(loss).toBeCloseTo(1000, 3);
    expect(Object.values(model.weights()).every((w) => w.data.every(Number.isFinite))).toBe(true);
  });
});

describe('a NaN or an infinity', () => {
  const overflowing = {
    'hidden/kernel': { shape: [2, 2], data: [1e30, 1e30, 1e30, 1e30] },
    'hidden/bias': { shape: [2], data: [0, 0] },
    'out/kernel': { shape: [2, 2], data: [1e30, 1e30, 1e30, 1e30] },
    'out/bias': { shape: [2], data: [0, 0] },
  };

  it('is traced to the first tensor and layer that held it', () => {
    const model = modelOf(linearNet);
    model.setWeights(overflowing);
    const error = nonFiniteError(() =>
      model.trainStep(Float32Array.from([1, 1]), Float32Array.from([0, 0]), 1, 0.01),
    );
    expect(error.code).toBe('E_NON_FINITE');
    expect(error.message).toBe(
      "training stopped at step 1: the activation 'out/preActivation' of layer out holds Infinity in example 0 of the batch; the weights as set overflow float32 here: scale them down, or check the inputs",
    );
    expect(error.finding).toMatchObject({ tensor: 'out/preActivation', layer: 'out' });
  });

  it('stops a gradient computation, naming the tensor', () => {
    const model = modelOf(linearNet);
    model.setWeights(overflowing);
    const error = nonFiniteError(() =>
      model.gradients({ shape: [1, 2], data: [1, 1] }, { shape: [1, 2], data: [0, 0] }),
    );
    expect(error.message).toMatch(
      /^the gradients cannot be computed: the activation 'out\/preActivation'/,
    );
  });

  it('from a learning rate too large is reported with the epoch, step and learning rate', () => {
    const model = modelOf(linearNet);
    model.initialize(1);
    const inputs = Float32Array.from({ length: 64 }, (_, k) => (k % 7) - 3);
    const targets = Float32Array.from({ length: 64 }, (_, k) => k % 3);
    const error = nonFiniteError(() =>
      train(
        model,
        { train: { inputs, targets, size: 32 } },
        { epochs: 50, batchSize: 8, learningRate: 5 },
      ),
    );
    expect(error.message).toMatch(
      /^training stopped at epoch \d+, step \d: the (activation|adjoint|gradient|loss|weight)\b.* (NaN|Infinity|-Infinity|infinite).*; lower the learning rate \(now 5\)$/,
    );
  });

  it('in the inputs is blamed on the data', () => {
    const model = modelOf(linearNet);
    model.initialize(1);
    const error = nonFiniteError(() =>
      model.trainStep(
        Float32Array.from([1, 2, Number.NaN, 0]),
        Float32Array.from([0, 0, 0, 0]),
        2,
        0.01,
      ),
    );
    expect(error.message).toBe(
      "training stopped at step 1: the input 'x' holds NaN in example 1 of the batch; fix that example in the data",
    );
  });

  it('leaves the weights from before the failed step', () => {
    const model = modelOf(linearNet);
    model.setWeights(overflowing);
    nonFiniteError(() =>
      model.trainStep(Float32Array.from([1, 1]), Float32Array.from([0, 0]), 1, 0.01),
    );
    expect(Array.from(model.weights()['out/kernel']!.data)).toEqual(
      overflowing['out/kernel'].data.map(Math.fround),
    );
  });
});
