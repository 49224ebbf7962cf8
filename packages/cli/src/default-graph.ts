/**
 * The graph `symgrad train` trains when given none: a 784-128-10 perceptron for MNIST, the
 * same as examples/mlp.json, kept here so that an installed CLI has it too.
 */
export const DEFAULT_GRAPH = {
  name: 'mlp',
  input: { shape: [784] },
  layers: [
    { type: 'dense', name: 'hidden', units: 128, activation: 'relu' },
    { type: 'dense', name: 'out', units: 10, activation: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.3 },
} as const;
