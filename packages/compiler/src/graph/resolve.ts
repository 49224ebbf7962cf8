import type { z } from 'zod';
import { GraphError } from '../errors.js';
import { resolveEinsum } from './einsum.js';
import type { ActivationJson, graphSchema, LayerJson } from './schema.js';
import { flattenOutputShape, requireVector, type Window2d, window2dOutputShape } from './shapes.js';
import { type LayerSite, layerError, shapeText, siteText } from './site.js';
import type {
  Activation,
  ActivationLayer,
  Conv2dLayer,
  DenseLayer,
  EinsumLayer,
  FlattenLayer,
  Graph,
  Layer,
  Pooling2dLayer,
  Shape,
} from './types.js';

/**
 * Turns schema-checked JSON into a `Graph`: names every layer, fills in Keras's defaults,
 * chains shapes from the input to the loss and checks that the loss suits the last layer.
 */

type CheckedGraph = z.output<typeof graphSchema>;

/** Keras's SGD default. */
const DEFAULT_LEARNING_RATE = 0.01;

/** Resolves a graph that already passed the schema; `file` starts every message. */
export function resolveCheckedGraph(json: CheckedGraph, file: string): Graph {
  const names = layerNames(json.layers, file);
  const layers: Layer[] = [];
  let shape: Shape = json.input.shape;
  for (const [index, layerJson] of json.layers.entries()) {
    const site = { file, path: `layers[${index}]`, type: layerJson.type, name: names[index] ?? '' };
    const layer = resolveLayer(layerJson, site, shape);
    layers.push(layer);
    shape = layer.outputShape;
  }

  checkLoss(json.loss, layers, file);
  return {
    name: json.name,
    inputShape: json.input.shape,
    layers,
    loss: json.loss,
    optimizer: json.optimizer ?? { type: 'sgd', learningRate: DEFAULT_LEARNING_RATE },
  };
}

/**
 * Names as Keras gives them: the user's, or `<type>_<n>` with `n` counting unnamed layers of that
 * type from 1. A default name can collide with a user's; both are reported the same way.
 */
function layerNames(layers: readonly LayerJson[], file: string): string[] {
  const counts = new Map<string, number>();
  const owners = new Map<string, number>();
  return layers.map((layer, index) => {
    const name = layer.name ?? defaultName(layer.type, counts);

    const owner = owners.get(name);
    if (owner !== undefined) {
      const which = layer.name === undefined ? 'default name' : 'name';
      throw new GraphError(
        'E_DUPLICATE_NAME',
        `${file}: layers[${index}]: the ${which} '${name}' is already used by layers[${owner}]; give one of them a different "name"`,
      );
    }
    owners.set(name, index);
    return name;
  });
}

/** Keras counts only the layers it names itself, so a named layer does not use up a number. */
function defaultName(type: string, counts: Map<string, number>): string {
  const count = (counts.get(type) ?? 0) + 1;
  counts.set(type, count);
  return `${type}_${count}`;
}

/** Dispatches on the layer type; each `resolveX` fills defaults and infers the output shape. */
function resolveLayer(json: LayerJson, site: LayerSite, inputShape: Shape): Layer {
  const base = { name: site.name, path: site.path, inputShape };
  switch (json.type) {
    case 'dense':
      return resolveDense(json, site, base);
    case 'conv2d':
      return resolveConv2d(json, site, base);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return resolvePooling2d(json, site, base);
    case 'flatten':
      return resolveFlatten(json, base);
    case 'activation':
      return resolveActivationLayer(json, site, base);
    case 'einsum':
      return resolveEinsumLayer(json, site, base);
  }
}

type LayerBase = Pick<Layer, 'name' | 'path' | 'inputShape'>;
type JsonOf<T extends LayerJson['type']> = Extract<LayerJson, { type: T }>;

/** A dense layer maps a vector of `in` units to `units`: kernel `[in, units]`. */
function resolveDense(json: JsonOf<'dense'>, site: LayerSite, base: LayerBase): DenseLayer {
  requireVector(site, base.inputShape, 'a dense layer');
  return {
    ...base,
    type: 'dense',
    units: json.units,
    activation: resolveActivation(json.activation, json.alpha, site),
    useBias: json.useBias ?? true,
    outputShape: [json.units],
  };
}

function resolveConv2d(json: JsonOf<'conv2d'>, site: LayerSite, base: LayerBase): Conv2dLayer {
  const window: Window2d = {
    size: toPair(json.kernelSize),
    strides: toPair(json.strides ?? 1),
    padding: json.padding ?? 'valid',
    sizeField: 'kernelSize',
  };
  return {
    ...base,
    type: 'conv2d',
    filters: json.filters,
    kernelSize: window.size,
    strides: window.strides,
    padding: window.padding,
    activation: resolveActivation(json.activation, json.alpha, site),
    useBias: json.useBias ?? true,
    outputShape: window2dOutputShape(site, base.inputShape, window, json.filters),
  };
}

