/**
 * Seeded random data for tests: weights, inputs and targets that are the same on every run.
 */

import type { Graph, Layer, Shape } from '../../compiler/src/graph/types.js';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** A row-major tensor in the JSON contract's shape, with float64 values. */
export interface TensorData {
  shape: number[];
  data: Float64Array;
}

/** A weight the graph owns, with its Keras-layout shape. */
export interface WeightShape {
  name: string;
  shape: number[];
}

/**
 * mulberry32: a 32-bit generator, small and good enough for test data.
 *
 * @example const rng = mulberry32(7); rng(); // 0.0839...
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, bound). */
export function randomInt(rng: Rng, bound: number): number {
  return Math.floor(rng() * bound);
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((product, extent) => product * extent, 1);
}

/** Values uniform in [-scale, scale). */
export function randomTensor(shape: Shape, rng: Rng, scale = 1): TensorData {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * scale;
  return { shape: [...shape], data };
}

/**
 * The graph's weights in order, named and shaped as DESIGN.md says: per layer, the kernel
 * (`[inUnits, units]` for dense, `[kh, kw, inChannels, filters]` for conv2d) and then the
 * bias when the layer uses one; einsum layers contribute `<layer>/<weight>` in declared order.
 */
export function weightShapes(graph: Graph): WeightShape[] {
  return graph.layers.flatMap(weightShapesOf);
}

function weightShapesOf(layer: Layer): WeightShape[] {
  switch (layer.type) {
    case 'dense': {
      const inUnits = layer.inputShape[layer.inputShape.length - 1] ?? 1;
      const kernel = { name: `${layer.name}/kernel`, shape: [inUnits, layer.units] };
      return layer.useBias
        ? [kernel, { name: `${layer.name}/bias`, shape: [layer.units] }]
        : [kernel];
    }
    case 'conv2d': {
      const inChannels = layer.inputShape[2] ?? 1;
      const [kh, kw] = layer.kernelSize;
      const kernel = { name: `${layer.name}/kernel`, shape: [kh, kw, inChannels, layer.filters] };
      return layer.useBias
        ? [kernel, { name: `${layer.name}/bias`, shape: [layer.filters] }]
        : [kernel];
    }
    case 'einsum':
      return Object.entries(layer.weights).map(([short, shape]) => ({
        name: `${layer.name}/${short}`,
        shape: [...shape],
      }));
    default:
      return [];
  }
}

/**
 * Random weights for every weight of the graph. Kernels are Glorot-uniform, so activations
 * stay in the range where sigmoid and tanh still have slope; biases are small but non-zero,
 * so that their gradients are exercised.
 */
export function randomWeights(graph: Graph, rng: Rng = mulberry32(1)): Record<string, TensorData> {
  const weights: Record<string, TensorData> = {};
  for (const { name, shape } of weightShapes(graph)) {
    weights[name] = randomTensor(shape, rng, initScale(name, shape));
  }
  return weights;
}

function initScale(name: string, shape: number[]): number {
  if (name.endsWith('/bias') || shape.length < 2) return 0.1;
  const receptive = sizeOf(shape.slice(0, -2));
  const fanIn = receptive * (shape[shape.length - 2] ?? 1);
  const fanOut = receptive * (shape[shape.length - 1] ?? 1);
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** A batch of inputs, `[batch, ...graph.inputShape]`, uniform in [-1, 1). */
export function randomInputs(graph: Graph, batch: number, rng: Rng): TensorData {
  return randomTensor([batch, ...graph.inputShape], rng, 1);
}

/** One class per example, chosen uniformly: `[batch, classes]`, rows one-hot. */
export function oneHotTargets(batch: number, classes: number, rng: Rng): TensorData {
  const data = new Float64Array(batch * classes);
  for (let b = 0; b < batch; b++) data[b * classes + randomInt(rng, classes)] = 1;
  return { shape: [batch, classes], data };
}

/** Targets uniform in [0, 1), the range a sigmoid output can reach. `shape` includes batch. */
export function randomTargets(shape: Shape, rng: Rng): TensorData {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng();
  return { shape: [...shape], data };
}

/** Targets that suit the graph's loss: one-hot rows for softmax cross-entropy. */
export function targetsFor(graph: Graph, batch: number, rng: Rng): TensorData {
  const outputShape = graph.layers[graph.layers.length - 1]?.outputShape ?? graph.inputShape;
  if (graph.loss === 'softmaxCrossEntropy' && outputShape.length === 1) {
    return oneHotTargets(batch, outputShape[0] ?? 1, rng);
  }
  return randomTargets([batch, ...outputShape], rng);
}
