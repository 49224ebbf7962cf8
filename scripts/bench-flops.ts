/**
 * The nominal floating-point work of a training step, counted as benchmarks count it: two
 * operations per multiply-add of the dense and convolution layers, in the forward product,
 * the weight gradient and the input gradient (none for the first layer, whose input needs no
 * gradient). Pooling, activations, the loss and the update are left out: they are a few
 * percent of the work, and every system does them alike.
 */
import type { Graph, Layer } from '../packages/compiler/src/index.js';

const product = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Multiply-adds of one example's forward pass through `layer`. */
function forwardMultiplyAdds(layer: Layer): number {
  if (layer.type === 'dense') return product(layer.inputShape) * layer.units;
  if (layer.type === 'conv2d') {
    const inChannels = layer.inputShape[layer.inputShape.length - 1] as number;
    return product(layer.outputShape) * product(layer.kernelSize) * inChannels;
  }
  return 0;
}

/** FLOPs of one training step on `batch` examples: forward, backward, both products. */
export function trainingStepFlops(graph: Graph, batch: number): number {
  let multiplyAdds = 0;
  let first = true;
  for (const layer of graph.layers) {
    const forward = forwardMultiplyAdds(layer);
    if (forward === 0) continue;
    multiplyAdds += forward * (first ? 2 : 3);
    first = false;
  }
  return 2 * multiplyAdds * batch;
}
