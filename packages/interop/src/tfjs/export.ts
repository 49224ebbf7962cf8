import {
  type Activation,
  type Graph,
  GraphError,
  type Layer,
  type LossName,
  type WeightSpec,
  weightSpecs,
} from '@symgrad/compiler';
import { writeShard } from './shards.js';

/** The one shard file every export writes, next to `model.json`. */
export const SHARD_FILE = 'group1-shard1of1.bin';

export interface ExportedModel {
  /** The `model.json` document `tf.loadLayersModel` reads. */
  readonly modelJson: Record<string, unknown>;
  /** The weight files, with paths relative to `model.json`. */
  readonly shards: { path: string; data: Uint8Array }[];
}

/** A weight's values, row-major in its Keras layout; `shape`, where given, is checked. */
export interface ExportWeight {
  readonly shape?: readonly number[];
  readonly data: ArrayLike<number>;
}

type KerasLayerJson = { class_name: string; config: Record<string, unknown> };

/** tfjs-layers' names for the losses symgrad has; `squaredError` has none. */
const KERAS_LOSSES: Partial<Record<LossName, string>> = {
  softmaxCrossEntropy: 'categorical_crossentropy',
  meanSquaredError: 'mean_squared_error',
};

/**
 * Writes a graph and its weights as a TensorFlow.js layers model: a Sequential topology
 * whose InputLayer carries the input shape, and one float32 shard. `weights` holds every
 * weight of the graph by symgrad name. Einsum layers have no Keras class and are refused.
 *
 * @example const { modelJson, shards } = exportTfjsModel(graph, weights);
 */
export function exportTfjsModel(
  graph: Graph,
  weights: Readonly<Record<string, ExportWeight>>,
): ExportedModel {
  const input = {
    class_name: 'InputLayer',
    config: {
      name: `${graph.name}_input`,
      batch_input_shape: [null, ...graph.inputShape],
      dtype: 'float32',
      sparse: false,
    },
  };
  const layers = [input, ...graph.layers.flatMap(kerasLayers)];
  const specs = weightSpecs(graph);
  const tensors = checkWeights(specs, weights);

  const modelJson: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: 'symgrad @symgrad/interop',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: graph.name, layers },
      // The layer serialization format written here is tfjs-layers 4's.
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [
      {
        paths: [SHARD_FILE],
        weights: specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' })),
      },
    ],
    ...trainingConfig(graph),
  };
  return { modelJson, shards: [{ path: SHARD_FILE, data: writeShard(tensors) }] };
}

/** The weights in the graph's order, after checking that they are exactly the graph's. */
function checkWeights(
  specs: readonly WeightSpec[],
  weights: Readonly<Record<string, ExportWeight>>,
): ExportWeight[] {
  const known = new Set(specs.map((spec) => spec.name));
  const unknown = Object.keys(weights).find((name) => !known.has(name));
  if (unknown !== undefined) {
    fail(
      `weight '${unknown}' is not a weight of the graph, which has ${[...known].join(', ')}; remove it or export the graph it belongs to`,
    );
  }
  return specs.map((spec) => {
    const tensor = weights[spec.name];
    const shape = `[${spec.shape.join(', ')}]`;
    if (tensor === undefined) fail(`weight '${spec.name}' is missing; give it, shape ${shape}`);
    const size = spec.shape.reduce((n, d) => n * d, 1);
    const given = tensor.shape === undefined ? shape : `[${tensor.shape.join(', ')}]`;
    if (given !== shape || tensor.data.length !== size) {
      fail(
        `weight '${spec.name}' has shape ${given} with ${tensor.data.length} values; the graph needs ${shape}`,
      );
    }
    return tensor;
  });
}

function fail(text: string): never {
  throw new GraphError('E_EXPORT_WEIGHTS', text);
}

/** The loss and SGD learning rate, so that the loaded model can be fitted as it is. */
function trainingConfig(graph: Graph): Record<string, unknown> {
  const loss = KERAS_LOSSES[graph.loss];
  if (loss === undefined) return {};
  return {
    trainingConfig: {
      loss,
      metrics: [],
      optimizer_config: {
        class_name: 'SGD',
        config: { learningRate: graph.optimizer.learningRate },
      },
    },
  };
}

/**
 * One symgrad layer as Keras layers. An activation with a parameter other than ELU's 1 has
 * no Keras string name, so it follows its layer as a LeakyReLU or ELU layer.
 */
function kerasLayers(layer: Layer): KerasLayerJson[] {
  const base = { name: layer.name, trainable: true };
  switch (layer.type) {
    case 'dense': {
      const { inline, extra } = splitActivation(layer);
      const config = { ...base, units: layer.units, activation: inline, use_bias: layer.useBias };
      return [{ class_name: 'Dense', config }, ...extra];
    }
    case 'conv2d': {
      const { inline, extra } = splitActivation(layer);
      const config = {
        ...base,
        filters: layer.filters,
        kernel_size: [...layer.kernelSize],
        strides: [...layer.strides],
        padding: layer.padding,
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: inline,
        use_bias: layer.useBias,
      };
      return [{ class_name: 'Conv2D', config }, ...extra];
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const className = layer.type === 'maxPooling2d' ? 'MaxPooling2D' : 'AveragePooling2D';
      const config = {
        ...base,
        pool_size: [...layer.poolSize],
        strides: [...layer.strides],
        padding: layer.padding,
        data_format: 'channels_last',
      };
      return [{ class_name: className, config }];
    }
    case 'flatten':
      return [{ class_name: 'Flatten', config: base }];
    case 'activation':
      return [activationLayer(layer.name, layer.activation)];
    case 'einsum':
      throw new GraphError(
        'E_EXPORT_EINSUM',
        `layer '${layer.name}' (einsum) has no TensorFlow.js layer class; replace it with dense, conv2d, pooling, flatten or activation layers before exporting`,
      );
  }
}

function splitActivation(layer: Layer & { activation: Activation }) {
  const name = kerasActivation(layer.activation);
  if (name !== undefined) return { inline: name, extra: [] };
  return {
    inline: 'linear',
    extra: [activationLayer(`${layer.name}_activation`, layer.activation)],
  };
}

function activationLayer(name: string, activation: Activation): KerasLayerJson {
  const base = { name, trainable: true };
  const inline = kerasActivation(activation);
  if (inline !== undefined)
    return { class_name: 'Activation', config: { ...base, activation: inline } };
  if (activation.name === 'leakyRelu') {
    return { class_name: 'LeakyReLU', config: { ...base, alpha: activation.alpha } };
  }
  return {
    class_name: 'ELU',
    config: { ...base, alpha: 'alpha' in activation ? activation.alpha : 1 },
  };
}

/** The Keras string for an activation, where one exists. */
function kerasActivation(activation: Activation): string | undefined {
  if (activation.name === 'leakyRelu') return undefined;
  if (activation.name === 'elu') return activation.alpha === 1 ? 'elu' : undefined;
  return activation.name;
}
