/**
 * The three-way gradient check shared by the gradient suites: symgrad's derived equations,
 * evaluated by its float64 interpreter, against TensorFlow.js's autodiff (float32) on the same
 * graph, weights and batch, and against central differences of an independent float64 loss.
 */

import { expect } from 'vitest';
import {
  expectClose,
  finiteDifferenceGradient,
  float64Loss,
  mulberry32,
  randomInputs,
  randomWeights,
  type TensorData,
  targetsFor,
  tfjsReference,
  weightShapes,
} from '../../../testkit/src/index.js';
import { deriveGraph } from '../../src/derive/index.js';
import type { DerivedProgram } from '../../src/derive/types.js';
import { compileJavaScript, instantiateScript } from '../../src/emit/ts/compile.js';
import { resolveGraph } from '../../src/graph/parse.js';
import type { Graph } from '../../src/graph/types.js';
import { weightSpecs } from '../../src/graph/weights.js';
import { interpretGradients } from '../../src/interpret/index.js';

/** TensorFlow.js runs in float32: its rounding, not symgrad's, sets these. */
export const TFJS_TOLERANCE = { relative: 2e-4, absolute: 1e-5 };

/** Central differences of a float64 loss with step 1e-5 agree to about 1e-9. */
export const FINITE_DIFFERENCE_TOLERANCE = { relative: 1e-5, absolute: 1e-7 };

/** A graph with its derivation and one batch, and symgrad's loss and gradients on that batch. */
export interface GradientCase {
  readonly graph: Graph;
  readonly derived: DerivedProgram;
  readonly weights: Record<string, TensorData>;
  readonly inputs: TensorData;
  readonly targets: TensorData;
  readonly loss: number;
  /** dL/dw by weight name, row-major in the Keras layout. */
  readonly gradients: Record<string, Float64Array>;
  /** dL/dx for the whole batch, `[batch, ...inputShape]` row-major. */
  readonly inputGradient: Float64Array;
}

export interface CaseOptions {
  readonly batch?: number;
  readonly seed?: number;
  /** Replaces the random inputs, e.g. with values that tie inside a pooling window. */
  readonly inputs?: TensorData;
  /** Replaces some random weights, by name. */
  readonly weights?: Record<string, TensorData>;
  readonly targets?: TensorData;
}

/** Resolves and derives `json`, draws weights and a batch from `seed`, and interprets. */
export function gradientCase(json: unknown, options: CaseOptions = {}): GradientCase {
  const graph = resolveGraph(json, 'graph.json');
  const derived = deriveGraph(graph);
  const rng = mulberry32(options.seed ?? 1);
  const batch = options.batch ?? 2;
  const weights = { ...randomWeights(graph, rng), ...options.weights };
  const inputs = options.inputs ?? randomInputs(graph, batch, rng);
  const targets = options.targets ?? targetsFor(graph, inputs.shape[0] as number, rng);
  return {
    graph,
    derived,
    weights,
    inputs,
    targets,
    ...interpret(derived, weights, inputs, targets),
  };
}

/** symgrad's batch loss and gradients at these weights, with the input gradient flattened. */
export function interpret(
  derived: DerivedProgram,
  weights: Record<string, TensorData>,
  inputs: TensorData,
  targets: TensorData,
): Pick<GradientCase, 'loss' | 'gradients' | 'inputGradient'> {
  const values = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, w.data]));
  const result = interpretGradients(derived, values, rows(inputs), rows(targets), {
    inputGradient: true,
  });
  const perExample = result.inputGradients ?? [];
  expect(perExample, 'the derivation should give an input gradient').toHaveLength(
    rows(inputs).length,
  );
  const inputGradient = new Float64Array(inputs.data.length);
  for (const [b, example] of perExample.entries()) inputGradient.set(example, b * example.length);
  return { loss: result.loss, gradients: result.gradients, inputGradient };
}

/** The examples of a batched tensor, one row-major slice each. */
export function rows(tensor: TensorData): Float64Array[] {
  const batch = tensor.shape[0] as number;
  const size = tensor.data.length / batch;
  return Array.from({ length: batch }, (_, b) => tensor.data.subarray(b * size, (b + 1) * size));
}

/**
 * symgrad derives a gradient for exactly the weights the contract names, in Keras shapes, and
 * for no other tensor.
 */
export function expectEveryWeightDerived(c: GradientCase): void {
  const specs = weightSpecs(c.graph).map(({ name, shape }) => ({ name, shape: [...shape] }));
  expect(specs).toEqual(weightShapes(c.graph));
  expect(c.derived.weightGradients.map((g) => g.weight).sort()).toEqual(
    specs.map((s) => s.name).sort(),
  );
  for (const { name, shape } of specs) {
    expect(c.gradients[name], name).toHaveLength(shape.reduce((n, d) => n * d, 1));
  }
}

