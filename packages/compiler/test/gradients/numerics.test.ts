/**
 * Softmax cross-entropy at logits of +-1000, where a naive exp overflows: the loss stays
 * finite and exact, and its gradient with respect to the logits is y - t.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, type TensorData, useCpuBackend } from '../../../testkit/src/index.js';
import { expectMatchesTensorflow, type GradientCase, gradientCase } from './gradient-check.js';

beforeAll(useCpuBackend);

const SCALE = 1000;
const CLASSES = 3;

/**
 * Inputs in [-1, 1] and a kernel of 1000 times the identity, so the logits are 1000 x: one
 * example far apart, one close together near +1000, one near -1000.
 */
const inputs: TensorData = {
  shape: [3, CLASSES],
  data: Float64Array.from([1, -1, 0, 1, 0.999, 0.998, -1, -1, -0.999]),
};
/** A wrong class, soft probabilities, a right-ish class; every row sums to 1. */
const targets: TensorData = {
  shape: [3, CLASSES],
  data: Float64Array.from([0, 1, 0, 0.25, 0.25, 0.5, 1, 0, 0]),
};
const weights: Record<string, TensorData> = {
  'out/kernel': {
    shape: [CLASSES, CLASSES],
    data: Float64Array.from({ length: CLASSES * CLASSES }, (_, k) =>
      k % (CLASSES + 1) === 0 ? SCALE : 0,
    ),
  },
  'out/bias': { shape: [CLASSES], data: new Float64Array(CLASSES) },
};

function graphJson(activation: string, loss: string) {
  return {
    name: 'saturated',
    input: { shape: [CLASSES] },
    layers: [{ type: 'dense', name: 'out', units: CLASSES, activation }],
    loss,
    optimizer: { type: 'sgd', learningRate: 0.1 },
  };
}

const row = (data: Float64Array, b: number) => [...data.subarray(b * CLASSES, (b + 1) * CLASSES)];
const logits = (b: number) => row(inputs.data, b).map((x) => SCALE * x);

/** log sum_j e^{z_j}, shifted by the largest logit. */
function logSumExp(z: number[]): number {
  const shift = Math.max(...z);
  return shift + Math.log(z.reduce((s, v) => s + Math.exp(v - shift), 0));
}

const softmax = (z: number[]) => z.map((v) => Math.exp(v - logSumExp(z)));

describe.each(['softmax', 'linear'])(
  'softmax cross-entropy on a %s output at logits of +-1000',
  (activation) => {
    let memo: GradientCase | undefined;
    const get = () => {
      memo ??= gradientCase(graphJson(activation, 'softmaxCrossEntropy'), {
        inputs,
        targets,
        weights,
      });
      return memo;
    };
    const batch = inputs.shape[0] as number;
    /** y - t of each example, the gradient of its loss with respect to its logits. */
    const residual = (b: number) =>
      softmax(logits(b)).map((y, j) => y - (row(targets.data, b)[j] as number));

    it('has a finite loss equal to the mean of logsumexp(z) - sum_j t_j z_j', () => {
      const expected =
        Array.from({ length: batch }, (_, b) => {
          const z = logits(b);
          return (
            logSumExp(z) - row(targets.data, b).reduce((s, t, j) => s + t * (z[j] as number), 0)
          );
        }).reduce((s, loss) => s + loss, 0) / batch;
      expect(expected).toBeGreaterThan(600);
      expectClose(get().loss, expected, { relative: 1e-12, label: 'loss' });
    });

    it('has gradient y - t: the bias gradient is the batch mean of y - t', () => {
      const expected = Array.from({ length: CLASSES }, (_, j) => {
        let total = 0;
        for (let b = 0; b < batch; b++) total += residual(b)[j] as number;
        return total / batch;
      });
      // The first example alone contributes [1, -1, 0] / 3: the saturated softmax is one-hot.
      expect(expected[0]).toBeGreaterThan(0.15);
      expect(expected[1]).toBeLessThan(-0.2);
      expectClose(get().gradients['out/bias'] ?? [], expected, {
        relative: 1e-12,
        absolute: 1e-15,
      });
    });

    it('has kernel gradient mean_b x_i (y - t)_j and input gradient 1000 (y - t) / batch', () => {
      const kernel = new Float64Array(CLASSES * CLASSES);
      const input = new Float64Array(batch * CLASSES);
      for (let b = 0; b < batch; b++) {
        const x = row(inputs.data, b);
        residual(b).forEach((r, j) => {
          x.forEach((xi, i) => {
            const k = i * CLASSES + j;
            kernel[k] = (kernel[k] ?? 0) + (xi * r) / batch;
          });
          input[b * CLASSES + j] = (SCALE * r) / batch;
        });
      }
      const c = get();
      expect([...(c.gradients['out/kernel'] ?? [])].every(Number.isFinite)).toBe(true);
      expectClose(c.gradients['out/kernel'] ?? [], kernel, { relative: 1e-12, absolute: 1e-15 });
      // Logits near 1000 carry rounding of about 1e-13, which the factor 1000 magnifies.
      expectClose(c.inputGradient, input, { relative: 1e-9, absolute: 1e-12 });
    });

    it('matches TensorFlow.js', () => {
      expectMatchesTensorflow(get());
    });
  },
);

describe('softmax output under squared error at logits of +-1000', () => {
  it('stays finite and matches TensorFlow.js', () => {
    const c = gradientCase(graphJson('softmax', 'squaredError'), { inputs, targets, weights });
    expect(Number.isFinite(c.loss)).toBe(true);
    for (const gradient of [...Object.values(c.gradients), c.inputGradient]) {
      expect([...gradient].every(Number.isFinite)).toBe(true);
    }
    expectMatchesTensorflow(c);
  });
});
