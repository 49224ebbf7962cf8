import { invariant } from '../errors.js';
import { type Affine, evaluateAffine, formatAffine } from '../program/affine.js';
import type {
  Access,
  Apply,
  Argmax,
  Condition,
  Equation,
  Expr,
  Guard,
  IndexVar,
  Max,
  ScalarFunction,
  Sum,
  TensorDecl,
  Winner,
} from '../program/ir.js';

/**
 * A direct interpreter of tensor-program equations: every sum is a loop over its whole index
 * box, every condition is tested point by point. It is the oracle the derivation engine and
 * the code generators are checked against, so it trades all speed for being plainly right.
 */

/** A dense tensor in row-major order: element `[i_0, ..., i_n]` lives at `sum_k i_k * stride_k`. */
export interface TensorValue {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Tensor values by name, as the interpreter fills them equation by equation. */
export type TensorValues = Map<string, TensorValue>;

/** What an expression reads: tensor values, and the value of every index in scope. */
export interface Environment {
  readonly tensors: ReadonlyMap<string, TensorValue>;
  readonly indices: ReadonlyMap<string, number>;
}

/** The reductions (sum, max, argmax) share a window: an index box cut down by conditions. */
type Window = Pick<Sum, 'indices' | 'conditions'>;

/** The value of `expr` at the index values in `env`. */
export function evaluateExpr(expr: Expr, env: Environment): number {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'access':
      return evaluateAccess(expr, env);
    case 'add':
      return expr.terms.reduce((total, term) => total + evaluateExpr(term, env), 0);
    case 'mul':
      return expr.factors.reduce((product, factor) => product * evaluateExpr(factor, env), 1);
    case 'div':
      return evaluateExpr(expr.numerator, env) / evaluateExpr(expr.denominator, env);
    case 'apply':
      return evaluateApply(expr, env);
    case 'select':
      return evaluateExpr(expr.test, env) > 0
        ? evaluateExpr(expr.then, env)
        : evaluateExpr(expr.otherwise, env);
    case 'sum':
      return evaluateSum(expr, env);
    case 'max':
      return evaluateMax(expr, env);
    case 'delta':
      return evaluateDelta(expr.left, expr.right, env);
    case 'argmax':
      return evaluateArgmax(expr, env);
    case 'winner':
      return evaluateWinner(expr, env);
    case 'isWinner':
      return exactAffine(expr.position, env.indices) === evaluateAccess(expr.winner, env) ? 1 : 0;
    case 'guard':
      return evaluateGuard(expr, env);
    case 'derivative':
      // Only a derivation in progress holds one; finished programs have them all rewritten.
      invariant(
        false,
        `cannot evaluate an unexpanded derivative with respect to ${expr.wrt.tensor}`,
      );
  }
}

/** Reads one element; the program promises every access lands inside its tensor. */
function evaluateAccess(expr: Access, env: Environment): number {
  const tensor = env.tensors.get(expr.tensor);
  invariant(tensor !== undefined, `tensor '${expr.tensor}' is read before it has a value`);

  const position = expr.indices.map((index) => evaluateAffine(index, env.indices));
  const written = `${expr.tensor}[${expr.indices.map((a) => formatAffine(a)).join(', ')}]`;
  invariant(
    isInside(position, tensor.shape),
    `access ${written} reads ${expr.tensor}[${position.join(', ')}], outside its shape [${tensor.shape.join(', ')}]`,
  );
  return elementAt(tensor, position);
}

/** True when `position` is a whole-number position inside `shape`, one entry per dimension. */
function isInside(position: readonly number[], shape: readonly number[]): boolean {
  if (position.length !== shape.length) return false;
  return position.every(
    (value, axis) => Number.isInteger(value) && value >= 0 && value < (shape[axis] ?? 0),
  );
}

/**
 * The scalar functions, as the derivative rules assume them. `parameter` is the alpha of
 * leakyRelu and elu.
 */
const scalarFunctions: Record<ScalarFunction, (x: number, parameter: number) => number> = {
  // sigmoid(x) = 1 / (1 + e^-x)
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  // relu(x) = max(0, x)
  relu: (x) => Math.max(0, x),
  // leakyRelu(x) = x for x > 0, alpha * x otherwise
  leakyRelu: (x, alpha) => (x > 0 ? x : alpha * x),
  // elu(x) = x for x > 0, alpha * (e^x - 1) otherwise
  elu: (x, alpha) => (x > 0 ? x : alpha * (Math.exp(x) - 1)),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  square: (x) => x * x,
};

