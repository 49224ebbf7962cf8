import { type Graph, resolveGraph } from '@symgrad/compiler';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbitraryGraphJson } from '../../testkit/src/arbitrary-graph.js';
import { WebGpuModel } from '../src/index.js';
import { testDevice } from './device.js';
import { exampleGraph, stridedGraph } from './graphs.js';
import { expectMatchesOracle, oracle, randomBatch } from './oracle.js';

const device = await testDevice();
afterAll(() => device?.destroy());

/** The loss and gradients of a seeded batch on the device, checked against the oracle. */
async function expectGradientsMatch(
  gpu: GPUDevice,
  graph: Graph,
  options: {
    batch: number;
    maxBatch?: number;
    seed: number;
    nonZero?: boolean;
    tileProducts?: boolean;
  },
): Promise<void> {
  const b = randomBatch(graph, options.batch, options.seed);
  const model = await WebGpuModel.compile(graph, gpu, {
    maxBatch: options.maxBatch ?? b.batch,
    ...(options.tileProducts === undefined ? {} : { tileProducts: options.tileProducts }),
  });
  try {
    if (options.tileProducts === true) {
      // Guards against a vacuous pass: the dense layers must run as tiled products.
      expect(model.program.shaders.filter((s) => s.tiles !== undefined).length).toBeGreaterThan(1);
    }
    await model.setWeights(b.weights);
    const actual = await model.gradients(b.inputs, b.targets, b.batch);
    expectMatchesOracle(actual, oracle(graph, b), `${graph.name} (seed ${options.seed})`);
    if (options.nonZero === false) return;
    // Guards against a vacuous pass: a zero gradient matches a kernel that never ran.
    for (const [name, gradient] of Object.entries(actual.gradients)) {
      expect(Math.max(...gradient.data.map(Math.abs)), `${name} is zero`).toBeGreaterThan(1e-6);
    }
  } finally {
    model.destroy();
  }
}

/** A 40-input graph: einsum layer `name`, `equation` with weight `w` of `shape`, then softmax. */
function einsumThenDense(name: string, equation: string, shape: number[]): Graph {
  const layers = [
    { type: 'einsum', name, equation, weights: { w: shape }, activation: 'tanh' },
    ...(shape.length > 2 ? [{ type: 'flatten' }] : []),
    { type: 'dense', name: 'out', units: 10, activation: 'softmax' },
  ];
  const json = {
    name: 'einsum-then-dense',
    input: { shape: [40] },
    layers,
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.1 },
  };
  return resolveGraph(json, 'einsum-then-dense.json');
}

describe.skipIf(device === undefined)('gradients on WebGPU equal the float64 oracle', () => {
  const gpu = device as GPUDevice;

  it('paper-dense: the dense layer of the reference derivation', async () => {
    await expectGradientsMatch(gpu, exampleGraph('paper-dense'), { batch: 3, seed: 1 });
  });

  it('paper-conv: stride-1 convolutions, relu, softmax cross-entropy', async () => {
    await expectGradientsMatch(gpu, exampleGraph('paper-conv'), { batch: 2, seed: 2 });
  });

  it('lenet: same padding, max pooling, three dense layers (batch 2)', async () => {
    await expectGradientsMatch(gpu, exampleGraph('lenet'), { batch: 2, seed: 3 });
  });

  it('a strided same-padded convolution, overlapping max pooling and average pooling', async () => {
    await expectGradientsMatch(gpu, stridedGraph, { batch: 3, seed: 4 });
  });

  it('a batch smaller than the buffers: the params uniform sets the batch size', async () => {
    await expectGradientsMatch(gpu, stridedGraph, { batch: 2, maxBatch: 5, seed: 5 });
  });

  it('mlp with its dense layers tiled in workgroup memory, 9 examples: a partial tile', async () => {
    const mlp = exampleGraph('mlp');
    await expectGradientsMatch(gpu, mlp, { batch: 9, seed: 6, tileProducts: true });
  });

  it('lenet with its dense layers tiled, 3 examples in buffers for 10', async () => {
    const lenet = exampleGraph('lenet');
    await expectGradientsMatch(gpu, lenet, { batch: 3, maxBatch: 10, seed: 7, tileProducts: true });
  });

  it("a tiled product whose indices bear the names of the shader's own locals", async () => {
    const named = einsumThenDense('slot', 'y[tile] = sum(part) w[part,tile] * x[part]', [40, 16]);
    await expectGradientsMatch(gpu, named, { batch: 9, seed: 8, tileProducts: true });
  });

  it("a tiled product over two output indices whose names join into a local's", async () => {
    // su and m1 read as one index would spell sum1, the name of the kernel's accumulator.
    const joined = einsumThenDense('e', 'y[su,m1] = sum(k) w[k,su,m1] * x[k]', [40, 4, 4]);
    await expectGradientsMatch(gpu, joined, { batch: 9, seed: 9, tileProducts: true });
  });

  it('on a fallback adapter, as SwiftShader is, tiles nothing unless asked', async () => {
    const info = (gpu as { adapterInfo?: { isFallbackAdapter?: boolean } }).adapterInfo;
    // The runtime's choice rests on the flag: a device that hid it would get tiles silently.
    expect(info?.isFallbackAdapter).toBeTypeOf('boolean');
    const model = await WebGpuModel.compile(exampleGraph('mlp'), gpu, { maxBatch: 4 });
    const tiled = model.program.shaders.filter((s) => s.tiles !== undefined);
    model.destroy();
    expect(tiled.length > 0).toBe(info?.isFallbackAdapter === false);
  });

  it('random graphs', async () => {
    const draws = fc.record({
      json: arbitraryGraphJson({ alphaStyle: 'object' }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      batch: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(draws, async ({ json, seed, batch }) => {
        const graph = resolveGraph(json, 'arbitrary.json');
        await expectGradientsMatch(gpu, graph, { batch, seed, nonZero: false });
      }),
      { numRuns: 15, seed: 20_240_612 },
    );
  });
});
