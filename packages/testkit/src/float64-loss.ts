/**
 * The forward pass and loss of a layer graph in plain float64 loops: slow, obvious, and
 * precise enough for finite differences (TensorFlow.js computes in float32, whose rounding
 * error divided by a small step swamps the derivative).
 */

import type {
  Activation,
  Conv2dLayer,
  DenseLayer,
  Graph,
  Layer,
  Padding,
  Pooling2dLayer,
} from '../../compiler/src/graph/types.js';
import type { TensorLike } from './reference.js';

/** A batched row-major tensor: `shape[0]` is the batch. */
interface Batch {
  shape: number[];
  data: Float64Array;
}

/**
 * The batch-mean loss of `graph`, in float64. Weights are `<layer>/kernel` and `<layer>/bias`
 * in Keras layouts; inputs `[batch, ...inputShape]`, targets `[batch, ...outputShape]`.
 *
 * @example finiteDifferenceGradient((w) => float64Loss(graph, w, inputs, targets), weights)
 */
export function float64Loss(
  graph: Graph,
  weights: Record<string, ArrayLike<number>>,
  inputs: TensorLike,
  targets: TensorLike,
): number {
  let batch: Batch = { shape: [...inputs.shape], data: Float64Array.from(inputs.data) };
  let preActivation = batch;
  let activation: Activation = { name: 'linear' };
  for (const layer of graph.layers) {
    preActivation = linearPart(layer, weights, batch);
    activation = 'activation' in layer ? layer.activation : { name: 'linear' };
    batch = activate(preActivation, activation);
  }
  return loss(graph, batch, preActivation, activation, targets.data);
}

function linearPart(layer: Layer, weights: Record<string, ArrayLike<number>>, x: Batch): Batch {
  switch (layer.type) {
    case 'dense':
      return dense(layer, weights, x);
    case 'conv2d':
      return conv2d(layer, weights, x);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return pool(layer, x);
    case 'flatten':
      return {
        shape: [x.shape[0] as number, x.data.length / (x.shape[0] as number)],
        data: x.data,
      };
    case 'activation':
      return x;
    case 'einsum':
      throw new Error('float64Loss: einsum layers are not supported');
  }
}

function weight(weights: Record<string, ArrayLike<number>>, name: string): ArrayLike<number> {
  const values = weights[name];
  if (values === undefined) throw new Error(`float64Loss: missing weight '${name}'`);
  return values;
}

/** y[r, u] = sum_i x[r, i] W[i, u] + b[u], over every row r of the last axis. */
function dense(layer: DenseLayer, weights: Record<string, ArrayLike<number>>, x: Batch): Batch {
  const inUnits = x.shape[x.shape.length - 1] as number;
  const rows = x.data.length / inUnits;
  const kernel = weight(weights, `${layer.name}/kernel`);
  const bias = layer.useBias ? weight(weights, `${layer.name}/bias`) : undefined;
  const y = new Float64Array(rows * layer.units);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < layer.units; u++) {
      let sum = bias === undefined ? 0 : (bias[u] as number);
      for (let i = 0; i < inUnits; i++)
        sum += (x.data[r * inUnits + i] as number) * (kernel[i * layer.units + u] as number);
      y[r * layer.units + u] = sum;
    }
  }
  return { shape: [...x.shape.slice(0, -1), layer.units], data: y };
}

/** Output extent and leading padding, by TensorFlow's rules (`same` pads more at the end). */
function window(
  input: number,
  size: number,
  stride: number,
  padding: Padding,
): { out: number; pad: number } {
  if (padding === 'valid') return { out: Math.floor((input - size) / stride) + 1, pad: 0 };
  const out = Math.ceil(input / stride);
  return { out, pad: Math.floor(Math.max((out - 1) * stride + size - input, 0) / 2) };
}

/** y[b,i,j,f] = sum_{m,n,c} W[m,n,c,f] x[b, i*sh + m - padTop, j*sw + n - padLeft, c] + bias[f]. */
function conv2d(layer: Conv2dLayer, weights: Record<string, ArrayLike<number>>, x: Batch): Batch {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const [kh, kw] = layer.kernelSize;
  const rows = window(height, kh, layer.strides[0], layer.padding);
  const cols = window(width, kw, layer.strides[1], layer.padding);
  const kernel = weight(weights, `${layer.name}/kernel`);
  const bias = layer.useBias ? weight(weights, `${layer.name}/bias`) : undefined;
  const filters = layer.filters;
  const y = new Float64Array(batch * rows.out * cols.out * filters);

  for (let b = 0; b < batch; b++)
    for (let i = 0; i < rows.out; i++)
      for (let j = 0; j < cols.out; j++)
        for (let f = 0; f < filters; f++) {
          let sum = bias === undefined ? 0 : (bias[f] as number);
          for (let m = 0; m < kh; m++) {
            const row = i * layer.strides[0] + m - rows.pad;
            if (row < 0 || row >= height) continue;
            for (let n = 0; n < kw; n++) {
              const col = j * layer.strides[1] + n - cols.pad;
              if (col < 0 || col >= width) continue;
              for (let c = 0; c < channels; c++) {
                const xv = x.data[((b * height + row) * width + col) * channels + c] as number;
                sum += xv * (kernel[((m * kw + n) * channels + c) * filters + f] as number);
              }
            }
          }
          y[((b * rows.out + i) * cols.out + j) * filters + f] = sum;
        }
  return { shape: [batch, rows.out, cols.out, filters], data: y };
}

