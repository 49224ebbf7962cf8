import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GraphError } from '@symgrad/compiler';
import { beforeAll, describe, expect, it } from 'vitest';
import { importTfjsModel } from '../src/index.js';
import { saveToFolder, temporaryFolder, tf } from './tfjs-files.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The message of the error importing `layer`, placed after a small input. */
async function importError(inputShape: number[], layer: tf.layers.Layer): Promise<GraphError> {
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), layer] });
  const file = await saveToFolder(model, temporaryFolder());
  const readShard = (path: string) => new Uint8Array(readFileSync(join(dirname(file), path)));
  try {
    importTfjsModel(readFileSync(file, 'utf8'), file, readShard);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    return error as GraphError;
  }
  return expect.fail('the import succeeded');
}

const CASES = [
  {
    what: 'BatchNormalization',
    input: [4],
    layer: () => tf.layers.batchNormalization({ name: 'norm' }),
    parts: ["layer 'norm' (BatchNormalization)", 'symgrad has no layer like it'],
  },
  {
    what: 'LSTM',
    input: [5, 3],
    layer: () => tf.layers.lstm({ units: 2, name: 'memory' }),
    parts: ["layer 'memory' (LSTM)", 'replace or remove it'],
  },
  {
    what: 'Conv2D with dilation_rate 2',
    input: [8, 8, 1],
    layer: () => tf.layers.conv2d({ filters: 1, kernelSize: 3, dilationRate: 2, name: 'wide' }),
    parts: ["layer 'wide' (Conv2D)", 'dilation_rate [2,2]', 'use dilation_rate 1'],
  },
  {
    what: 'Conv2D with channels_first',
    input: [1, 8, 8],
    layer: () =>
      tf.layers.conv2d({ filters: 1, kernelSize: 3, dataFormat: 'channelsFirst', name: 'cf' }),
    parts: ["layer 'cf' (Conv2D)", 'data_format "channels_first"', "'channels_last'"],
  },
  {
    what: 'Dense with the selu activation',
    input: [4],
    layer: () => tf.layers.dense({ units: 2, activation: 'selu', name: 'selu_out' }),
    parts: ["layer 'selu_out' (Dense)", 'activation "selu"', 'use one of linear'],
  },
];

describe('an unsupported TensorFlow.js layer', () => {
  for (const { what, input, layer, parts } of CASES) {
    it(`${what}: one line naming the layer, its class and the option`, async () => {
      const error = await importError(input, layer());
      expect(error.message).not.toContain('\n');
      for (const part of parts) expect(error.message).toContain(part);
    });
  }
});
