/**
 * A validated layer graph with every default filled in and every shape inferred.
 *
 * The JSON contract (DESIGN.md) uses Keras / TensorFlow.js names and layouts: images are
 * `[height, width, channels]` per example, conv kernels `[kh, kw, inChannels, outChannels]`,
 * dense kernels `[inUnits, units]`. Shapes here never include the batch dimension.
 */

export type ActivationName =
  | 'linear'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'softmax';

/** An activation with its parameter resolved (`alpha` defaults: leakyRelu 0.2, elu 1). */
export type Activation =
  | { readonly name: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'softmax' }
  | { readonly name: 'leakyRelu' | 'elu'; readonly alpha: number };

export type LossName = 'squaredError' | 'meanSquaredError' | 'softmaxCrossEntropy';

export type Padding = 'valid' | 'same';

export type Shape = readonly number[];

/** Fields every resolved layer has. */
interface LayerBase {
  /** The user's name, or `<type>_<n>` as Keras names unnamed layers (n counts from 1). */
  readonly name: string;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** JSON path of the layer in its file, e.g. `layers[2]`, for error messages. */
  readonly path: string;
}

export interface DenseLayer extends LayerBase {
  readonly type: 'dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
}

export interface Conv2dLayer extends LayerBase {
  readonly type: 'conv2d';
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
}

export interface Pooling2dLayer extends LayerBase {
  readonly type: 'maxPooling2d' | 'averagePooling2d';
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
}

export interface FlattenLayer extends LayerBase {
  readonly type: 'flatten';
}

export interface ActivationLayer extends LayerBase {
  readonly type: 'activation';
  readonly activation: Activation;
}

/**
 * A layer defined by its forward equation in index notation, for example
 * `y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c]`. The input tensor is the one name in the
 * equation that is neither the output nor a declared weight.
 */
export interface EinsumLayer extends LayerBase {
  readonly type: 'einsum';
  /** The equation as the user wrote it. */
  readonly equation: string;
  /** The parsed equation, with every index range bound. */
  readonly parsed: EinsumEquation;
  /** Weight shapes, by the short name used in the equation (`w`). */
  readonly weights: Readonly<Record<string, Shape>>;
  readonly activation: Activation;
}

export type Layer =
  | DenseLayer
  | Conv2dLayer
  | Pooling2dLayer
  | FlattenLayer
  | ActivationLayer
  | EinsumLayer;

export type LayerType = Layer['type'];

export interface Optimizer {
  readonly type: 'sgd';
  readonly learningRate: number;
}

export interface Graph {
  readonly name: string;
  readonly inputShape: Shape;
  readonly layers: readonly Layer[];
  readonly loss: LossName;
  readonly optimizer: Optimizer;
}

/** A weight of the graph: `<layer name>/kernel`, `<layer name>/bias`, `<layer>/<einsum name>`. */
export interface WeightSpec {
  readonly name: string;
  readonly layer: string;
  readonly role: 'kernel' | 'bias' | 'einsum';
  readonly shape: Shape;
}

/**
 * A parsed einsum equation. Index expressions are affine with integer coefficients; the body
 * is a small expression tree over accesses.
 */
export interface EinsumEquation {
  readonly output: EinsumAccess;
  readonly body: EinsumExpr;
  /** Every index with its inferred extent: output indices first, then summed ones. */
  readonly extents: Readonly<Record<string, number>>;
  /** The name of the input tensor in the equation (`x` above). */
  readonly input: string;
}

export interface EinsumAccess {
  readonly tensor: string;
  /** One affine index expression per dimension, as coefficient maps plus a constant. */
  readonly indices: readonly EinsumIndex[];
}

export interface EinsumIndex {
  readonly coefficients: Readonly<Record<string, number>>;
  readonly constant: number;
}

export type EinsumExpr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'access'; readonly access: EinsumAccess }
  | { readonly kind: 'sum'; readonly indices: readonly string[]; readonly body: EinsumExpr }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: EinsumExpr;
      readonly right: EinsumExpr;
    }
  | { readonly kind: 'negate'; readonly operand: EinsumExpr }
  | {
      readonly kind: 'call';
      readonly fn: 'sigmoid' | 'tanh' | 'relu' | 'exp' | 'log';
      readonly arg: EinsumExpr;
    };
