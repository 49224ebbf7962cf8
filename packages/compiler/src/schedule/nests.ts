import { indexAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Equation } from '../program/ir.js';
import type { Stmt, Value } from './loops.js';
import { EXAMPLE, type KernelLowering } from './lower-kernel.js';

/**
 * The statements that compute one element of an equation, in gather form: every output
 * element is computed by its own loops and written once. Sums accumulate in a local,
 * which is a float64 in JavaScript and a register on a GPU; measured in V8, this beats
 * accumulating into the Float32Array output.
 */

/** `out[p] = body(p)`, for one example and one element `p`. */
export function perExampleElement(equation: Equation, lowering: KernelLowering): Stmt[] {
  const inner: Stmt[] = [];
  const value = lowering.value(equation.body, inner);
  const offset = offsetOf(equation, lowering);
  inner.push({ kind: 'store', buffer: equation.tensor, offset, value });
  return inner;
}

/**
 * `out[p] = 1/B * sum_b body_b(p)`: the loss of a batch is the mean of its examples' losses,
 * so each weight gradient sums over the examples inside its own loops.
 */
export function batchMeanElement(equation: Equation, lowering: KernelLowering): Stmt[] {
  const total = 'total';
  const perExample: Stmt[] = [];
  const value = lowering.value(equation.body, perExample);
  perExample.push({ kind: 'accumulate', name: total, value });
  const mean: Value = {
    kind: 'binary',
    op: '/',
    left: { kind: 'local', name: total },
    right: { kind: 'batchSize' },
  };
  return [
    { kind: 'declare', name: total, value: { kind: 'number', value: 0 }, type: 'float' },
    exampleLoop(perExample),
    { kind: 'store', buffer: equation.tensor, offset: offsetOf(equation, lowering), value: mean },
  ];
}

function offsetOf(equation: Equation, lowering: KernelLowering) {
  const element = build.access(
    equation.tensor,
    equation.indices.map((v) => indexAffine(v.name)),
  );
  return lowering.offset(element);
}

/** The loop over the examples of a batch, whose size is known only when a step runs. */
export function exampleLoop(body: Stmt[]): Stmt {
  const first = { kind: 'affine', value: { terms: [], constant: 0, divisor: 1 } } as const;
  return { kind: 'for', index: EXAMPLE, lower: first, upper: { kind: 'lastExample' }, body };
}