/** Pooling keeps the channels; its strides default to the pool size, as in Keras. */
function resolvePooling2d(
  json: JsonOf<'maxPooling2d' | 'averagePooling2d'>,
  site: LayerSite,
  base: LayerBase,
): Pooling2dLayer {
  const poolSize = toPair(json.poolSize);
  const window: Window2d = {
    size: poolSize,
    strides: toPair(json.strides ?? poolSize),
    padding: json.padding ?? 'valid',
    sizeField: 'poolSize',
  };
  const channels = base.inputShape[2] ?? 0;
  return {
    ...base,
    type: json.type,
    poolSize,
    strides: window.strides,
    padding: window.padding,
    outputShape: window2dOutputShape(site, base.inputShape, window, channels),
  };
}

function resolveFlatten(_json: JsonOf<'flatten'>, base: LayerBase): FlattenLayer {
  return { ...base, type: 'flatten', outputShape: flattenOutputShape(base.inputShape) };
}

function resolveActivationLayer(
  json: JsonOf<'activation'>,
  site: LayerSite,
  base: LayerBase,
): ActivationLayer {
  const activation = resolveActivation(json.activation, json.alpha, site);
  if (activation.name === 'softmax') requireVector(site, base.inputShape, 'softmax');
  return { ...base, type: 'activation', activation, outputShape: base.inputShape };
}

function resolveEinsumLayer(json: JsonOf<'einsum'>, site: LayerSite, base: LayerBase): EinsumLayer {
  const weights = json.weights ?? {};
  const bound = resolveEinsum(json.equation, {
    inputShape: base.inputShape,
    weights,
    where: siteText(site),
  });
  const activation = resolveActivation(json.activation, json.alpha, site);
  if (activation.name === 'softmax' && bound.outputShape.length !== 1) {
    throw layerError(
      site,
      'E_SHAPE',
      `softmax needs a 1-D output but the equation gives ${shapeText(bound.outputShape)}; use another activation or add a flatten layer and an { "type": "activation", "activation": "softmax" } layer after it`,
    );
  }
  return {
    ...base,
    type: 'einsum',
    equation: json.equation,
    parsed: bound.parsed,
    weights,
    activation,
    outputShape: bound.outputShape,
  };
}

/** Keras's `alpha` defaults: 0.2 for leakyRelu (TensorFlow.js's), 1 for elu. */
const DEFAULT_ALPHA = { leakyRelu: 0.2, elu: 1 } as const;

/**
 * Resolves an activation written as a name or `{ name, alpha }`; `alpha` may also sit on the
 * layer itself, as Keras's `LeakyReLU(alpha=...)` puts it. It only applies where it means
 * something, so a stray `alpha` is reported rather than ignored.
 */
function resolveActivation(
  json: ActivationJson | undefined,
  layerAlpha: number | undefined,
  site: LayerSite,
): Activation {
  const name = typeof json === 'object' ? json.name : (json ?? 'linear');
  const innerAlpha = typeof json === 'object' ? json.alpha : undefined;
  if (innerAlpha !== undefined && layerAlpha !== undefined) {
    throw layerError(
      site,
      'E_SCHEMA',
      'alpha is given both on the layer and in its activation; keep only one',
    );
  }

  const alpha = innerAlpha ?? layerAlpha;
  if (name === 'leakyRelu' || name === 'elu') {
    return { name, alpha: alpha ?? DEFAULT_ALPHA[name] };
  }
  if (alpha !== undefined) {
    throw layerError(
      site,
      'E_SCHEMA',
      `alpha only applies to the leakyRelu and elu activations, not '${name}'; remove it or change the activation`,
    );
  }
  return { name };
}

function toPair(value: number | readonly [number, number]): readonly [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/**
 * softmaxCrossEntropy is computed from the last layer's pre-activation z, as
 * `-sum_j t_j * log(softmax(z)_j)`: the last layer must produce a vector and end in softmax
 * (which the loss absorbs) or linear (the logits themselves).
 */
function checkLoss(loss: CheckedGraph['loss'], layers: readonly Layer[], file: string): void {
  if (loss !== 'softmaxCrossEntropy') return;
  const index = layers.length - 1;
  const last = layers[index];
  if (last === undefined) return;

  const where = `${file}: loss`;
  const layerText = `${last.path} (${last.type} '${last.name}')`;
  if (last.outputShape.length !== 1) {
    throw new GraphError(
      'E_LOSS',
      `${where}: softmaxCrossEntropy needs a 1-D output but the last layer ${layerText} gives ${shapeText(last.outputShape)}; add a flatten layer and a dense layer at the end`,
    );
  }
  const activation = 'activation' in last ? last.activation.name : 'linear';
  if (activation !== 'softmax' && activation !== 'linear') {
    throw new GraphError(
      'E_LOSS',
      `${where}: softmaxCrossEntropy needs the last layer ${layerText} to end in softmax or linear, not ${activation}; change its activation to "softmax"`,
    );
  }
}
