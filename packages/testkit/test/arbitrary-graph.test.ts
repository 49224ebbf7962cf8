import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  arbitraryGraphJson,
  expectClose,
  finiteDifferenceGradient,
  float64Loss,
  type GraphJson,
  MAX_FLATTENED_SIZE,
  mulberry32,
  randomInputs,
  randomWeights,
  targetsFor,
  tfjsReference,
  useCpuBackend,
  weightShapes,
} from '../src/index.js';
import { resolveJson } from './resolve-json.js';

beforeAll(useCpuBackend);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('arbitraryGraphJson', () => {
  it('draws graphs whose shapes chain, within the stated limits', () => {
    fc.assert(
      fc.property(arbitraryGraphJson({ alphaStyle: 'field' }), (json: GraphJson) => {
        // Throws on a window wider than its input or an empty output.
        const graph = resolveJson(json);
        const [height, width, channels] = json.input.shape;
        if (json.input.shape.length === 3) {
          expect(height).toBeGreaterThanOrEqual(4);
          expect(width).toBeLessThanOrEqual(9);
          expect(channels).toBeLessThanOrEqual(3);
        }
        const convs = graph.layers.filter((layer) => layer.type === 'conv2d');
        expect(convs.length).toBeLessThanOrEqual(2);

        const firstDense = graph.layers.findIndex((layer) => layer.type === 'dense');
        const flatSize = size(graph.layers[firstDense]!.inputShape);
        expect(graph.layers[firstDense]!.inputShape).toHaveLength(1);
        expect(flatSize).toBeLessThanOrEqual(MAX_FLATTENED_SIZE);

        const last = graph.layers[graph.layers.length - 1]!;
        expect(last.type).toBe('dense');
        if (json.loss === 'softmaxCrossEntropy' && last.type === 'dense') {
          expect(['softmax', 'linear']).toContain(last.activation.name);
          expect(last.units).toBeGreaterThanOrEqual(2);
        }
        for (const layer of graph.layers) {
          if (layer.type !== 'dense' && 'activation' in layer)
            expect(layer.activation.name).not.toBe('softmax');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('sometimes leaves Keras defaults out and sometimes names layers', () => {
    const samples = fc.sample(arbitraryGraphJson(), { numRuns: 300, seed: 1 });
    const layers = samples.flatMap((json) => json.layers);
    expect(layers.some((layer) => layer.type === 'conv2d' && layer.strides === undefined)).toBe(
      true,
    );
    expect(layers.some((layer) => layer.type === 'activation')).toBe(true);
    expect(layers.some((layer) => layer.name === undefined && layer.type === 'dense')).toBe(true);
    expect(
      layers.some((layer) => layer.type === 'averagePooling2d' && layer.padding === 'same'),
    ).toBe(true);
  });
});

describe('TensorFlow.js and float64 finite differences agree on arbitrary graphs', () => {
  it('for sampled positions of every weight and of the input', () => {
    fc.assert(
      fc.property(
        arbitraryGraphJson({ alphaStyle: 'object' }),
        fc.integer({ min: 1, max: 1000 }),
        (json, seed) => {
          const graph = resolveJson(json);
          const rng = mulberry32(seed);
          const weights = randomWeights(graph, rng);
          const inputs = randomInputs(graph, 2, rng);
          const targets = targetsFor(graph, 2, rng);
          const reference = tfjsReference(graph, weights, inputs, targets);

          const values = Object.fromEntries(
            Object.entries(weights).map(([name, w]) => [name, w.data]),
          );
          expect(Object.keys(values)).toEqual(weightShapes(graph).map((w) => w.name));
          expectClose(reference.loss, float64Loss(graph, values, inputs, targets), {
            relative: 1e-4,
            label: 'loss',
          });
          const numeric = finiteDifferenceGradient(
            (w) => float64Loss(graph, w, inputs, targets),
            values,
            { sample: 6, seed },
          );
          for (const name of Object.keys(values)) {
            expectClose(reference.gradients[name]!, numeric[name]!, {
              relative: 2e-3,
              absolute: 2e-5,
              label: name,
            });
          }

          const inputLoss = (w: Record<string, Float64Array>) =>
            float64Loss(graph, values, { shape: inputs.shape, data: w.input! }, targets);
          const numericInput = finiteDifferenceGradient(
            inputLoss,
            { input: Float64Array.from(inputs.data) },
            { sample: 6, seed },
          );
          expectClose(reference.inputGradient, numericInput.input!, {
            relative: 2e-3,
            absolute: 2e-5,
            label: 'input',
          });
        },
      ),
      // A fixed seed keeps CI reproducible; TESTKIT_SEED and TESTKIT_RUNS explore further.
      {
        numRuns: Number(process.env.TESTKIT_RUNS ?? 60),
        seed: Number(process.env.TESTKIT_SEED ?? 20_261_204),
      },
    );
  });
});
