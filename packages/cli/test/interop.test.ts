import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// The full package, not tfjs-core: it registers the layers and the cpu backend in Node.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, symgrad } from './run-cli.js';
import { temporaryFolder } from './small-graph.js';

const folder = temporaryFolder();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small convolutional model saved as `model.save('file://...')` would, to `<dir>/model.json`. */
async function savedModel(dir: string): Promise<{ model: tf.LayersModel; file: string }> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 2, name: 'conv' }),
      tf.layers.averagePooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dropout({ rate: 0.25, name: 'drop' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  const file = join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async ({ weightData, weightSpecs, ...rest }) => {
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weightData as ArrayBuffer));
      const weightsManifest = [{ paths: ['weights.bin'], weights: weightSpecs }];
      writeFileSync(file, JSON.stringify({ ...rest, weightsManifest }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return { model, file };
}

/** `tf.loadLayersModel` on files, as `file://` does in tfjs-node. */
function loadModel(file: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel({
    load: async () => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const [group] = json.weightsManifest;
      const shard = readFileSync(join(dirname(file), group.paths[0]));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: group.weights,
        weightData: new Uint8Array(shard).buffer,
        trainingConfig: json.trainingConfig,
      };
    },
  });
}

function predict(model: tf.LayersModel, inputs: tf.Tensor): Float32Array {
  return (model.predict(inputs) as tf.Tensor).dataSync() as Float32Array;
}

describe('symgrad import and export', () => {
  it('imports a model saved by TensorFlow.js and exports one that it loads back', async () => {
    const { model, file } = await savedModel(folder.path);
    const graph = join(folder.path, 'graph.json');
    const imported = symgrad('import', file, '--out', graph);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toBe('');
    expect(imported.stderr).toMatch(/^note: dropped Dropout layer 'drop'/);
    const weights = join(folder.path, 'graph.weights.json');
    expect(Object.keys(JSON.parse(readFileSync(weights, 'utf8')))).toEqual([
      'conv/kernel',
      'conv/bias',
      'out/kernel',
      'out/bias',
    ]);

    const out = join(folder.path, 'exported');
    const exported = symgrad('export', graph, '--weights', weights, '--out', out);
    expect(exported).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const loaded = await loadModel(join(out, 'model.json'));
    const inputs = tf.randomUniform([3, 5, 5, 1]);
    const [want, got] = [predict(model, inputs), predict(loaded, inputs)];
    for (let k = 0; k < want.length; k += 1) expect(got[k]).toBeCloseTo(want[k] ?? Number.NaN, 5);
  });

  it('names the file and the fix for a model.json that is not one', () => {
    const bad = folder.file('not-a-model.json', { format: 'graph-model' });
    const run = symgrad('import', bad, '--out', join(folder.path, 'x.json'));
    expectOneLineError(run, ['not-a-model.json', "no 'modelTopology'"]);
  });

  it('names the missing shard', async () => {
    const dir = join(folder.path, 'no-shard');
    mkdirSync(dir);
    const { file } = await savedModel(dir);
    rmSync(join(dir, 'weights.bin'));
    const run = symgrad('import', file, '--out', join(dir, 'graph.json'));
    expectOneLineError(run, ['weights.bin', 'keep the shard files']);
  });

  it('refuses weights that do not belong to the graph', async () => {
    const { file } = await savedModel(folder.path);
    const graph = join(folder.path, 'g2.json');
    expect(symgrad('import', file, '--out', graph).status).toBe(0);
    const weights = folder.file('stray.json', { 'other/kernel': { shape: [1], data: [0] } });
    const run = symgrad('export', graph, '--weights', weights, '--out', join(folder.path, 'e2'));
    expectOneLineError(run, ["weight 'other/kernel' is not a weight of the graph"]);
  });
});
