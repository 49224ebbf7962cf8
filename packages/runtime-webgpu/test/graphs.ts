import { readFileSync } from 'node:fs';
import { type Graph, parseGraphText, resolveGraph } from '@symgrad/compiler';

const examples = new URL('../../../examples/', import.meta.url);

/** The example graphs of the repository, by file name without `.json`. */
export const EXAMPLES = ['paper-dense', 'paper-conv', 'mlp', 'lenet'] as const;

export function exampleGraph(name: string): Graph {
  const file = `${name}.json`;
  return parseGraphText(readFileSync(new URL(file, examples), 'utf8'), file);
}

/**
 * Strides, padding and both poolings in one graph: a stride-2 `same` convolution, whose
 * padding is uneven, then max pooling whose 3 x 3 windows overlap (stride 2), then average
 * pooling, so that every gradient kernel needs divisibility tests and exact floor / ceil
 * limits on negative numerators.
 */
export const stridedGraph: Graph = resolveGraph(
  {
    name: 'strided',
    input: { shape: [9, 9, 2] },
    layers: [
      {
        type: 'conv2d',
        name: 'conv',
        filters: 3,
        kernelSize: [3, 3],
        strides: [2, 2],
        padding: 'same',
        activation: 'tanh',
      },
      { type: 'maxPooling2d', name: 'maxPool', poolSize: [3, 3], strides: [2, 2], padding: 'same' },
      { type: 'averagePooling2d', name: 'avgPool', poolSize: [2, 2], strides: [1, 1] },
      { type: 'flatten' },
      { type: 'dense', name: 'out', units: 4, activation: 'softmax' },
    ],
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.1 },
  },
  'strided.json',
);
