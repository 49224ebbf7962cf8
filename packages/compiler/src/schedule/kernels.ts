import { deriveProgram } from '../derive/reverse.js';
import type { Derivation, DerivedProgram } from '../derive/types.js';
import { Notation } from '../emit/notation.js';
import { ruleTitles } from '../emit/rules.js';
import { TextFormatter } from '../emit/text.js';
import type { Graph } from '../graph/types.js';
import { indexAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Equation, TensorDecl } from '../program/ir.js';
import { lowerGraph } from '../program/lower.js';
import { readsTensor } from '../program/traverse.js';
import type { Buffer, Kernel } from './loops.js';
import { KernelLowering } from './lower-kernel.js';
import { batchMeanElement, perExampleElement } from './nests.js';
import { materializeWinners } from './winners.js';

/**
 * A compiled model's plan: its buffers and its kernels in the order they run. Forward kernels
 * and per-example adjoints loop over the examples of a batch; weight gradients loop over the
 * examples inside, to take the mean that the batch loss is.
 */
export interface Schedule {
  readonly name: string;
  readonly buffers: readonly Buffer[];
  readonly kernels: readonly Kernel[];
  /** Weight, gradient buffer and external shape, in the graph's order. */
  readonly weights: readonly {
    readonly weight: string;
    readonly gradient: string;
    readonly shape: readonly number[];
  }[];
  readonly input: string;
  readonly target: string;
  readonly output: string;
  readonly loss: string;
  /** The learning rate of the graph's optimizer, for steps that are given none. */
  readonly learningRate?: number;
  /**
   * Equations the schedule adds to the derived program, with their tensors: the winner of
   * each max-pool window, stored once for the gradient (see `materializeWinners`).
   */
  readonly stored: readonly { readonly equation: Equation; readonly tensor: TensorDecl }[];
}

export function schedule(derived: DerivedProgram): Schedule {
  const { tensors, backward: equations, winners } = materializeWinners(derived);
  const program = { ...derived, tensors, backward: equations };
  const buffers = planBuffers(program);
  const byTensor = new Map(buffers.map((b) => [b.tensor, b]));
  const format = new TextFormatter(new Notation(tensors, derived.forward.loss));
  const needsTarget = tensorsReadingTarget(derived);

  const forward = derived.forward.equations.map((e) =>
    elementwiseKernel(e, byTensor, format, needsTarget.has(e.tensor) ? 'loss' : 'forward'),
  );
  const backward = equations.map((e) =>
    winners.has(e.tensor)
      ? elementwiseKernel(e, byTensor, format, 'backward')
      : backwardKernel(e, derived, byTensor, format),
  );
  const weights = derived.weightGradients.map(({ weight, gradient }) => {
    const decl = derived.tensors.find((t) => t.name === weight) as TensorDecl;
    return { weight, gradient, shape: decl.externalShape ?? decl.shape };
  });

  const { input, target, output, loss } = derived.forward;
  const stored = equations
    .filter((e) => winners.has(e.tensor))
    .map((equation) => ({
      equation,
      tensor: tensors.find((t) => t.name === equation.tensor) as TensorDecl,
    }));
  return {
    name: derived.forward.name,
    buffers,
    kernels: [...forward, ...backward],
    weights,
    input,
    target,
    output,
    loss,
    ...learningRateOf(derived),
    stored,
  };
}

function learningRateOf(derived: DerivedProgram): { learningRate?: number } {
  const rate = derived.derivations.find((d) => d.update !== undefined)?.update?.learningRate;
  return rate === undefined ? {} : { learningRate: rate };
}

function planBuffers(derived: DerivedProgram): Buffer[] {
  const weightNames = new Set(derived.weightGradients.map((w) => w.weight));
  return derived.tensors
    .filter((t) => t.role !== 'adjoint' || derived.backward.some((e) => e.tensor === t.name))
    .map((t) => {
      const size = t.shape.reduce((n, d) => n * d, 1);
      const isWeight = t.role === 'weight';
      const isGradient = t.role === 'adjoint' && weightNames.has(t.gradientOf ?? '');
      return {
        tensor: t.name,
        identifier: identifierOf(t.name),
        shape: t.shape,
        size,
        perExample: !isWeight && !isGradient,
        role: bufferRole(t, isGradient),
      };
    });
}