/** Max or mean over each window's in-bounds elements (padding never counts, as in TensorFlow). */
function pool(layer: Pooling2dLayer, x: Batch): Batch {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const [ph, pw] = layer.poolSize;
  const rows = window(height, ph, layer.strides[0], layer.padding);
  const cols = window(width, pw, layer.strides[1], layer.padding);
  const y = new Float64Array(batch * rows.out * cols.out * channels);

  for (let b = 0; b < batch; b++)
    for (let i = 0; i < rows.out; i++)
      for (let j = 0; j < cols.out; j++)
        for (let c = 0; c < channels; c++) {
          const values: number[] = [];
          for (let m = 0; m < ph; m++)
            for (let n = 0; n < pw; n++) {
              const row = i * layer.strides[0] + m - rows.pad;
              const col = j * layer.strides[1] + n - cols.pad;
              if (row < 0 || row >= height || col < 0 || col >= width) continue;
              values.push(x.data[((b * height + row) * width + col) * channels + c] as number);
            }
          y[((b * rows.out + i) * cols.out + j) * channels + c] =
            layer.type === 'maxPooling2d'
              ? Math.max(...values)
              : values.reduce((s, v) => s + v, 0) / values.length;
        }
  return { shape: [batch, rows.out, cols.out, channels], data: y };
}

function activate(z: Batch, activation: Activation): Batch {
  if (activation.name === 'softmax') return softmax(z);
  const f = scalarActivation(activation);
  return { shape: z.shape, data: z.data.map(f) };
}

function scalarActivation(activation: Activation): (z: number) => number {
  switch (activation.name) {
    case 'linear':
    case 'softmax':
      return (z) => z;
    case 'sigmoid':
      return (z) => 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh;
    case 'relu':
      return (z) => Math.max(z, 0);
    case 'leakyRelu': {
      const { alpha } = activation;
      return (z) => (z > 0 ? z : alpha * z);
    }
    case 'elu': {
      const { alpha } = activation;
      return (z) => (z > 0 ? z : alpha * Math.expm1(z));
    }
  }
}

/** softmax over the last axis, shifted by the row maximum. */
function softmax(z: Batch): Batch {
  const classes = z.shape[z.shape.length - 1] as number;
  const y = new Float64Array(z.data.length);
  for (let r = 0; r < z.data.length / classes; r++) {
    const row = z.data.subarray(r * classes, (r + 1) * classes);
    const shift = Math.max(...row);
    const total = row.reduce((s, v) => s + Math.exp(v - shift), 0);
    for (let k = 0; k < classes; k++)
      y[r * classes + k] = Math.exp((row[k] as number) - shift) / total;
  }
  return { shape: z.shape, data: y };
}

function loss(
  graph: Graph,
  output: Batch,
  preActivation: Batch,
  activation: Activation,
  targets: ArrayLike<number>,
): number {
  const batch = output.shape[0] as number;
  let sum = 0;
  switch (graph.loss) {
    case 'squaredError':
      for (let k = 0; k < output.data.length; k++)
        sum += ((targets[k] as number) - (output.data[k] as number)) ** 2;
      return (0.5 * sum) / batch;
    case 'meanSquaredError':
      for (let k = 0; k < output.data.length; k++)
        sum += ((targets[k] as number) - (output.data[k] as number)) ** 2;
      return sum / output.data.length;
    case 'softmaxCrossEntropy':
      if (activation.name !== 'softmax' && activation.name !== 'linear') {
        throw new Error(
          `float64Loss: softmaxCrossEntropy needs a softmax or linear last layer, got '${activation.name}'`,
        );
      }
      return softmaxCrossEntropy(preActivation, targets) / batch;
  }
}

/** sum_b -sum_j t_j (z_j - logsumexp(z)), per example rows of the last axis. */
function softmaxCrossEntropy(z: Batch, targets: ArrayLike<number>): number {
  const classes = z.shape[z.shape.length - 1] as number;
  let total = 0;
  for (let r = 0; r < z.data.length / classes; r++) {
    const row = z.data.subarray(r * classes, (r + 1) * classes);
    const shift = Math.max(...row);
    const logSumExp = shift + Math.log(row.reduce((s, v) => s + Math.exp(v - shift), 0));
    for (let k = 0; k < classes; k++)
      total -= (targets[r * classes + k] as number) * ((row[k] as number) - logSumExp);
  }
  return total;
}
