import * as build from '../program/build.js';
import type { Apply, Expr, ScalarFunction } from '../program/ir.js';

/**
 * The derivative of each scalar function with respect to its argument u, given the
 * application `f(u)` itself: rules that reuse `f(u)` let simplification recognise the
 * layer's own output, as in `sigmoid' = y * (1 - y)`.
 */
type ScalarRule = (u: Expr, fu: Apply) => Expr;

const alphaOf = (fu: Apply) => build.constant(fu.parameter ?? 0);

export const scalarRules: Readonly<Record<ScalarFunction, ScalarRule>> = {
  // sigmoid'(u) = sigmoid(u) * (1 - sigmoid(u))
  sigmoid: (_u, fu) => build.mul(fu, build.sub(build.ONE, fu)),
  // tanh'(u) = 1 - tanh(u)^2
  tanh: (_u, fu) => build.sub(build.ONE, build.apply('square', fu)),
  // relu'(u) = [u > 0], taking 0 at u = 0 as TensorFlow does
  relu: (u) => build.select(u, build.ONE, build.ZERO),
  // leakyRelu'(u) = 1 if u > 0 else alpha
  leakyRelu: (u, fu) => build.select(u, build.ONE, alphaOf(fu)),
  // elu'(u) = 1 if u > 0 else alpha * e^u, which is elu(u) + alpha there
  elu: (u, fu) => build.select(u, build.ONE, build.add(fu, alphaOf(fu))),
  // exp'(u) = exp(u)
  exp: (_u, fu) => fu,
  // log'(u) = 1 / u
  log: (u) => build.div(build.ONE, u),
  // (u^2)' = 2u
  square: (u) => build.mul(build.constant(2), u),
};

/** One line of maths per rule, for derivation traces. */
export const scalarRuleFormulas: Readonly<Record<ScalarFunction, string>> = {
  sigmoid: "sigmoid'(u) = sigmoid(u) * (1 - sigmoid(u))",
  tanh: "tanh'(u) = 1 - tanh(u)^2",
  relu: "relu'(u) = 1 if u > 0, else 0",
  leakyRelu: "leakyRelu'(u) = 1 if u > 0, else alpha",
  elu: "elu'(u) = 1 if u > 0, else elu(u) + alpha",
  exp: "exp'(u) = exp(u)",
  log: "log'(u) = 1 / u",
  square: "(u^2)' = 2u",
};
