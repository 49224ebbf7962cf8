/**
 * Random small layer graphs in the JSON contract of DESIGN.md, for property-based tests.
 *
 * Each graph is drawn as a recipe of independent choices, then built in one pass that tracks
 * the shape and clamps every choice to what the shape allows. Clamping, rather than
 * filtering or chaining, keeps every draw valid and lets fast-check shrink each choice.
 */

import fc from 'fast-check';
import type { ActivationName, LossName, Padding } from '../../compiler/src/graph/types.js';

/** An activation as JSON spells it; the object form carries a non-default alpha. */
export type ActivationJson = ActivationName | { name: 'leakyRelu' | 'elu'; alpha: number };

interface LayerJsonBase {
  name?: string;
}

export interface DenseJson extends LayerJsonBase {
  type: 'dense';
  units: number;
  activation?: ActivationJson;
  alpha?: number;
  useBias?: boolean;
}

export interface Conv2dJson extends LayerJsonBase {
  type: 'conv2d';
  filters: number;
  kernelSize: [number, number];
  strides?: [number, number];
  padding?: Padding;
  activation?: ActivationJson;
  alpha?: number;
  useBias?: boolean;
}

export interface Pooling2dJson extends LayerJsonBase {
  type: 'maxPooling2d' | 'averagePooling2d';
  poolSize: [number, number];
  strides?: [number, number];
  padding?: Padding;
}

export interface FlattenJson extends LayerJsonBase {
  type: 'flatten';
}

export interface ActivationLayerJson extends LayerJsonBase {
  type: 'activation';
  activation: ActivationJson;
  alpha?: number;
}

export type LayerJson = DenseJson | Conv2dJson | Pooling2dJson | FlattenJson | ActivationLayerJson;

export interface GraphJson {
  name: string;
  input: { shape: number[] };
  layers: LayerJson[];
  loss: LossName;
  optimizer: { type: 'sgd'; learningRate: number };
}

export interface ArbitraryGraphOptions {
  /**
   * How a non-default alpha of leakyRelu / elu is written: `omit` never writes one (alpha
   * keeps its default), `field` adds `"alpha"` beside `"activation"` on the layer, `object`
   * writes `"activation": { "name": "elu", "alpha": 0.5 }`. Default `omit`.
   */
  alphaStyle?: 'omit' | 'field' | 'object';
}

/** Largest per-example size entering the dense layers; keeps reference runs fast. */
export const MAX_FLATTENED_SIZE = 64;

const hiddenActivations = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'] as const;
const losses = ['squaredError', 'meanSquaredError', 'softmaxCrossEntropy'] as const;

const activationRecipe = fc.record({
  name: fc.constantFrom(...hiddenActivations),
  alpha: fc.option(fc.integer({ min: 5, max: 150 }).map((hundredths) => hundredths / 100)),
});
type ActivationRecipe = { name: ActivationName; alpha: number | null };

const pair = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
const padding = fc.constantFrom<Padding>('valid', 'same');

const poolRecipe = fc.record({
  type: fc.constantFrom('maxPooling2d' as const, 'averagePooling2d' as const),
  poolSize: pair(1, 3),
  strides: pair(1, 3),
  padding,
  spelled: fc.boolean(),
});

const convRecipe = fc.record({
  named: fc.boolean(),
  filters: fc.integer({ min: 1, max: 3 }),
  kernelSize: pair(1, 3),
  strides: pair(1, 2),
  padding,
  useBias: fc.boolean(),
  activation: activationRecipe,
  activationLayer: fc.option(activationRecipe),
  pool: fc.option(poolRecipe),
  spelled: fc.boolean(),
});

const denseRecipe = fc.record({
  named: fc.boolean(),
  units: fc.integer({ min: 1, max: 8 }),
  useBias: fc.boolean(),
  activation: activationRecipe,
  activationLayer: fc.option(activationRecipe),
  spelled: fc.boolean(),
});

