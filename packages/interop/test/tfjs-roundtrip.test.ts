import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GraphError, graph, resolveGraph } from '@symgrad/compiler';
import { CpuModel } from '@symgrad/runtime-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTfjsModel, importTfjsModel } from '../src/index.js';
import {
  loadFromFile,
  saveToFolder,
  temporaryFolder,
  tf,
  tfjsPredict,
  uniform,
} from './tfjs-files.js';

const BATCH = 4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Imports `model.json` with shards read next to it, as the CLI does. */
function importFile(file: string) {
  const readShard = (path: string) => new Uint8Array(readFileSync(join(dirname(file), path)));
  return importTfjsModel(readFileSync(file, 'utf8'), file, readShard);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let k = 0; k < expected.length; k += 1) {
    const gap = Math.abs((actual[k] ?? Number.NaN) - (expected[k] ?? Number.NaN));
    if (!(gap <= 1e-5)) expect.fail(`${what}[${k}] is ${actual[k]}, expected ${expected[k]}`);
  }
}

function oneHot(batch: number, classes: number): Float32Array {
  return Float32Array.from({ length: batch * classes }, (_, k) =>
    k % classes === Math.floor(k / classes) % classes ? 1 : 0,
  );
}

function convNet(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}

function sigmoidMlp(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'sigmoid', name: 'hidden' }),
      tf.layers.dense({ units: 2, activation: 'sigmoid', name: 'out' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
  return model;
}

const CASES = [
  {
    title: 'conv2d, pooling, flatten, dropout, dense softmax',
    build: convNet,
    input: [6, 6, 1],
    classes: 3,
  },
  { title: 'dense MLP with sigmoid', build: sigmoidMlp, input: [4], classes: 2 },
];

describe('a TensorFlow.js layers model', () => {
  for (const { title, build, input, classes } of CASES) {
    it(`${title}: imports, trains with symgrad, exports, and loads back into TensorFlow.js`, async () => {
      const folder = temporaryFolder();
      const original = build();
      const file = await saveToFolder(original, folder);
      const imported = importFile(file);

      const size = input.reduce((n, d) => n * d, 1);
      const inputs = uniform(BATCH * size, 7, 0, 1);
      const symgrad = CpuModel.compile(resolveGraph(imported.graph));
      symgrad.setWeights(imported.weights);
      const expected = tfjsPredict(original, inputs, [BATCH, ...input]);
      expectClose(symgrad.predict(inputs, BATCH), expected, 'imported predictions');

      const targets = oneHot(BATCH, classes);
      for (let step = 0; step < 3; step += 1) symgrad.trainStep(inputs, targets, BATCH, 0.5);
      const trained = symgrad.predict(inputs, BATCH);
      expect(Array.from(trained)).not.toEqual(Array.from(expected));

      const exported = exportTfjsModel(resolveGraph(imported.graph), symgrad.weights());
      const out = temporaryFolder();
      writeFileSync(join(out, 'model.json'), JSON.stringify(exported.modelJson));
      for (const shard of exported.shards) writeFileSync(join(out, shard.path), shard.data);
      const loaded = await loadFromFile(join(out, 'model.json'));
      expectClose(tfjsPredict(loaded, inputs, [BATCH, ...input]), trained, 'loaded predictions');
    });
  }

  it('keeps layer names, drops Dropout and takes the loss from the training config', async () => {
    const file = await saveToFolder(convNet(), temporaryFolder());
    const { graph: imported, weights, notes } = importFile(file);
    const names = imported.layers.map((layer) => layer.name);
    expect(names.every((name) => name !== undefined && !name.startsWith('dropout'))).toBe(true);
    expect(imported.loss).toBe('softmaxCrossEntropy');
    expect(imported.optimizer).toEqual({ type: 'sgd', learningRate: 0.1 });
    expect(Object.keys(weights)).toEqual(
      names
        .filter((n) => /^(conv2d|dense)/.test(n ?? ''))
        .flatMap((n) => [`${n}/kernel`, `${n}/bias`]),
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^dropped Dropout layer 'dropout_Dropout\d+'/);
  });

  it('reads a functional model whose layers form one chain, with LeakyReLU', async () => {
    const input = tf.input({ shape: [3] });
    const hidden = tf.layers.dense({ units: 4, name: 'hidden' }).apply(input);
    const leaky = tf.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }).apply(hidden);
    const output = tf.layers.dense({ units: 2, name: 'out' }).apply(leaky) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const { graph: imported, notes } = importFile(await saveToFolder(model, temporaryFolder()));
    expect(imported.layers.map((layer) => layer.type)).toEqual(['dense', 'activation', 'dense']);
    expect(imported.layers[1]).toMatchObject({ activation: { name: 'leakyRelu', alpha: 0.1 } });
    expect(imported.loss).toBe('meanSquaredError');
    expect(notes.join('\n')).toMatch(
      /loss set to meanSquaredError: model.json holds no training loss/,
    );

    const symgrad = CpuModel.compile(resolveGraph(imported));
    symgrad.setWeights(importFile(await saveToFolder(model, temporaryFolder())).weights);
    const inputs = uniform(BATCH * 3, 3);
    expectClose(symgrad.predict(inputs, BATCH), tfjsPredict(model, inputs, [BATCH, 3]), 'outputs');
  });

  it('reads the Keras converter layout, with model_config and training_config', async () => {
    const folder = temporaryFolder();
    const file = await saveToFolder(sigmoidMlp(), folder);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const { trainingConfig, modelTopology, ...rest } = json;
    const keras = {
      ...rest,
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: { class_name: modelTopology.class_name, config: modelTopology.config },
        training_config: { ...trainingConfig, loss: 'mean_squared_error' },
      },
    };
    writeFileSync(file, JSON.stringify(keras));
    const { graph: imported } = importFile(file);
    expect(imported.loss).toBe('meanSquaredError');
    expect(imported.layers.map((layer) => layer.name)).toEqual(['hidden', 'out']);
  });

  it('refuses to export an einsum layer, naming it', () => {
    const withEinsum = graph('custom', { inputShape: [3] })
      .einsum({ name: 'scale', equation: 'y[i] = w[i] * x[i]', weights: { w: [3] } })
      .loss('meanSquaredError')
      .build();
    expect(() => exportTfjsModel(withEinsum, { 'scale/w': { data: [1, 2, 3] } })).toThrow(
      GraphError,
    );
    expect(() => exportTfjsModel(withEinsum, {})).toThrow(/layer 'scale' \(einsum\)/);
  });
});
