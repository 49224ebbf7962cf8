import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// The full package, not tfjs-core: it registers the layers and the cpu backend in Node.
import * as tf from '@tensorflow/tfjs';

/** A fresh temporary folder for one test's files. */
export function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'symgrad-interop-'));
}

/**
 * Saves `model` as `model.save('file://folder')` would, through an in-memory handler: the
 * artifacts become `model.json` and one shard, written to `folder`.
 */
export async function saveToFolder(model: tf.LayersModel, folder: string): Promise<string> {
  const file = join(folder, 'model.json');
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    const shard = 'weights.bin';
    const { weightData, weightSpecs, ...rest } = artifacts;
    const bytes = new Uint8Array(weightData as ArrayBuffer);
    writeFileSync(join(folder, shard), bytes);
    const modelJson = { ...rest, weightsManifest: [{ paths: [shard], weights: weightSpecs }] };
    writeFileSync(file, JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
  await model.save(handler, { includeOptimizer: true });
  return file;
}

/** Loads `model.json` and its shards from disk, as `tf.loadLayersModel('file://...')` would. */
export function loadFromFile(file: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const groups = json.weightsManifest as {
        paths: string[];
        weights: tf.io.WeightsManifestEntry[];
      }[];
      const shards = groups.flatMap((g) =>
        g.paths.map((p) => readFileSync(join(dirname(file), p))),
      );
      const weightData = concatenate(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
      };
    },
  };
  return tf.loadLayersModel(handler);
}

function concatenate(parts: readonly Uint8Array[]): ArrayBuffer {
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole.buffer;
}

/** The outputs of a tfjs model for a batch, flattened. */
export function tfjsPredict(model: tf.LayersModel, inputs: Float32Array, shape: number[]) {
  return tf.tidy(() => (model.predict(tf.tensor(inputs, shape)) as tf.Tensor).dataSync());
}

/** Deterministic values in [low, high) from a small linear congruential generator. */
export function uniform(count: number, seed: number, low = -1, high = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + ((high - low) * state) / 2 ** 32;
  });
}

export { tf };
