import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTypeScript, type Graph } from '@symgrad/compiler';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CpuModel,
  type Float32Tensor,
  loadCheckpoint,
  TrainingError,
  train,
  WorkerError,
} from '../src/index.js';
import { exampleGraph, modelOf, oneHotRows, Random, uniform } from './helpers.js';
import { quadrantNet, quadrants } from './synthetic.js';

const lenet = exampleGraph('lenet');
const mlp = exampleGraph('mlp');
const models: CpuModel[] = [];

afterAll(() => Promise.all(models.map((model) => model.dispose())));

/** A model of `graph` on `threads` threads, Glorot-initialised from seed 1, disposed after. */
function model(graph: Graph, threads: number, maxBatch = 64): CpuModel {
  const made = modelOf(graph, { maxBatch, threads });
  made.initialize(1);
  models.push(made);
  return made;
}

/** A batch of `batch` inputs uniform in [0, 1) and one-hot targets, drawn from `seed`. */
function batchOf(graph: Graph, batch: number, seed: number) {
  const inputSize = graph.inputShape.reduce((n, d) => n * d, 1);
  const inputs = uniform(batch * inputSize, new Random(seed), 0, 1);
  return {
    inputs: { shape: [batch, ...graph.inputShape], data: inputs },
    targets: { shape: [batch, 10], data: oneHotRows(batch, 10, seed) },
  };
}

