import type { Graph, Layer, WeightSpec } from './types.js';

/**
 * Every trainable weight of a graph, in layer order, with TensorFlow.js layouts so that
 * weight files move between symgrad and Keras unchanged: dense kernel `[in, units]` then
 * bias `[units]`; conv2d kernel `[kh, kw, inChannels, filters]` then bias `[filters]`;
 * einsum weights as `<layer>/<short name>` in the order they were declared.
 */
export function weightSpecs(graph: Graph): WeightSpec[] {
  return graph.layers.flatMap(layerWeights);
}

function layerWeights(layer: Layer): WeightSpec[] {
  const spec = (suffix: string, role: WeightSpec['role'], shape: readonly number[]) => ({
    name: `${layer.name}/${suffix}`,
    layer: layer.name,
    role,
    shape,
  });

  switch (layer.type) {
    case 'dense': {
      const kernel = spec('kernel', 'kernel', [layer.inputShape[0] ?? 0, layer.units]);
      return layer.useBias ? [kernel, spec('bias', 'bias', [layer.units])] : [kernel];
    }
    case 'conv2d': {
      const [kh, kw] = layer.kernelSize;
      const inChannels = layer.inputShape[2] ?? 0;
      const kernel = spec('kernel', 'kernel', [kh, kw, inChannels, layer.filters]);
      return layer.useBias ? [kernel, spec('bias', 'bias', [layer.filters])] : [kernel];
    }
    case 'einsum':
      return Object.entries(layer.weights).map(([name, shape]) => spec(name, 'einsum', shape));
    default:
      return [];
  }
}
