/**
 * What the benchmark's configurations share: the batch they train on and the TensorFlow.js
 * model built from a layer graph, so that every system trains the same network on the same data.
 */
import type { Graph } from '../packages/compiler/src/index.js';

export const BATCH = 64;

/**
 * Warm-up before any step is timed: at least this many steps, and more until this long has
 * passed, so that V8 has tiered the hot loops up to optimised code (on every worker thread
 * too) and a system whose step takes milliseconds warms as long as one whose step takes
 * seconds.
 */
const WARM_UP_STEPS = 3;
const WARM_UP_MS = 2_000;
const WARM_UP_MAX_STEPS = 200;

/** Warms up as above, then times `steps` steps; a step may be synchronous or return a promise. */
export async function timeSteps(step: () => unknown, steps: number): Promise<number[]> {
  const warmUpStart = performance.now();
  for (let k = 0; k < WARM_UP_MAX_STEPS; k++) {
    if (k >= WARM_UP_STEPS && performance.now() - warmUpStart >= WARM_UP_MS) break;
    await step();
  }
  const times: number[] = [];
  for (let k = 0; k < steps; k++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
  }
  return times;
}

/** A deterministic batch: inputs in [0, 1), one-hot targets. */
export function batchData(size: number, classes: number) {
  let seed = 12345;
  const next = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const inputs = Float32Array.from({ length: BATCH * size }, next);
  const targets = new Float32Array(BATCH * classes);
  for (let b = 0; b < BATCH; b++) targets[b * classes + (b % classes)] = 1;
  return { inputs, targets };
}

type TensorFlow = typeof import('@tensorflow/tfjs');

/** The Keras-style model of a graph, compiled with SGD at the graph's learning rate. */
export function tfjsModel(tf: TensorFlow, g: Graph) {
  const model = tf.sequential();
  const activation = (name: string) =>
    name === 'softmax' ? 'softmax' : name === 'relu' ? 'relu' : 'linear';
  g.layers.forEach((layer, k) => {
    const shape = k === 0 ? { inputShape: [...g.inputShape] } : {};
    if (layer.type === 'conv2d') {
      model.add(
        tf.layers.conv2d({
          ...shape,
          filters: layer.filters,
          kernelSize: [...layer.kernelSize],
          strides: [...layer.strides],
          padding: layer.padding,
          activation: activation(layer.activation.name),
        }),
      );
    } else if (layer.type === 'maxPooling2d') {
      const { poolSize, strides } = layer;
      model.add(
        tf.layers.maxPooling2d({ ...shape, poolSize: [...poolSize], strides: [...strides] }),
      );
    } else if (layer.type === 'flatten') {
      model.add(tf.layers.flatten(shape));
    } else if (layer.type === 'dense') {
      const units = layer.units;
      model.add(
        tf.layers.dense({ ...shape, units, activation: activation(layer.activation.name) }),
      );
    } else {
      throw new Error(`the benchmark builds no ${layer.type} layer for TensorFlow.js`);
    }
  });
  model.compile({
    optimizer: tf.train.sgd(g.optimizer.learningRate),
    loss: 'categoricalCrossentropy',
  });
  return model;
}