/** The largest difference between two tensors, relative to the largest value of `expected`. */
function relativeError(actual: Float32Tensor, expected: Float32Tensor): number {
  let difference = 0;
  let scale = 0;
  expected.data.forEach((value, k) => {
    difference = Math.max(difference, Math.abs((actual.data[k] as number) - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return difference / scale;
}

describe.each([
  ['lenet', lenet],
  ['mlp', mlp],
])('%s on 2 threads', (_name, graph) => {
  const single = model(graph, 1);
  // Room for 4 examples: the first batch grows the shared buffers, and the workers follow.
  const parallel = model(graph, 2, 4);

  // 64 splits evenly, 7 leaves the calling thread the extra example, 1 leaves the worker idle.
  it.each([64, 7, 1, 64])('gives one thread’s loss and gradients on a batch of %i', (batch) => {
    const { inputs, targets } = batchOf(graph, batch, batch);
    const expected = single.gradients(inputs, targets);
    const actual = parallel.gradients(inputs, targets);

    expect(parallel.threads).toBe(2);
    expect(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss)).toBeLessThan(1e-5);
    for (const [name, gradient] of Object.entries(expected.gradients)) {
      const error = relativeError(actual.gradients[name] as Float32Tensor, gradient);
      expect(error, name).toBeLessThan(1e-5);
    }
  });
});

describe('training on 2 threads', () => {
  it('takes the steps one thread takes', () => {
    const single = model(lenet, 1);
    const parallel = model(lenet, 2);
    for (let step = 1; step <= 3; step += 1) {
      const { inputs, targets } = batchOf(lenet, 64, 100 + step);
      const expected = single.trainStep(inputs.data, targets.data, 64);
      const actual = parallel.trainStep(inputs.data, targets.data, 64);
      expect(Math.abs(actual - expected) / expected, `loss of step ${step}`).toBeLessThan(1e-4);
    }
    const expected = single.weights();
    for (const [name, weight] of Object.entries(parallel.weights())) {
      expect(relativeError(weight, expected[name] as Float32Tensor), name).toBeLessThan(1e-4);
    }
  });

  it('trains and evaluates epochs with a smaller last batch as one thread does', () => {
    const data = (size: number, seed: number) => ({
      inputs: uniform(size * 784, new Random(seed), 0, 1),
      targets: oneHotRows(size, 10, seed),
      size,
    });
    // 150 examples in batches of 64: steps of 64, 64 and 22, and a held-out pass of 64 and 36.
    const examples = { train: data(150, 1), test: data(100, 2) };
    const [expected, actual] = [1, 2].map((threads) => {
      const compiled = CpuModel.compile(mlp, { maxBatch: 64, threads });
      models.push(compiled);
      compiled.initialize(3);
      const history = train(compiled, examples, { epochs: 1, batchSize: 64, seed: 5 });
      return { record: history[0]!, weights: compiled.weights() };
    });

    expect(actual!.record.steps).toBe(3);
    for (const key of ['loss', 'accuracy', 'testLoss', 'testAccuracy'] as const) {
      const [value, reference] = [actual!.record[key]!, expected!.record[key]!];
      expect(Math.abs(value - reference) / reference, key).toBeLessThan(1e-4);
    }
    for (const [name, weight] of Object.entries(actual!.weights)) {
      expect(relativeError(weight, expected!.weights[name]!), name).toBeLessThan(1e-4);
    }
  });
});

describe('resuming on 2 threads', () => {
  it('reaches the very weights of an uninterrupted run on 2 threads', () => {
    // 100 examples in batches of 16 end each epoch with a batch of 4.
    const data = { train: quadrants(100, 4), test: quadrants(40, 5) };
    const options = { batchSize: 16, seed: 12, learningRate: 0.3 };
    const bits = (trained: CpuModel) =>
      Object.values(trained.weights()).map((w) => Array.from(new Uint32Array(w.data.buffer)));
    const whole = model(quadrantNet, 2, 16);
    train(whole, data, { ...options, epochs: 3 });

    const file = join(mkdtempSync(join(tmpdir(), 'symgrad-parallel-')), 'quadrants.ckpt.json');
    train(model(quadrantNet, 2, 16), data, { ...options, epochs: 1, checkpoint: file });
    const resumed = model(quadrantNet, 2, 16);
    train(resumed, data, { ...options, epochs: 3, resume: loadCheckpoint(file) });

    expect(bits(resumed)).toEqual(bits(whole));
  });
});

describe('worker threads', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses %s threads', (threads) => {
    expect(() => modelOf(mlp, { threads })).toThrow(TrainingError);
    expect(() => modelOf(mlp, { threads })).toThrow(/threads .* must be a whole number/);
  });

  it('reports an error inside a worker with the worker’s message, and carries on', () => {
    // The calling thread takes 4 examples of 7 and the worker 3: only the worker fails.
    const source = compileTypeScript(mlp).module.source.replace(
      /(export function forward\([^)]*\)[^{]*\{)/,
      "$1\n  if (batch === 3) throw new RangeError('a slice of 3 examples');",
    );
    const faulty = CpuModel.fromGeneratedSource(source, mlp, { threads: 2 });
    models.push(faulty);
    faulty.initialize(1);

    const odd = batchOf(mlp, 7, 1);
    const failure = (() => {
      try {
        faulty.gradients(odd.inputs, odd.targets);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(WorkerError);
    expect((failure as WorkerError).code).toBe('E_WORKER_FAILED');
    expect((failure as Error).message).toBe(
      'worker thread 1 failed: RangeError: a slice of 3 examples',
    );

    const even = batchOf(mlp, 8, 1);
    expect(Number.isFinite(faulty.gradients(even.inputs, even.targets).loss)).toBe(true);
  });

  it('names the example of a worker’s slice where a NaN first appears', () => {
    const parallel = model(mlp, 2);
    const { inputs, targets } = batchOf(mlp, 64, 5);
    inputs.data[40 * 784 + 3] = Number.NaN;

    expect(() => parallel.trainStep(inputs.data, targets.data, 64)).toThrow(
      "training stopped at step 1: the input 'x' holds NaN in example 40 of the batch; fix that example in the data",
    );
  });

  it('computes on the calling thread alone once disposed', async () => {
    const parallel = model(mlp, 2);
    const single = model(mlp, 1);
    const { inputs, targets } = batchOf(mlp, 16, 4);
    parallel.gradients(inputs, targets);
    await parallel.dispose();

    expect(parallel.threads).toBe(1);
    expect(parallel.gradients(inputs, targets).loss).toBe(single.gradients(inputs, targets).loss);
  });
});
