import { resolveGraph } from '@symgrad/compiler';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../testkit/src/finite-differences.js';
import { WebGpuModel } from '../src/index.js';
import { testDevice } from './device.js';
import { exampleGraph } from './graphs.js';
import { randomBatch } from './oracle.js';

const device = await testDevice();
afterAll(() => device?.destroy());

describe.skipIf(device === undefined)('training on WebGPU', () => {
  const gpu = device as GPUDevice;

  it('gives back the weights it was given', async () => {
    const graph = exampleGraph('paper-conv');
    const b = randomBatch(graph, 1, 11);
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 1 });
    await model.setWeights(b.weights);
    expect(await model.weights()).toEqual(b.weights);
    model.destroy();
  });

  it('leaves the weights as they were when asked only for gradients', async () => {
    // The kernels of the weight gradients also update the weights, when a step asks them to.
    const graph = exampleGraph('paper-conv');
    const b = randomBatch(graph, 2, 14);
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 2 });
    await model.setWeights(b.weights);
    const first = await model.gradients(b.inputs, b.targets, b.batch);
    expect(await model.weights()).toEqual(b.weights);
    expect(await model.gradients(b.inputs, b.targets, b.batch)).toEqual(first);
    model.destroy();
  });

  it('steps by w - learningRate * dL/dw and returns the loss before the step', async () => {
    const graph = exampleGraph('paper-conv');
    const b = randomBatch(graph, 4, 12);
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 4 });
    await model.setWeights(b.weights);
    const before = await model.gradients(b.inputs, b.targets, b.batch);
    const loss = await model.trainStep(b.inputs, b.targets, b.batch, 0.5);
    expect(loss).toBe(before.loss);
    const after = await model.weights();
    for (const [name, w] of Object.entries(b.weights)) {
      const gradient = before.gradients[name]?.data ?? [];
      const expected = w.data.map((value, k) => value - 0.5 * (gradient[k] ?? 0));
      expectClose(after[name]?.data ?? [], expected, {
        relative: 1e-6,
        absolute: 1e-7,
        label: name,
      });
    }
    model.destroy();
  });

  it('lowers the loss of a batch over a few steps', async () => {
    const graph = exampleGraph('paper-conv');
    const b = randomBatch(graph, 8, 13);
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 8 });
    await model.setWeights(b.weights);
    const losses: number[] = [];
    for (let step = 0; step < 5; step += 1) {
      losses.push(await model.trainStep(b.inputs, b.targets, b.batch));
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[4]).toBeLessThan((losses[0] as number) * 0.9);
    model.destroy();
  });

  it('reaches every example when a dispatch needs more than 65535 workgroups', async () => {
    // 4096 activations per example: 1100 examples are 4.5 million invocations, more than
    // the 65535 x 64 of one row of workgroups.
    const graph = resolveGraph({
      name: 'wide',
      input: { shape: [64, 64, 1] },
      layers: [
        { type: 'activation', activation: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', name: 'out', units: 1 },
      ],
      loss: 'squaredError',
      optimizer: { type: 'sgd', learningRate: 0.1 },
    });
    const one = randomBatch(graph, 1, 14);
    const batch = 1100;
    const repeat = (row: Float32Array) => {
      const rows = new Float32Array(row.length * batch);
      for (let k = 0; k < batch; k += 1) rows.set(row, k * row.length);
      return rows;
    };
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: batch });
    await model.setWeights(one.weights);
    const single = await model.gradients(one.inputs, one.targets, 1);
    const many = await model.gradients(repeat(one.inputs), repeat(one.targets), batch);
    // The same example 1100 times has the loss and gradients of one, up to float32 sums.
    const tolerance = { relative: 1e-3, absolute: 1e-6 };
    expectClose(many.loss, single.loss, { ...tolerance, label: 'loss' });
    for (const [name, gradient] of Object.entries(single.gradients)) {
      expectClose(many.gradients[name]?.data ?? [], gradient.data, { ...tolerance, label: name });
    }
    model.destroy();
  });
});
