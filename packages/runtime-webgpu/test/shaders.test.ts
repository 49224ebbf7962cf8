import { compileWgsl, type Graph, resolveGraph } from '@symgrad/compiler';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbitraryGraphJson } from '../../testkit/src/arbitrary-graph.js';
import { compilerMessages, testDevice } from './device.js';
import { EXAMPLES, exampleGraph, stridedGraph } from './graphs.js';

const device = await testDevice();
afterAll(() => device?.destroy());

/** Every shader of the graph, with the messages the device's WGSL compiler gave it. */
async function diagnostics(gpu: GPUDevice, graph: Graph) {
  const { program } = compileWgsl(graph);
  const all = await Promise.all(
    program.shaders.map(async (s) => ({
      shader: s.name,
      messages: await compilerMessages(gpu, s.code),
    })),
  );
  return all.filter((d) => d.messages.length > 0);
}

describe.skipIf(device === undefined)('the emitted WGSL on the device', () => {
  const gpu = device as GPUDevice;

  for (const name of EXAMPLES) {
    it(`compiles without errors or warnings: examples/${name}.json`, async () => {
      expect(await diagnostics(gpu, exampleGraph(name))).toEqual([]);
    });
  }

  it('compiles without errors or warnings: strides, same padding, both poolings', async () => {
    expect(await diagnostics(gpu, stridedGraph)).toEqual([]);
  });

  it('compiles without errors or warnings: random graphs', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryGraphJson({ alphaStyle: 'object' }), async (json) => {
        expect(await diagnostics(gpu, resolveGraph(json, 'arbitrary.json'))).toEqual([]);
      }),
      { numRuns: 25, seed: 20_240_611 },
    );
  });
});
