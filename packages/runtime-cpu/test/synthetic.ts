import type { Examples } from '../src/index.js';
import { graphOf, Random } from './helpers.js';

/** Points of the square [-1, 1]^2, labelled by whether x and y have the same sign. */
export function quadrants(size: number, seed: number): Examples {
  const random = new Random(seed);
  const inputs = new Float32Array(size * 2);
  const targets = new Float32Array(size * 2);
  for (let example = 0; example < size; example += 1) {
    const x = 2 * random.next() - 1;
    const y = 2 * random.next() - 1;
    inputs[2 * example] = x;
    inputs[2 * example + 1] = y;
    targets[2 * example + (x * y > 0 ? 1 : 0)] = 1;
  }
  return { inputs, targets, size };
}

/** A small classifier for `quadrants`. */
export const quadrantNet = graphOf({
  name: 'quadrants',
  input: { shape: [2] },
  layers: [
    { type: 'dense', name: 'hidden', units: 16, activation: 'tanh' },
    { type: 'dense', name: 'out', units: 2, activation: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.5 },
});
