import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, type CpuModel, loadCheckpoint, train } from '../src/index.js';
import { exampleGraph, modelOf } from './helpers.js';
import { quadrantNet, quadrants } from './synthetic.js';

const data = { train: quadrants(100, 4), test: quadrants(40, 5) };
const options = { batchSize: 16, seed: 12, learningRate: 0.3 };

function trainedModel(): CpuModel {
  const model = modelOf(quadrantNet);
  model.initialize(8);
  return model;
}

function checkpointError(action: () => unknown): CheckpointError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).not.toContain('\n');
    return error as CheckpointError;
  }
  return expect.fail('expected a CheckpointError');
}

/** Every weight's float32 bits, for a comparison that tells -0 from 0. */
function bits(model: CpuModel): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(model.weights()).map(([name, w]) => [
      name,
      Array.from(new Uint32Array(w.data.buffer)),
    ]),
  );
}

describe('checkpoints', () => {
  const folder = mkdtempSync(join(tmpdir(), 'symgrad-checkpoint-'));

  it('resume to the very weights of an uninterrupted run', () => {
    const whole = trainedModel();
    const wholeHistory = train(whole, data, { ...options, epochs: 3 });

    const file = join(folder, 'quadrants.ckpt.json');
    const interrupted = trainedModel();
    train(interrupted, data, { ...options, epochs: 1, checkpoint: file });
    expect(bits(interrupted)).not.toEqual(bits(whole));

    const resumed = modelOf(quadrantNet);
    resumed.initialize(99); // Overwritten by the checkpoint's weights.
    const history = train(resumed, data, { ...options, epochs: 3, resume: loadCheckpoint(file) });

    expect(bits(resumed)).toEqual(bits(whole));
    expect(history.map((record) => record.loss)).toEqual(wholeHistory.map((record) => record.loss));
    expect(history.map((record) => record.testAccuracy)).toEqual(
      wholeHistory.map((r) => r.testAccuracy),
    );
  });

  it('are written after every epoch, atomically, with the run state', () => {
    const file = join(folder, 'every-epoch.json');
    const seen: number[] = [];
    const model = trainedModel();
    train(model, data, {
      ...options,
      epochs: 2,
      checkpoint: file,
      onEpoch: (record) => seen.push(loadCheckpoint(file).epoch - record.epoch),
    });
    expect(seen).toEqual([0, 0]);
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);

    const checkpoint = loadCheckpoint(file);
    expect(checkpoint).toMatchObject({
      format: 'symgrad-checkpoint',
      version: 1,
      graph: 'quadrants',
      epoch: 2,
      backend: 'cpu',
    });
    expect(checkpoint.history).toHaveLength(2);
    expect(checkpoint.weights['hidden/kernel']!.shape).toEqual([2, 16]);
  });

  it('that are cut short say so in one line', () => {
    const whole = join(folder, 'every-epoch.json');
    const cut = join(folder, 'cut.json');
    const text = readFileSync(whole, 'utf8');
    writeFileSync(cut, text.slice(0, text.length / 2));
    const error = checkpointError(() => loadCheckpoint(cut));
    expect(error.code).toBe('E_CHECKPOINT_JSON');
    expect(error.message).toMatch(
      /^checkpoint '.*cut.json' is not valid JSON \(.*\); resume from another checkpoint or train afresh$/,
    );
  });

  it('of another format, version or shape are refused with the field named', () => {
    const file = join(folder, 'bad.json');
    const valid = JSON.parse(readFileSync(join(folder, 'every-epoch.json'), 'utf8'));
    const refuse = (json: unknown) => {
      writeFileSync(file, JSON.stringify(json));
      return checkpointError(() => loadCheckpoint(file)).message;
    };
    expect(refuse({ ...valid, format: 'other' })).toMatch(/is not a symgrad checkpoint/);
    expect(refuse({ ...valid, version: 2 })).toMatch(/version 2 is not 1/);
    expect(refuse({ ...valid, epoch: 1.5 })).toMatch(
      /"epoch" must be a whole number of at least 1, not 1.5/,
    );
    expect(refuse({ ...valid, epoch: 3 })).toMatch(/"history" holds 2 epochs, "epoch" says 3/);
    expect(refuse({ ...valid, backend: 'tpu' })).toMatch(
      /^checkpoint '.*bad.json': "backend" must be one of cpu, webgpu, not "tpu"$/,
    );
    const { backend: _, ...older } = valid;
    writeFileSync(
      file,
      JSON.stringify({
        ...valid,
        history: [{ ...valid.history[0], accuracy: NaN }, valid.history[1]],
      }),
    );
    expect(loadCheckpoint(file).history[0]?.accuracy).toBeNaN();
    writeFileSync(file, JSON.stringify(older));
    expect(loadCheckpoint(file).backend).toBe('cpu');
    expect(refuse({ ...valid, weights: { 'out/bias': { shape: [2], data: [1] } } })).toMatch(
      /weights\["out\/bias"\] has 1 values, its shape \[2\] holds 2/,
    );
    expect(checkpointError(() => loadCheckpoint(join(folder, 'absent.json'))).code).toBe(
      'E_CHECKPOINT_READ',
    );
  });

  it('of another graph are refused on resume', () => {
    const other = modelOf(exampleGraph('paper-dense'));
    other.initialize(1);
    const checkpoint = loadCheckpoint(join(folder, 'every-epoch.json'));
    const error = checkpointError(() =>
      train(
        other,
        { train: { inputs: new Float32Array(3), targets: new Float32Array(2), size: 1 } },
        {
          epochs: 3,
          batchSize: 1,
          resume: checkpoint,
        },
      ),
    );
    expect(error.message).toMatch(/was written training graph 'quadrants', not 'paper-dense'/);
  });
});
