/**
 * The loss and gradients of a layer graph computed by TensorFlow.js, as an independent
 * reference for symgrad's derived gradients.
 *
 * The forward pass is written with TensorFlow.js ops (`tf.conv2d`, `tf.matMul`, `tf.maxPool`,
 * ...) and differentiated by TensorFlow.js's own autodiff. It runs in float32, so compare
 * with relative tolerances around 1e-4 and not tighter.
 */

// The full package, not tfjs-core: only it registers the gradient functions in Node.
import * as tf from '@tensorflow/tfjs';
import type {
  Activation,
  Conv2dLayer,
  DenseLayer,
  Graph,
  Layer,
  Pooling2dLayer,
} from '../../compiler/src/graph/types.js';
import { weightShapes } from './random.js';

/** A row-major tensor as the JSON contract holds it. */
export interface TensorLike {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export interface ReferenceResult {
  /** The batch-mean loss. */
  loss: number;
  /** dL/dw for every weight, row-major in the weight's Keras layout. */
  gradients: Record<string, Float32Array>;
  /** dL/dx for the input batch, `[batch, ...graph.inputShape]`. */
  inputGradient: Float32Array;
}

/**
 * Selects the TensorFlow.js cpu backend, the one with every gradient kernel. Call it in
 * `beforeAll`.
 */
export async function useCpuBackend(): Promise<void> {
  // IS_TEST silences the "install tfjs-node" banner the cpu backend prints on first use.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Loss, weight gradients and input gradient of `graph` on one batch, by TensorFlow.js.
 *
 * @param inputs `[batch, ...graph.inputShape]`
 * @param targets `[batch, ...outputShape]`
 */
export function tfjsReference(
  graph: Graph,
  weights: Record<string, TensorLike>,
  inputs: TensorLike,
  targets: TensorLike,
): ReferenceResult {
  rejectEinsum(graph);
  const names = weightShapes(graph).map(({ name, shape }) => {
    checkShape(`weight '${name}'`, weights[name]?.shape, shape);
    return name;
  });
  const batch = inputs.shape[0] ?? 0;
  checkShape('inputs', inputs.shape, [batch, ...graph.inputShape]);
  checkShape('targets', targets.shape, [batch, ...outputShapeOf(graph)]);

  let result: ReferenceResult | undefined;
  tf.tidy(() => {
    const x = toTensor(inputs);
    const t = toTensor(targets);
    const w = names.map((name) => toTensor(weights[name] as TensorLike));
    const lossOf = (input: tf.Tensor, ...weightValues: tf.Tensor[]): tf.Scalar => {
      const named = Object.fromEntries(
        names.map((name, i) => [name, weightValues[i] as tf.Tensor]),
      );
      return batchLoss(graph, forward(graph, named, input), t);
    };
    const { value, grads } = tf.valueAndGrads(lossOf)([x, ...w]);
    const [inputGradient, ...weightGradients] = grads;
    result = {
      loss: value.dataSync()[0] as number,
      gradients: Object.fromEntries(
        names.map((name, i) => [
          name,
          Float32Array.from((weightGradients[i] as tf.Tensor).dataSync()),
        ]),
      ),
      inputGradient: Float32Array.from((inputGradient as tf.Tensor).dataSync()),
    };
  });
  return result as ReferenceResult;
}

function rejectEinsum(graph: Graph): void {
  if (graph.layers.some((layer) => layer.type === 'einsum')) {
    throw new Error('tfjsReference: einsum layers have no TensorFlow.js equivalent');
  }
}

function checkShape(
  what: string,
  actual: readonly number[] | undefined,
  expected: readonly number[],
): void {
  if (actual === undefined || actual.join(',') !== expected.join(',')) {
    const found = actual === undefined ? 'nothing' : `[${actual.join(', ')}]`;
    throw new Error(
      `tfjsReference: ${what} should have shape [${expected.join(', ')}], got ${found}`,
    );
  }
}

function toTensor({ shape, data }: TensorLike): tf.Tensor {
  return tf.tensor(Float32Array.from(data), [...shape], 'float32');
}

function outputShapeOf(graph: Graph): readonly number[] {
  return graph.layers[graph.layers.length - 1]?.outputShape ?? graph.inputShape;
}

/**
 * The output of every layer, and the pre-activation of the last one (for softmax
 * cross-entropy).
 */
interface ForwardPass {
  output: tf.Tensor;
  lastPreActivation: tf.Tensor;
  lastActivation: Activation;
}

function forward(graph: Graph, weights: Record<string, tf.Tensor>, input: tf.Tensor): ForwardPass {
  let pass: ForwardPass = {
    output: input,
    lastPreActivation: input,
    lastActivation: { name: 'linear' },
  };
  for (const layer of graph.layers) {
    const preActivation = linearPart(layer, weights, pass.output);
    const activation = activationOf(layer);
    pass = {
      output: activate(preActivation, activation),
      lastPreActivation: preActivation,
      lastActivation: activation,
    };
  }
  return pass;
}

function activationOf(layer: Layer): Activation {
  return 'activation' in layer ? layer.activation : { name: 'linear' };
}

/** Everything a layer computes before its activation function. */
function linearPart(layer: Layer, weights: Record<string, tf.Tensor>, x: tf.Tensor): tf.Tensor {
  switch (layer.type) {
    case 'dense':
      return dense(layer, weights, x);
    case 'conv2d':
      return conv2d(layer, weights, x);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return pool(layer, x);
    case 'flatten':
      return tf.reshape(x, [x.shape[0] ?? -1, -1]);
    case 'activation':
      return x;
    case 'einsum':
      throw new Error('tfjsReference: einsum layers have no TensorFlow.js equivalent');
  }
}

/** y = x W + b on the last axis, as Keras applies Dense to inputs of any rank. */
function dense(layer: DenseLayer, weights: Record<string, tf.Tensor>, x: tf.Tensor): tf.Tensor {
  const inUnits = x.shape[x.shape.length - 1] as number;
  const rows = tf.reshape(x, [-1, inUnits]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(rows, weights[`${layer.name}/kernel`] as tf.Tensor2D);
  if (layer.useBias) y = tf.add(y, weights[`${layer.name}/bias`] as tf.Tensor);
  return tf.reshape(y, [...x.shape.slice(0, -1), layer.units]);
}

function conv2d(layer: Conv2dLayer, weights: Record<string, tf.Tensor>, x: tf.Tensor): tf.Tensor {
  const kernel = weights[`${layer.name}/kernel`] as tf.Tensor4D;
  const strides: [number, number] = [layer.strides[0], layer.strides[1]];
  let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, kernel, strides, layer.padding);
  if (layer.useBias) y = tf.add(y, weights[`${layer.name}/bias`] as tf.Tensor);
  return y;
}

function pool(layer: Pooling2dLayer, x: tf.Tensor): tf.Tensor {
  const poolSize: [number, number] = [layer.poolSize[0], layer.poolSize[1]];
  const strides: [number, number] = [layer.strides[0], layer.strides[1]];
  if (layer.type === 'maxPooling2d')
    return tf.maxPool(x as tf.Tensor4D, poolSize, strides, layer.padding);
  if (layer.padding === 'valid') return tf.avgPool(x as tf.Tensor4D, poolSize, strides, 'valid');
  return averagePoolSame(x as tf.Tensor4D, poolSize, strides);
}

/**
 * Average pooling with `same` padding: the mean over each window's in-bounds elements.
 *
 * `tf.avgPool(..., 'same')` gets the forward pass right but its gradient is wrong in
 * TensorFlow.js 4.22 (cpu): the backward pass divides by the full window size, not by the
 * in-bounds count, wherever a window overlaps the padding. So this pads with zeros by hand,
 * pools `valid` (a plain window mean whose gradient is right) and rescales each output by
 * windowSize / inBoundsCount, a constant.
 */
function averagePoolSame(
  x: tf.Tensor4D,
  poolSize: [number, number],
  strides: [number, number],
): tf.Tensor {
  const [, height, width] = x.shape;
  const rows = samePadding(height, poolSize[0], strides[0]);
  const cols = samePadding(width, poolSize[1], strides[1]);
  const paddings: [number, number][] = [[0, 0], rows, cols, [0, 0]];
  const windowMean = tf.avgPool(tf.pad(x, paddings), poolSize, strides, 'valid');

  const inBounds = tf.pad(tf.ones([1, height, width, 1]), paddings) as tf.Tensor4D;
  const inBoundsShare = tf.avgPool(inBounds, poolSize, strides, 'valid');
  return tf.div(windowMean, inBoundsShare);
}

/** TensorFlow's `same` padding [before, after]: the odd element of padding goes after. */
function samePadding(input: number, size: number, stride: number): [number, number] {
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + size - input, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function activate(z: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation.name) {
    case 'linear':
      return z;
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'relu':
      return tf.relu(z);
    case 'leakyRelu':
      return tf.leakyRelu(z, activation.alpha);
    case 'elu':
      return elu(z, activation.alpha);
    case 'softmax':
      return tf.softmax(z);
  }
}

/**
 * elu(z) = z for z > 0, alpha (e^z - 1) otherwise; `tf.elu` has no alpha. Written as
 * relu(z) + alpha (e^min(z, 0) - 1) because `tf.where` on a `tf.greater` mask fails under
 * `tf.grads` (no gradient for Greater), and the clamp keeps e^z from overflowing.
 */
function elu(z: tf.Tensor, alpha: number): tf.Tensor {
  return tf.add(tf.relu(z), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(z, 0)), 1)));
}