function evaluateApply(expr: Apply, env: Environment): number {
  const needsParameter = expr.fn === 'leakyRelu' || expr.fn === 'elu';
  invariant(
    !needsParameter || expr.parameter !== undefined,
    `${expr.fn} is applied without its alpha parameter`,
  );
  return scalarFunctions[expr.fn](evaluateExpr(expr.arg, env), expr.parameter ?? Number.NaN);
}

/** The sum over the window; an empty window sums to 0. */
function evaluateSum(expr: Sum, env: Environment): number {
  let total = 0;
  forEachWindowPoint(expr, env.indices, (point) => {
    total += evaluateExpr(expr.body, { tensors: env.tensors, indices: point });
  });
  return total;
}

/** The largest body over the window, which a well-formed program never leaves empty. */
function evaluateMax(expr: Max, env: Environment): number {
  const maximum = firstMaximum(expr, expr.body, env);
  invariant(maximum !== undefined, `max over ${describeWindow(expr)} has an empty window`);
  return maximum.value;
}

/**
 * The indicator of the first maximum: 1 where `at` names the first point of the window, in
 * row-major order, at which the body reaches its maximum (so ties go to the first, as in
 * TensorFlow); 0 elsewhere, including where `at` is not a whole-number point at all.
 */
function evaluateArgmax(expr: Argmax, env: Environment): number {
  invariant(
    expr.at.length === expr.indices.length,
    `argmax over ${describeWindow(expr)} is compared with ${expr.at.length} positions`,
  );
  const maximum = firstMaximum(expr, expr.body, env);
  invariant(maximum !== undefined, `argmax over ${describeWindow(expr)} has an empty window`);

  const at = expr.at.map((a) => exactAffine(a, env.indices));
  return at.every((value, axis) => value === maximum.position[axis]) ? 1 : 0;
}

/** The row-major position of the first maximum within its window: `k * n + l` in an m x n one. */
function evaluateWinner(expr: Winner, env: Environment): number {
  const maximum = firstMaximum(expr, expr.body, env);
  invariant(maximum !== undefined, `argmax over ${describeWindow(expr)} has an empty window`);
  return expr.indices.reduce(
    (position, index, axis) => position * index.extent + (maximum.position[axis] as number),
    0,
  );
}

/** The largest body over the window and the first point, in row-major order, that reaches it. */
function firstMaximum(
  window: Window,
  body: Expr,
  env: Environment,
): { value: number; position: number[] } | undefined {
  let best: { value: number; position: number[] } | undefined;
  forEachWindowPoint(window, env.indices, (point) => {
    const value = evaluateExpr(body, { tensors: env.tensors, indices: point });
    // Strictly greater: a later point that only ties never displaces the first maximum.
    if (best !== undefined && !(value > best.value)) return;
    best = { value, position: window.indices.map((index) => indexValue(point, index.name)) };
  });
  return best;
}

/**
 * The Kronecker delta `[left = right]`. A side whose numerator its divisor does not divide is
 * not an index at all, so it equals no index and the delta is 0.
 */
function evaluateDelta(left: Affine, right: Affine, env: Environment): number {
  const leftValue = exactAffine(left, env.indices);
  const rightValue = exactAffine(right, env.indices);
  if (leftValue === undefined || rightValue === undefined) return 0;
  return leftValue === rightValue ? 1 : 0;
}

function evaluateGuard(expr: Guard, env: Environment): number {
  const holds = expr.conditions.every((condition) => conditionHolds(condition, env.indices));
  return holds ? evaluateExpr(expr.body, env) : 0;
}

/** Whether `condition` holds at the given index values. */
export function conditionHolds(
  condition: Condition,
  indices: ReadonlyMap<string, number>,
): boolean {
  const value = exactAffine(condition.affine, indices);
  switch (condition.kind) {
    case 'bounds':
      return value !== undefined && condition.lower <= value && value <= condition.upper;
    case 'divisible':
      return value !== undefined;
  }
}

/**
 * The value of `a`, or undefined where its divisor does not divide its numerator: such a value
 * is not an index. Divisibility is tested on the integer numerator, never on a float quotient.
 */