/** Loss, every weight gradient and the input gradient agree with TensorFlow.js. */
export function expectMatchesTensorflow(c: GradientCase): void {
  const reference = tfjsReference(c.graph, c.weights, c.inputs, c.targets);
  expectClose(c.loss, reference.loss, { ...TFJS_TOLERANCE, label: 'loss' });
  for (const name of Object.keys(reference.gradients)) {
    expectClose(c.gradients[name] ?? [], reference.gradients[name] ?? [], {
      ...TFJS_TOLERANCE,
      label: name,
    });
  }
  expectClose(c.inputGradient, reference.inputGradient, {
    ...TFJS_TOLERANCE,
    label: 'input gradient',
  });
}

export interface FiniteDifferenceCheck {
  /** Probe this many positions per weight; every position when absent. */
  readonly sample?: number;
  /** Also probe the input gradient (skip where the loss has a kink at the inputs, e.g. ties). */
  readonly input?: boolean;
}

/**
 * symgrad's loss equals an independent float64 forward pass, and its gradients equal central
 * differences of that loss, for every weight and (optionally) the input.
 */
export function expectMatchesFiniteDifferences(
  c: GradientCase,
  check: FiniteDifferenceCheck = {},
): void {
  const lossAt = (weights: Record<string, ArrayLike<number>>, inputs: ArrayLike<number>) =>
    float64Loss(c.graph, weights, { shape: c.inputs.shape, data: inputs }, c.targets);
  const weights = Object.fromEntries(
    Object.entries(c.weights).map(([name, w]) => [name, Float64Array.from(w.data)]),
  );
  expectClose(c.loss, lossAt(weights, c.inputs.data), { relative: 1e-12, label: 'float64 loss' });

  const options = check.sample === undefined ? {} : { sample: check.sample };
  const numeric = finiteDifferenceGradient((w) => lossAt(w, c.inputs.data), weights, options);
  for (const [name, expected] of Object.entries(numeric)) {
    expectClose(c.gradients[name] ?? [], expected, {
      ...FINITE_DIFFERENCE_TOLERANCE,
      label: `${name} (finite differences)`,
    });
  }
  if (check.input === false) return;
  const input = { input: Float64Array.from(c.inputs.data) };
  const numericInput = finiteDifferenceGradient((x) => lossAt(weights, x.input ?? []), input, {
    ...options,
    seed: 2,
  });
  expectClose(c.inputGradient, numericInput.input ?? [], {
    ...FINITE_DIFFERENCE_TOLERANCE,
    label: 'input gradient (finite differences)',
  });
}

/** Guards against a vacuous pass: a gradient that is zero everywhere matches a broken one. */
export function expectNonZeroGradients(c: GradientCase): void {
  for (const [name, gradient] of Object.entries(c.gradients)) {
    expect(Math.max(...gradient.map(Math.abs)), `${name} is zero everywhere`).toBeGreaterThan(1e-8);
  }
  expect(Math.max(...c.inputGradient.map(Math.abs)), 'input gradient is zero').toBeGreaterThan(
    1e-8,
  );
}

/**
 * Emitted TypeScript stores float32 and computes in float64, so it agrees with the float64
 * interpreter to float32 rounding.
 */
export const EMITTED_TOLERANCE = { relative: 1e-4, absolute: 1e-6 };

/**
 * The module emitted for the graph, in the script form every runtime runs, on the same weights
 * and batch, gives the same loss and weight gradients as the derived equations (and so as
 * TensorFlow.js). The TypeScript form is the same code with types, held to it by a test.
 */
export function expectEmittedMatches(c: GradientCase): void {
  const generated = instantiateScript(compileJavaScript(c.graph).module.source);
  const batch = c.inputs.shape[0] as number;
  const state = generated.createState(batch);
  const buffer = (name: string) => state[name] as Float32Array;
  for (const w of generated.model.weights) buffer(w.buffer).set(c.weights[w.name]?.data ?? []);
  buffer(generated.model.input).set(c.inputs.data);
  buffer(generated.model.target).set(c.targets.data);

  const loss = generated.forward(state, batch);
  generated.backward(state, batch);
  expectClose(loss, c.loss, { ...EMITTED_TOLERANCE, label: 'emitted loss' });
  for (const w of generated.model.weights) {
    expectClose(buffer(w.gradient), c.gradients[w.name] ?? [], {
      ...EMITTED_TOLERANCE,
      label: `emitted ${w.name}`,
    });
  }
}