function bufferRole(t: TensorDecl, isGradient: boolean): Buffer['role'] {
  if (isGradient) return 'gradient';
  switch (t.role) {
    case 'weight':
    case 'input':
    case 'target':
    case 'adjoint':
    case 'loss':
      return t.role;
    default:
      return 'activation';
  }
}

/** Forward tensors computed from the targets: they are skipped when only predicting. */
function tensorsReadingTarget(derived: DerivedProgram): Set<string> {
  const reading = new Set([derived.forward.target]);
  for (const e of derived.forward.equations) {
    if ([...reading].some((t) => readsTensor(e.body, t))) reading.add(e.tensor);
  }
  return reading;
}

/**
 * The kernel of a forward equation, or of a backward one that no derivation defines (a
 * winner tensor): one element per example and index, with the equation as its comment.
 */
function elementwiseKernel(
  equation: Equation,
  buffers: ReadonlyMap<string, Buffer>,
  format: TextFormatter,
  phase: Kernel['phase'],
): Kernel {
  const lowering = new KernelLowering(buffers, true);
  const at = build.access(
    equation.tensor,
    equation.indices.map((v) => indexAffine(v.name)),
  );
  const lhs = format.expr(at);
  return {
    name: identifierOf(equation.tensor),
    writes: equation.tensor,
    phase,
    ...(equation.layer ? { layer: equation.layer } : {}),
    comment: [
      `${equation.layer ? `Layer ${equation.layer}: ` : ''}${equation.comment ?? 'forward equation'}.`,
      `${lhs} = ${format.expr(equation.body)}`,
    ],
    grid: { examples: true, indices: equation.indices },
    element: perExampleElement(equation, lowering),
  };
}

function backwardKernel(
  equation: Equation,
  derived: DerivedProgram,
  buffers: ReadonlyMap<string, Buffer>,
  format: TextFormatter,
): Kernel {
  const buffer = buffers.get(equation.tensor) as Buffer;
  const derivation = derived.derivations.find((d) => d.adjoint === equation.tensor) as Derivation;
  const lowering = new KernelLowering(buffers, true);
  const _at = build.access(
    equation.tensor,
    equation.indices.map((v) => indexAffine(v.name)),
  );
  const element = buffer.perExample
    ? perExampleElement(equation, lowering)
    : batchMeanElement(equation, lowering);
  const rules = [...new Set(derivation.steps.map((s) => ruleTitles[s.rule]))].join(', ');
  return {
    name: identifierOf(equation.tensor),
    writes: equation.tensor,
    phase: 'backward',
    ...(equation.layer ? { layer: equation.layer } : {}),
    comment: [
      `${equation.layer ? `Layer ${equation.layer}: ` : ''}${equation.comment ?? 'gradient'}.`,
      `${format.lhs(derivation)} = ${format.expr(equation.body)}`,
      `Derived by ${rules}.`,
    ],
    grid: { examples: buffer.perExample, indices: equation.indices },
    element,
  };
}

/** `conv1/kernel` -> `conv1Kernel`, `grad(out/preActivation)` -> `outPreActivationGrad`. */
export function identifierOf(tensor: string): string {
  const gradient = /^grad\((.*)\)$/.exec(tensor)?.[1];
  if (gradient !== undefined) return `${identifierOf(gradient)}Grad`;
  const words = tensor.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const camel = words.map((w, k) => (k === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join('');
  return /^[0-9]/.test(camel) ? `t${camel}` : camel;
}

/**
 * Derives and schedules a graph for training, as every backend compiles it: the input's
 * gradient is left out, since training never needs it.
 */
export function scheduleTraining(graph: Graph): { derived: DerivedProgram; schedule: Schedule } {
  const derived = deriveProgram(lowerGraph(graph), {
    inputGradient: false,
    learningRate: graph.optimizer.learningRate,
  });
  return { derived, schedule: schedule(derived) };
}
