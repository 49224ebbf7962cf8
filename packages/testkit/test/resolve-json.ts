/**
 * A small resolver from the JSON contract to the resolved `Graph`, written independently of
 * the compiler's parser so that the kit can test itself. It trusts its input apart from the
 * shape checks that the arbitrary's validity test relies on.
 */

import type {
  Activation,
  ActivationName,
  Graph,
  Layer,
  Padding,
} from '../../compiler/src/graph/types.js';
import type { ActivationJson, GraphJson, LayerJson } from '../src/arbitrary-graph.js';

const defaultAlpha = { leakyRelu: 0.2, elu: 1 } as const;

export function resolveJson(json: GraphJson): Graph {
  const counts = new Map<string, number>();
  let shape: number[] = [...json.input.shape];
  const layers = json.layers.map((layerJson, index): Layer => {
    const count = (counts.get(layerJson.type) ?? 0) + 1;
    counts.set(layerJson.type, count);
    const base = {
      name: layerJson.name ?? `${layerJson.type}_${count}`,
      inputShape: shape,
      path: `layers[${index}]`,
    };
    const layer = resolveLayer(layerJson, base);
    shape = [...layer.outputShape];
    return layer;
  });
  return {
    name: json.name,
    inputShape: json.input.shape,
    layers,
    loss: json.loss,
    optimizer: json.optimizer,
  };
}

function resolveActivation(
  json: ActivationJson | undefined,
  fieldAlpha: number | undefined,
): Activation {
  if (json === undefined) return { name: 'linear' };
  if (typeof json === 'object') return { name: json.name, alpha: json.alpha };
  return activationNamed(json, fieldAlpha);
}

function activationNamed(name: ActivationName, alpha: number | undefined): Activation {
  if (name === 'leakyRelu' || name === 'elu') return { name, alpha: alpha ?? defaultAlpha[name] };
  return { name };
}

/** TensorFlow's output extent, checked: the window must fit and the output be non-empty. */
export function extent(
  input: number,
  size: number,
  stride: number,
  padding: Padding,
  where: string,
): number {
  if (padding === 'valid' && size > input)
    throw new Error(`${where}: window ${size} exceeds input ${input}`);
  const out =
    padding === 'valid' ? Math.floor((input - size) / stride) + 1 : Math.ceil(input / stride);
  if (out < 1) throw new Error(`${where}: empty output`);
  return out;
}

type Base = { name: string; inputShape: number[]; path: string };

function resolveLayer(json: LayerJson, base: Base): Layer {
  const shape = base.inputShape;
  switch (json.type) {
    case 'dense': {
      const outputShape = [...shape.slice(0, -1), json.units];
      const activation = resolveActivation(json.activation, json.alpha);
      return {
        ...base,
        type: 'dense',
        units: json.units,
        activation,
        useBias: json.useBias ?? true,
        outputShape,
      };
    }
    case 'conv2d': {
      if (shape.length !== 3)
        throw new Error(`${base.path}: conv2d needs [h, w, c], got [${shape}]`);
      const strides = json.strides ?? [1, 1];
      const padding = json.padding ?? 'valid';
      const outputShape = [
        extent(shape[0] as number, json.kernelSize[0], strides[0], padding, base.path),
        extent(shape[1] as number, json.kernelSize[1], strides[1], padding, base.path),
        json.filters,
      ];
      return {
        ...base,
        type: 'conv2d',
        filters: json.filters,
        kernelSize: json.kernelSize,
        strides,
        padding,
        activation: resolveActivation(json.activation, json.alpha),
        useBias: json.useBias ?? true,
        outputShape,
      };
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      if (shape.length !== 3)
        throw new Error(`${base.path}: pooling needs [h, w, c], got [${shape}]`);
      const strides = json.strides ?? json.poolSize;
      const padding = json.padding ?? 'valid';
      const outputShape = [
        extent(shape[0] as number, json.poolSize[0], strides[0], padding, base.path),
        extent(shape[1] as number, json.poolSize[1], strides[1], padding, base.path),
        shape[2] as number,
      ];
      return { ...base, type: json.type, poolSize: json.poolSize, strides, padding, outputShape };
    }
    case 'flatten':
      return { ...base, type: 'flatten', outputShape: [shape.reduce((a, b) => a * b, 1)] };
    case 'activation':
      return {
        ...base,
        type: 'activation',
        activation: resolveActivation(json.activation, json.alpha),
        outputShape: shape,
      };
  }
}