/** Each loss is the batch mean of a per-example loss (DESIGN.md). */
function batchLoss(graph: Graph, pass: ForwardPass, targets: tf.Tensor): tf.Scalar {
  const batch = targets.shape[0] as number;
  switch (graph.loss) {
    case 'squaredError':
      // mean_b 1/2 sum_j (t_j - y_j)^2
      return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(targets, pass.output)))), batch);
    case 'meanSquaredError':
      // mean_b mean_j (t_j - y_j)^2, which is the mean over every element
      return tf.mean(tf.square(tf.sub(targets, pass.output)));
    case 'softmaxCrossEntropy':
      // mean_b -sum_j t_j log softmax(z)_j, with z the last layer's pre-activation
      return tf.div(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logitsOf(graph, pass))))), batch);
  }
}

function logitsOf(graph: Graph, pass: ForwardPass): tf.Tensor {
  const { name } = pass.lastActivation;
  if (name !== 'softmax' && name !== 'linear') {
    throw new Error(
      `tfjsReference: softmaxCrossEntropy needs a last layer with activation 'softmax' or 'linear', got '${name}'`,
    );
  }
  if (outputShapeOf(graph).length !== 1) {
    throw new Error(
      `tfjsReference: softmaxCrossEntropy needs a 1-D output per example, got [${outputShapeOf(graph).join(', ')}]`,
    );
  }
  return pass.lastPreActivation;
}