function exactAffine(a: Affine, indices: ReadonlyMap<string, number>): number | undefined {
  const numerator = evaluateAffine({ ...a, divisor: 1 }, indices);
  return numerator % a.divisor === 0 ? numerator / a.divisor : undefined;
}

/** Calls `visit` at every point of the window that satisfies all of its conditions. */
function forEachWindowPoint(
  window: Window,
  outer: ReadonlyMap<string, number>,
  visit: (point: ReadonlyMap<string, number>) => void,
): void {
  forEachPoint(window.indices, outer, (point) => {
    if (window.conditions.every((condition) => conditionHolds(condition, point))) visit(point);
  });
}

/**
 * Calls `visit` at every point of the box `indices` in row-major order (the last index varies
 * fastest), with the outer index values still in scope; an inner index shadows an outer one of
 * the same name. The point passed to `visit` is reused, so `visit` must not keep it.
 */
function forEachPoint(
  indices: readonly IndexVar[],
  outer: ReadonlyMap<string, number>,
  visit: (point: ReadonlyMap<string, number>) => void,
): void {
  const point = new Map(outer);
  const visitFrom = (axis: number): void => {
    const index = indices[axis];
    if (index === undefined) {
      visit(point);
      return;
    }
    for (let value = 0; value < index.extent; value += 1) {
      point.set(index.name, value);
      visitFrom(axis + 1);
    }
  };
  visitFrom(0);
}

function indexValue(point: ReadonlyMap<string, number>, name: string): number {
  const value = point.get(name);
  invariant(value !== undefined, `index '${name}' has no value`);
  return value;
}

function describeWindow(window: Window): string {
  return `(${window.indices.map((index) => `${index.name} < ${index.extent}`).join(', ')})`;
}

/** The number of elements of a tensor of this shape; a scalar, shape `[]`, has one. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, extent) => count * extent, 1);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): TensorValue {
  return { shape: [...shape], data: new Float64Array(elementCount(shape)) };
}

/** The row-major offset of `position`: `((i_0 * n_1 + i_1) * n_2 + i_2) ...`. */
export function rowMajorOffset(position: readonly number[], shape: readonly number[]): number {
  invariant(
    position.length === shape.length,
    `position of rank ${position.length} in a tensor of rank ${shape.length}`,
  );
  return shape.reduce((offset, extent, axis) => offset * extent + (position[axis] ?? 0), 0);
}

/** The element at `position`, which must lie inside the tensor. */
export function elementAt(tensor: TensorValue, position: readonly number[]): number {
  const value = tensor.data[rowMajorOffset(position, tensor.shape)];
  invariant(value !== undefined, `position [${position.join(', ')}] outside the tensor`);
  return value;
}

/**
 * Defines `equation.tensor` at every point of its index box, reading the tensors computed so
 * far; stores the result in `values` and returns it. Programs assign each tensor once, so a
 * second definition is a bug.
 */
export function evaluateEquation(
  equation: Equation,
  tensors: readonly TensorDecl[],
  values: TensorValues,
): TensorValue {
  const decl = tensors.find((candidate) => candidate.name === equation.tensor);
  invariant(decl !== undefined, `equation for undeclared tensor '${equation.tensor}'`);
  invariant(!values.has(equation.tensor), `tensor '${equation.tensor}' is defined twice`);
  const extents = equation.indices.map((index) => index.extent);
  invariant(
    extents.join(',') === decl.shape.join(','),
    `equation for '${equation.tensor}' ranges over [${extents.join(', ')}], its shape is [${decl.shape.join(', ')}]`,
  );

  const result = zeros(decl.shape);
  forEachPoint(equation.indices, new Map(), (point) => {
    const position = equation.indices.map((index) => indexValue(point, index.name));
    const value = evaluateExpr(equation.body, { tensors: values, indices: point });
    result.data[rowMajorOffset(position, decl.shape)] = value;
  });
  values.set(equation.tensor, result);
  return result;
}

/** Evaluates `equations` in order, each result shaped by its declaration in `tensors`. */
export function evaluateEquations(
  tensors: readonly TensorDecl[],
  equations: readonly Equation[],
  values: TensorValues,
): TensorValues {
  for (const equation of equations) evaluateEquation(equation, tensors, values);
  return values;
}
