import type { DerivedProgram } from '../derive/types.js';
import { invariant } from '../errors.js';
import type { Equation, Expr, Program, TensorDecl } from '../program/ir.js';
import { elementCount, evaluateEquation, type TensorValue, type TensorValues } from './evaluate.js';

/** Weight values by weight name, each row-major in the shape its declaration gives. */
export type WeightValues = Readonly<Record<string, ArrayLike<number>>>;

/** The loss of a batch and its gradients, as `symgrad grad` reports them. */
export interface InterpretedGradients {
  /** The mean of the per-example losses. */
  readonly loss: number;
  /** By weight name: the mean over the batch of the per-example gradient. */
  readonly gradients: Record<string, Float64Array>;
  /** Per example: the gradient of the batch loss with respect to that example's input. */
  readonly inputGradients?: Float64Array[];
}

export interface InterpretOptions {
  /** Also return the gradient with respect to each input, where the derivation has one. */
  readonly inputGradient?: boolean;
}

/**
 * Every forward tensor of one example. Without a target, the equations that depend on it
 * (the loss and whatever leads to it from the target) are left out.
 */
export function interpretForward(
  program: Program,
  weights: WeightValues,
  input: ArrayLike<number>,
  target?: ArrayLike<number>,
): TensorValues {
  const values = bindWeights(program.tensors, weights);
  values.set(program.input, bindTensor(program.tensors, program.input, input));
  if (target !== undefined) {
    values.set(program.target, bindTensor(program.tensors, program.target, target));
  }

  const unavailable = new Set(target === undefined ? [program.target] : []);
  for (const equation of program.equations) {
    if (readsAny(equation, unavailable)) unavailable.add(equation.tensor);
    else evaluateEquation(equation, program.tensors, values);
  }
  return values;
}

/**
 * The batch loss and its gradients, by running the forward and then the backward equations
 * on each example. The batch loss is the mean of the per-example losses, so every gradient is
 * the mean of the per-example gradients, and the gradient with respect to one example's input
 * is that example's input adjoint divided by the batch size.
 */
export function interpretGradients(
  derived: DerivedProgram,
  weights: WeightValues,
  inputs: readonly ArrayLike<number>[],
  targets: readonly ArrayLike<number>[],
  options: InterpretOptions = {},
): InterpretedGradients {
  const batchSize = inputs.length;
  invariant(batchSize > 0, 'gradients of an empty batch');
  invariant(targets.length === batchSize, `${batchSize} inputs but ${targets.length} targets`);
  const inputAdjoint = options.inputGradient ? derived.inputGradient : undefined;

  let lossTotal = 0;
  const gradientTotals = zeroGradients(derived);
  const inputGradients: Float64Array[] = [];
  inputs.forEach((input, example) => {
    const values = interpretExample(derived, weights, input, targets[example] ?? []);
    lossTotal += scalarValue(values, derived.forward.loss);
    for (const { weight, gradient } of derived.weightGradients) {
      accumulate(gradientTotals[weight], tensorValue(values, gradient).data);
    }
    if (inputAdjoint !== undefined) {
      inputGradients.push(scaled(tensorValue(values, inputAdjoint).data, 1 / batchSize));
    }
  });

  const gradients: Record<string, Float64Array> = {};
  for (const [weight, total] of Object.entries(gradientTotals)) {
    gradients[weight] = scaled(total, 1 / batchSize);
  }
  const loss = lossTotal / batchSize;
  return inputAdjoint === undefined ? { loss, gradients } : { loss, gradients, inputGradients };
}

/** Forward then backward equations of one example; the first backward equation seeds the loss. */
function interpretExample(
  derived: DerivedProgram,
  weights: WeightValues,
  input: ArrayLike<number>,
  target: ArrayLike<number>,
): TensorValues {
  const values = interpretForward(derived.forward, weights, input, target);
  for (const equation of derived.backward) evaluateEquation(equation, derived.tensors, values);
  return values;
}

/** One zero array per weight gradient, sized by the weight's declaration. */
function zeroGradients(derived: DerivedProgram): Record<string, Float64Array> {
  const totals: Record<string, Float64Array> = {};
  for (const { weight } of derived.weightGradients) {
    totals[weight] = new Float64Array(elementCount(declOf(derived.forward.tensors, weight).shape));
  }
  return totals;
}

/** Every weight the program declares, bound to its values; a missing or unknown one is a bug. */
function bindWeights(tensors: readonly TensorDecl[], weights: WeightValues): TensorValues {
  const values: TensorValues = new Map();
  for (const decl of tensors.filter((candidate) => candidate.role === 'weight')) {
    const data = weights[decl.name];
    invariant(data !== undefined, `weight '${decl.name}' has no value`);
    values.set(decl.name, bindTensor(tensors, decl.name, data));
  }
  for (const name of Object.keys(weights)) {
    invariant(values.has(name), `'${name}' is given a value but is not a weight of the program`);
  }
  return values;
}

/** Copies `data` into a tensor of the declared shape, which it must fill exactly. */
function bindTensor(
  tensors: readonly TensorDecl[],
  name: string,
  data: ArrayLike<number>,
): TensorValue {
  const shape = declOf(tensors, name).shape;
  invariant(
    data.length === elementCount(shape),
    `'${name}' has ${data.length} values, its shape [${shape.join(', ')}] needs ${elementCount(shape)}`,
  );
  return { shape: [...shape], data: Float64Array.from(data) };
}

function declOf(tensors: readonly TensorDecl[], name: string): TensorDecl {
  const decl = tensors.find((candidate) => candidate.name === name);
  invariant(decl !== undefined, `tensor '${name}' is not declared`);
  return decl;
}

function tensorValue(values: TensorValues, name: string): TensorValue {
  const value = values.get(name);
  invariant(value !== undefined, `tensor '${name}' was never computed`);
  return value;
}

function scalarValue(values: TensorValues, name: string): number {
  const { data } = tensorValue(values, name);
  invariant(data.length === 1 && data[0] !== undefined, `tensor '${name}' is not a scalar`);
  return data[0];
}

function accumulate(total: Float64Array | undefined, addend: Float64Array): void {
  invariant(total !== undefined && total.length === addend.length, 'gradient of the wrong size');
  for (let k = 0; k < addend.length; k += 1) total[k] = (total[k] ?? 0) + (addend[k] ?? 0);
}

function scaled(data: Float64Array, factor: number): Float64Array {
  return data.map((value) => value * factor);
}

/** Whether the equation's body reads any of `names`. */
function readsAny(equation: Equation, names: ReadonlySet<string>): boolean {
  return tensorsRead(equation.body).some((name) => names.has(name));
}

/** The names of the tensors `expr` reads, with repeats. */
function tensorsRead(expr: Expr): string[] {
  switch (expr.kind) {
    case 'access':
      return [expr.tensor];
    case 'add':
      return expr.terms.flatMap(tensorsRead);
    case 'mul':
      return expr.factors.flatMap(tensorsRead);
    case 'div':
      return [...tensorsRead(expr.numerator), ...tensorsRead(expr.denominator)];
    case 'apply':
      return tensorsRead(expr.arg);
    case 'select':
      return [expr.test, expr.then, expr.otherwise].flatMap(tensorsRead);
    case 'sum':
    case 'max':
    case 'argmax':
    case 'winner':
    case 'guard':
      return tensorsRead(expr.body);
    case 'isWinner':
      return [expr.winner.tensor];
    case 'derivative':
      return [...tensorsRead(expr.of), expr.wrt.tensor];
    case 'const':
    case 'delta':
      return [];
  }
}
