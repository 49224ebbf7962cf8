import { GraphError } from '@symgrad/compiler';

/**
 * The parts of a TensorFlow.js layers-model `model.json` that fix the forward function: the
 * layers as one chain, the training configuration and the weights manifest. Both writers are
 * read: `model.save(...)` from tfjs-layers and the Keras converter (`model_config`).
 */

/** One serialized layer: `{ class_name: 'Dense', config: { units: 3, ... } }`. */
export interface KerasLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** One entry of a manifest group: a weight laid out after the previous one in the shards. */
export interface ManifestWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}

export interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly ManifestWeight[];
}

/** `training_config` as tfjs and Keras write it; only the loss and optimizer matter here. */
export interface TrainingConfig {
  readonly loss?: unknown;
  readonly optimizer_config?: { readonly class_name?: unknown; readonly config?: unknown };
}

export interface LayersModel {
  readonly name: string;
  readonly layers: readonly KerasLayer[];
  readonly trainingConfig: TrainingConfig | undefined;
  readonly manifest: readonly ManifestGroup[];
}

type Json = Record<string, unknown>;

/** Reads `model.json`; every problem is a one-line `GraphError` naming `file`. */
export function readLayersModel(text: string, file: string): LayersModel {
  const json = parseJson(text, file);
  const topology = record(json.modelTopology);
  if (topology === undefined) {
    fail(file, "has no 'modelTopology'; give the model.json of a TensorFlow.js layers model");
  }
  // The Keras converter nests the model under `model_config`; tfjs-layers does not.
  const model = record(topology.model_config) ?? topology;
  const className = String(model.class_name);
  const config = model.config;

  const layers =
    className === 'Sequential'
      ? sequentialLayers(config, file)
      : className === 'Model' || className === 'Functional'
        ? functionalChain(record(config) ?? {}, file)
        : fail(
            file,
            `modelTopology is a '${className}'; symgrad reads Sequential models and functional models whose layers form one chain`,
          );

  return {
    name: String(record(config)?.name ?? 'model'),
    layers,
    trainingConfig: (record(json.trainingConfig) ?? record(topology.training_config)) as
      | TrainingConfig
      | undefined,
    manifest: manifestGroups(json.weightsManifest, file),
  };
}

/** A Sequential config is `{ name, layers }`, or the bare list in older Keras files. */
function sequentialLayers(config: unknown, file: string): KerasLayer[] {
  const list = Array.isArray(config) ? config : record(config)?.layers;
  if (!Array.isArray(list)) fail(file, 'modelTopology has no list of layers; re-save the model');
  return list.map((entry, k) => kerasLayer(entry, k, file));
}

/**
 * The layers of a functional model in the order data flows through them, provided they form
 * one chain: one input, and every other layer fed by exactly the layer before it.
 */
function functionalChain(config: Json, file: string): KerasLayer[] {
  const entries = Array.isArray(config.layers) ? config.layers : [];
  const layers = entries.map((entry, k) => kerasLayer(entry, k, file));
  const consumers = new Map<string, KerasLayer[]>();
  let input: KerasLayer | undefined;
  for (const [k, layer] of layers.entries()) {
    const sources = inboundLayers(record(entries[k]) ?? {});
    if (sources.length === 0 && input === undefined) input = layer;
    else if (sources.length !== 1 || sources[0] === undefined) notAChain(layer, file);
    else consumers.set(sources[0], [...(consumers.get(sources[0]) ?? []), layer]);
  }
  if (input === undefined) fail(file, 'the functional model has no input layer; re-save it');

  const chain = [input];
  for (let next = consumers.get(input.name); next !== undefined; ) {
    if (next.length !== 1 || next[0] === undefined) notAChain(next[1] ?? input, file);
    chain.push(next[0]);
    next = consumers.get(next[0].name);
  }
  const missing = layers.find((layer) => !chain.includes(layer));
  if (missing !== undefined) notAChain(missing, file);
  return chain;
}

function notAChain(layer: KerasLayer, file: string): never {
  fail(
    file,
    `layer '${layer.name}' (${layer.className}) branches or merges; symgrad imports functional models only when their layers form one chain, so rebuild it as a Sequential model`,
  );
}

/**
 * The names of the layers feeding `entry`: `inbound_nodes: [[[name, 0, 0, {}]]]` in tfjs and
 * Keras 2, `[{ args: [{ config: { keras_history: [name, 0, 0] } }] }]` in Keras 3.
 */
function inboundLayers(entry: Json): string[] {
  const nodes = Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : [];
  return nodes.flatMap((node: unknown) => {
    if (Array.isArray(node)) return node.map((tensor) => String((tensor as unknown[])[0]));
    const args = record(node)?.args;
    if (!Array.isArray(args)) return [];
    return args.map((arg) =>
      String((record(record(arg)?.config)?.keras_history as unknown[])?.[0]),
    );
  });
}

function kerasLayer(entry: unknown, index: number, file: string): KerasLayer {
  const layer = record(entry);
  const config = record(layer?.config);
  if (layer === undefined || typeof layer.class_name !== 'string' || config === undefined) {
    fail(file, `layer ${index} has no 'class_name' and 'config'; re-save the model`);
  }
  return { className: layer.class_name, name: String(config.name ?? layer.name), config };
}

function manifestGroups(value: unknown, file: string): ManifestGroup[] {
  if (!Array.isArray(value)) {
    fail(file, "has no 'weightsManifest'; save the model with its weights");
  }
  return value.map((group, k) => {
    const { paths, weights } = record(group) ?? {};
    if (!Array.isArray(paths) || !Array.isArray(weights)) {
      fail(file, `weightsManifest[${k}] needs 'paths' and 'weights' lists; re-save the model`);
    }
    return { paths: paths.map(String), weights: weights as ManifestWeight[] };
  });
}

function parseJson(text: string, file: string): Json {
  try {
    const json = record(JSON.parse(text));
    if (json !== undefined) return json;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    fail(file, `is not valid JSON (${reason}); give the model.json TensorFlow.js wrote`);
  }
  fail(file, 'is not a JSON object; give the model.json TensorFlow.js wrote');
}

/** `value` as an object, or undefined when it is anything else. */
export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function fail(file: string, text: string): never {
  throw new GraphError('E_TFJS_MODEL', `${file}: ${text}`);
}
