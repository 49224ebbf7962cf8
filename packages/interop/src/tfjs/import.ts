import {
  type ActivationJson,
  GraphError,
  type GraphJson,
  type LayerJson,
  type LossName,
  resolveGraph,
  weightSpecs,
} from '@symgrad/compiler';
import { layerError, mapLayer } from './layers.js';
import { readShards, type WeightTensor } from './shards.js';
import { type KerasLayer, type LayersModel, readLayersModel, record } from './topology.js';

/** A TensorFlow.js model as symgrad sees it. */
export interface ImportedModel {
  readonly graph: GraphJson;
  /** Weights by symgrad name, `<layer name>/kernel` and `<layer name>/bias`. */
  readonly weights: Record<string, WeightTensor>;
  /** What the import changed or assumed, one sentence each: dropped layers, the chosen loss. */
  readonly notes: string[];
}

/**
 * Reads a TensorFlow.js layers model, as `model.save('file://...')` or the Keras converter
 * writes it, into a symgrad layer graph and weights. `readShard` returns the bytes of a shard
 * named in the weights manifest (a path relative to `model.json`). Layer names are kept.
 *
 * @example importTfjsModel(readFileSync('m/model.json', 'utf8'), 'm/model.json',
 *   (path) => readFileSync(join('m', path)))
 */
export function importTfjsModel(
  modelJsonText: string,
  file: string,
  readShard: (path: string) => Uint8Array,
): ImportedModel {
  const model = readLayersModel(modelJsonText, file);
  const notes: string[] = [];
  const { shape, body } = splitInput(model, file);
  const layers = body.flatMap((layer) => {
    const mapped = mapLayer({ file, layer });
    if ('dropped' in mapped) notes.push(mapped.dropped);
    return 'layer' in mapped ? [mapped.layer] : [];
  });
  if (layers.length === 0) {
    throw new GraphError(
      'E_TFJS_MODEL',
      `${file}: the model has no layer symgrad can train; add one`,
    );
  }

  const graph: GraphJson = {
    name: model.name,
    input: { shape },
    layers,
    loss: chooseLoss(model, layers, notes),
    ...optimizer(model, notes),
  };
  return { graph, weights: collectWeights(model, graph, readShard, file), notes };
}

/** The per-example input shape and the layers after the input. */
function splitInput(model: LayersModel, file: string) {
  const [first, ...rest] = model.layers;
  if (first === undefined) throw new GraphError('E_TFJS_MODEL', `${file}: the model has no layers`);
  const isInput = first.className === 'InputLayer';
  const { batch_input_shape, batchInputShape, batch_shape } = first.config;
  const batchShape = batch_input_shape ?? batchInputShape ?? batch_shape;
  const dims = Array.isArray(batchShape) ? batchShape.slice(1) : [];
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw layerError(
      { file, layer: first },
      'E_TFJS_INPUT',
      `batch_input_shape ${JSON.stringify(batchShape ?? null)} does not fix every dimension after the batch; give the model an input shape such as [28, 28, 1]`,
    );
  }
  return { shape: dims as number[], body: isInput ? rest : model.layers };
}

/**
 * The loss from `training_config` where symgrad has it, else the usual partner of the last
 * activation: cross-entropy after softmax, mean squared error otherwise.
 */
function chooseLoss(model: LayersModel, layers: readonly LayerJson[], notes: string[]): LossName {
  const softmax = activationName(layers[layers.length - 1]) === 'softmax';
  const fallback: LossName = softmax ? 'softmaxCrossEntropy' : 'meanSquaredError';
  const loss = model.trainingConfig?.loss;
  const key = typeof loss === 'string' ? loss.toLowerCase().replaceAll('_', '') : undefined;
  if ((key === 'categoricalcrossentropy' || key === 'crossentropy') && softmax) {
    return 'softmaxCrossEntropy';
  }
  if (key === 'meansquarederror' || key === 'mse') return 'meanSquaredError';
  const why =
    loss === undefined
      ? 'model.json holds no training loss'
      : `symgrad has no loss like ${JSON.stringify(loss)}${softmax ? '' : ' after this last activation'}`;
  notes.push(`loss set to ${fallback}: ${why}; edit "loss" in the graph to change it`);
  return fallback;
}

function activationName(layer: LayerJson | undefined): string | undefined {
  const value: ActivationJson | undefined =
    layer !== undefined && 'activation' in layer ? layer.activation : undefined;
  return typeof value === 'object' ? value.name : value;
}

/** The learning rate of an SGD optimizer in `training_config`; symgrad trains only with SGD. */
function optimizer(model: LayersModel, notes: string[]): Pick<GraphJson, 'optimizer'> {
  const saved = model.trainingConfig?.optimizer_config;
  if (saved === undefined) return {};
  const className = String(saved.class_name);
  const { learning_rate, learningRate, lr } = record(saved.config) ?? {};
  const rate = learning_rate ?? learningRate ?? lr;
  if (className.toLowerCase() !== 'sgd' || typeof rate !== 'number' || !(rate > 0)) {
    notes.push(`optimizer ${className} not carried over: symgrad trains with plain SGD`);
    return {};
  }
  return { optimizer: { type: 'sgd', learningRate: rate } };
}

/**
 * The weights symgrad's graph expects, found in the manifest by layer name: tfjs writes
 * `dense_Dense1/kernel`, the Keras converter may prefix a scope (`sequential/dense/kernel`).
 */
function collectWeights(
  model: LayersModel,
  graph: GraphJson,
  readShard: (path: string) => Uint8Array,
  file: string,
): Record<string, WeightTensor> {
  const stored = readShards(model.manifest, readShard, file);
  const byName = new Map(model.layers.map((layer) => [layer.name, layer]));
  const weights: Record<string, WeightTensor> = {};
  for (const spec of weightSpecs(resolveGraph(graph, file))) {
    const layer = byName.get(spec.layer) as KerasLayer;
    const found = [...stored].find(([name]) => sameWeight(name, spec.name));
    if (found === undefined) {
      throw layerError(
        { file, layer },
        'E_TFJS_WEIGHTS',
        `weight '${spec.name}' is not in weightsManifest as float32; re-save the model with its weights`,
      );
    }
    const [name, tensor] = found;
    if (tensor.shape.join() !== spec.shape.join()) {
      throw layerError(
        { file, layer },
        'E_TFJS_WEIGHTS',
        `weight '${name}' has shape [${tensor.shape.join(', ')}], the layer needs [${spec.shape.join(', ')}]; re-save the model`,
      );
    }
    weights[spec.name] = tensor;
  }
  return weights;
}

function sameWeight(stored: string, wanted: string): boolean {
  const name = stored.replace(/:\d+$/, '');
  return name === wanted || name.endsWith(`/${wanted}`);
}
