import { readFileSync } from 'node:fs';
import { WeightsError } from '../errors.js';
import type { WeightTensors } from '../tensor.js';
import { ioReason, writeFileAtomic } from './atomic-write.js';
import { type JsonTensor, readTensorRecord, tensorRecordJson } from './tensor-json.js';

/**
 * Writes a weights file, the format of DESIGN.md: an object from weight name to
 * `{ "shape": [...], "data": [...] }`, row-major, Keras layouts. Atomic: a reader never sees
 * half a file.
 */
export function saveWeights(path: string, weights: WeightTensors): void {
  try {
    writeFileAtomic(path, `${tensorRecordJson(weights)}\n`);
  } catch (error) {
    throw new WeightsError(
      'E_WEIGHTS_WRITE',
      `cannot write weights file '${path}': ${ioReason(error)}`,
    );
  }
}

/**
 * Reads a weights file and checks its form: JSON, an object of tensors, each with as many
 * finite numbers as its shape holds. Whether they fit a graph is `CpuModel.setWeights`'s
 * check, which names the file too.
 */
export function loadWeights(path: string): Record<string, JsonTensor> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WeightsError(
      'E_WEIGHTS_READ',
      `cannot read weights file '${path}': ${ioReason(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WeightsError(
      'E_WEIGHTS_JSON',
      `weights file '${path}' is not valid JSON (${reason}); write it as { "<layer>/kernel": { "shape": [...], "data": [...] }, ... }`,
    );
  }
  return readTensorRecord(json, {
    where: `weights file '${path}'`,
    entry: (name) => `weight '${name}'`,
    fail: (message) => {
      throw new WeightsError('E_WEIGHTS_FORMAT', message);
    },
  });
}