const graphRecipe = fc.record({
  input: fc.oneof(
    fc.tuple(
      fc.integer({ min: 4, max: 9 }),
      fc.integer({ min: 4, max: 9 }),
      fc.integer({ min: 1, max: 3 }),
    ),
    fc.tuple(fc.integer({ min: 2, max: 8 })),
  ),
  convs: fc.array(convRecipe, { maxLength: 2 }),
  reducer: fc.constantFrom('maxPooling2d' as const, 'averagePooling2d' as const),
  flattenVector: fc.boolean(),
  hidden: fc.array(denseRecipe, { maxLength: 2 }),
  output: fc.record({
    named: fc.boolean(),
    units: fc.integer({ min: 1, max: 6 }),
    useBias: fc.boolean(),
    activation: fc.oneof(activationRecipe, fc.constant({ name: 'softmax' as const, alpha: null })),
    logits: fc.constantFrom('softmax' as const, 'linear' as const),
  }),
  loss: fc.constantFrom(...losses),
  learningRate: fc.constantFrom(0.01, 0.1),
});
type GraphRecipe = typeof graphRecipe extends fc.Arbitrary<infer R> ? R : never;

/**
 * Small valid graphs: an image `[h, w, c]` (h, w in 4..9, c in 1..3) through 0..2 conv2d
 * layers with optional pooling, or a vector `[n]` (n in 2..8); then flatten, 0..2 dense
 * layers and a final dense layer. Softmax cross-entropy graphs end in `softmax` or `linear`
 * with at least 2 units. Fields at their Keras default are sometimes left out.
 *
 * @example fc.assert(fc.property(arbitraryGraphJson(), (graph) => { ... }))
 */
export function arbitraryGraphJson(options: ArbitraryGraphOptions = {}): fc.Arbitrary<GraphJson> {
  return graphRecipe.map((recipe) => new GraphBuilder(options.alphaStyle ?? 'omit').build(recipe));
}

class GraphBuilder {
  private readonly layers: LayerJson[] = [];
  private shape: number[] = [];

  constructor(private readonly alphaStyle: 'omit' | 'field' | 'object') {}

  build(recipe: GraphRecipe): GraphJson {
    this.shape = [...recipe.input];
    if (this.shape.length === 3) {
      for (const [i, conv] of recipe.convs.entries()) this.addConv(conv, i);
      this.reduceTo(MAX_FLATTENED_SIZE, recipe.reducer);
    }
    if (this.shape.length === 3 || recipe.flattenVector) this.push({ type: 'flatten' });
    for (const [i, dense] of recipe.hidden.entries()) this.addDense(dense, i);
    this.addOutput(recipe);
    return {
      name: 'arbitrary',
      input: { shape: [...recipe.input] },
      layers: this.layers,
      loss: recipe.loss,
      optimizer: { type: 'sgd', learningRate: recipe.learningRate },
    };
  }

  private push(layer: LayerJson): void {
    this.layers.push(layer);
  }

  private addConv(
    conv: typeof convRecipe extends fc.Arbitrary<infer R> ? R : never,
    index: number,
  ): void {
    const [height, width] = this.shape as [number, number, number];
    const kernelSize: [number, number] = [
      Math.min(conv.kernelSize[0], height),
      Math.min(conv.kernelSize[1], width),
    ];
    const layer: Conv2dJson = { type: 'conv2d', filters: conv.filters, kernelSize };
    if (conv.named) layer.name = `conv${index}`;
    this.setIfSpelled(layer, 'strides', conv.strides, conv.spelled, [1, 1]);
    this.setIfSpelled(layer, 'padding', conv.padding, conv.spelled, 'valid');
    this.setIfSpelled(layer, 'useBias', conv.useBias, conv.spelled, true);
    this.setActivation(layer, conv.activation, conv.spelled);
    this.push(layer);
    this.shape = [
      outputExtent(height, kernelSize[0], conv.strides[0], conv.padding),
      outputExtent(width, kernelSize[1], conv.strides[1], conv.padding),
      conv.filters,
    ];

    if (conv.activationLayer) this.addActivationLayer(conv.activationLayer);
    if (conv.pool) this.addPool(conv.pool);
  }

