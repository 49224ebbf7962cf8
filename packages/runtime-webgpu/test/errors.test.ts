import { afterAll, describe, expect, it } from 'vitest';
import {
  DataError,
  DeviceLimitError,
  DeviceLostError,
  NoAdapterError,
  requestDevice,
  WebGpuModel,
  WeightsError,
} from '../src/index.js';
import { testDevice } from './device.js';
import { exampleGraph } from './graphs.js';
import { randomBatch } from './oracle.js';

const device = await testDevice();
afterAll(() => device?.destroy());

describe('requestDevice', () => {
  it('says how to get an adapter when there is none', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const request = requestDevice({ gpu });
    await expect(request).rejects.toThrow(NoAdapterError);
    await expect(request).rejects.toThrow(
      /^no WebGPU adapter found: .*chromium and libvulkan1.*VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/,
    );
    await expect(request).rejects.not.toThrow(/\n/);
  });
});

describe.skipIf(device === undefined)('what the WebGPU runtime refuses', () => {
  const gpu = device as GPUDevice;

  it('a maxBatch whose buffers exceed the storage binding limit, before allocating', async () => {
    const limit = gpu.limits.maxStorageBufferBindingSize;
    const maxBatch = Math.floor(limit / (784 * 4)) + 1;
    const compile = WebGpuModel.compile(exampleGraph('mlp'), gpu, { maxBatch });
    await expect(compile).rejects.toThrow(DeviceLimitError);
    await expect(compile).rejects.toThrow(
      `tensor 'x' needs ${maxBatch * 784 * 4} bytes for maxBatch ${maxBatch}, above this device's maxStorageBufferBindingSize of ${limit} bytes; lower maxBatch to ${maxBatch - 1} or less`,
    );
  });

  it('a batch larger than maxBatch, and too few inputs', async () => {
    const graph = exampleGraph('paper-dense');
    const b = randomBatch(graph, 2, 21);
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 2 });
    await model.setWeights(b.weights);
    expect(() => model.gradients(b.inputs, b.targets, 3)).toThrow(DataError);
    expect(() => model.trainStep(b.inputs.subarray(0, 5), b.targets, 2)).toThrow(
      "the inputs hold 5 values, a batch of 2 examples of graph 'paper-dense' needs 6",
    );
    model.destroy();
  });

  it('weights that are missing or misshapen', async () => {
    const graph = exampleGraph('paper-dense');
    const model = await WebGpuModel.compile(graph, gpu, { maxBatch: 1 });
    expect(() => model.setWeights({})).toThrow(WeightsError);
    const kernel = { shape: [2, 3], data: new Float32Array(6) };
    expect(() =>
      model.setWeights({ 'out/kernel': kernel, 'out/bias': { shape: [2], data: [0, 0] } }),
    ).toThrow(
      "weight 'out/kernel' has shape [2, 3] and 6 values, graph 'paper-dense' needs [3, 2]",
    );
    model.destroy();
  });
});

describe.skipIf(device === undefined)('a lost device', () => {
  it('rejects the pending step and every later call with one line, never hangs', async () => {
    const own = await requestDevice();
    const graph = exampleGraph('paper-conv');
    const b = randomBatch(graph, 2, 22);
    const model = await WebGpuModel.compile(graph, own, { maxBatch: 2 });
    await model.setWeights(b.weights);
    const step = model.trainStep(b.inputs, b.targets, 2, 0.1);
    own.destroy();
    await expect(step).rejects.toThrow(DeviceLostError);
    await expect(step).rejects.toThrow(/^the WebGPU device was lost \(destroyed\): [^\n]*$/);
    await expect(model.gradients(b.inputs, b.targets, 2)).rejects.toThrow(DeviceLostError);
  });
});