  private addPool(pool: typeof poolRecipe extends fc.Arbitrary<infer R> ? R : never): void {
    const [height, width, channels] = this.shape as [number, number, number];
    const poolSize: [number, number] = [
      Math.min(pool.poolSize[0], height),
      Math.min(pool.poolSize[1], width),
    ];
    const layer: Pooling2dJson = { type: pool.type, poolSize };
    // Keras defaults pooling strides to the pool size.
    this.setIfSpelled(layer, 'strides', pool.strides, pool.spelled, poolSize);
    this.setIfSpelled(layer, 'padding', pool.padding, pool.spelled, 'valid');
    this.push(layer);
    this.shape = [
      outputExtent(height, poolSize[0], pool.strides[0], pool.padding),
      outputExtent(width, poolSize[1], pool.strides[1], pool.padding),
      channels,
    ];
  }

  /** Halves height and width with 2 x 2 pooling until the per-example size fits. */
  private reduceTo(limit: number, type: Pooling2dJson['type']): void {
    while (this.shape.reduce((a, b) => a * b, 1) > limit) {
      const [height, width] = this.shape as [number, number, number];
      const poolSize: [number, number] = [Math.min(2, height), Math.min(2, width)];
      this.addPool({ type, poolSize, strides: [2, 2], padding: 'valid', spelled: true });
    }
  }

  private addDense(
    dense: typeof denseRecipe extends fc.Arbitrary<infer R> ? R : never,
    index: number,
  ): void {
    const layer: DenseJson = { type: 'dense', units: dense.units };
    if (dense.named) layer.name = `hidden${index}`;
    this.setIfSpelled(layer, 'useBias', dense.useBias, dense.spelled, true);
    this.setActivation(layer, dense.activation, dense.spelled);
    this.push(layer);
    this.shape = [...this.shape.slice(0, -1), dense.units];
    if (dense.activationLayer) this.addActivationLayer(dense.activationLayer);
  }

  private addOutput({ output, loss }: GraphRecipe): void {
    const crossEntropy = loss === 'softmaxCrossEntropy';
    const units = crossEntropy ? Math.max(2, output.units) : output.units;
    const activation = crossEntropy ? { name: output.logits, alpha: null } : output.activation;
    const layer: DenseJson = { type: 'dense', units, useBias: output.useBias };
    if (output.named) layer.name = 'out';
    this.setActivation(layer, activation, true);
    this.push(layer);
    this.shape = [...this.shape.slice(0, -1), units];
  }

  private addActivationLayer(activation: ActivationRecipe): void {
    const layer = { type: 'activation', activation: activation.name } as ActivationLayerJson;
    this.setActivation(layer, activation, true);
    this.push(layer);
  }

  /** Writes the activation, with alpha in the configured style; `linear` may be left out. */
  private setActivation(
    layer: DenseJson | Conv2dJson | ActivationLayerJson,
    activation: ActivationRecipe,
    spelled: boolean,
  ): void {
    const { name, alpha } = activation;
    const parametric = name === 'leakyRelu' || name === 'elu';
    if (!parametric || alpha === null || this.alphaStyle === 'omit') {
      if (spelled || name !== 'linear' || layer.type === 'activation') layer.activation = name;
    } else if (this.alphaStyle === 'object') {
      layer.activation = { name, alpha };
    } else {
      layer.activation = name;
      layer.alpha = alpha;
    }
  }

  private setIfSpelled<L extends object, K extends keyof L>(
    layer: L,
    key: K,
    value: L[K],
    spelled: boolean,
    keras: L[K],
  ): void {
    if (spelled || JSON.stringify(value) !== JSON.stringify(keras)) layer[key] = value;
  }
}

/** TensorFlow's output extent: valid floor((in - k) / s) + 1, same ceil(in / s). */
export function outputExtent(
  input: number,
  size: number,
  stride: number,
  padding: Padding,
): number {
  return padding === 'valid' ? Math.floor((input - size) / stride) + 1 : Math.ceil(input / stride);
}
