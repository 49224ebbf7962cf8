import { DeriveError, invariant } from '../errors.js';
import { indexAffine } from '../program/affine.js';
import * as build from '../program/build.js';
import type { Access, Equation, Expr, IndexVar, Program, TensorDecl } from '../program/ir.js';
import { mapChildren, readsTensor, substitute, walk } from '../program/traverse.js';
import { tidyIndices } from './closed-form.js';
import { differentiationPasses, hasDerivative, runPass } from './differentiate.js';
import { simplifyAdjoint } from './pipeline.js';
import type { Derivation, DerivedProgram, Step } from './types.js';

export interface DeriveOptions {
  /** Also derive the gradient with respect to the network's input. Default true. */
  readonly inputGradient?: boolean;
  /** The gradient-descent learning rate, shown in each weight's update. */
  readonly learningRate?: number;
}

/**
 * Reverse-mode differentiation of a tensor program, equation by equation. For every tensor T
 * between the weights and the loss, going backwards:
 *
 *   dL/dT[p'] = sum over equations U[I] = f(...) that read T:  sum_I dL/dU[I] * df/dT[p']
 *
 * then `df/dT[p']` is worked out by the rules of differentiation, its Kronecker deltas are
 * eliminated and the result is simplified. Every step is recorded. Adjoints of helper tensors
 * (the loss's error, softmax's parts) are substituted into the adjoints that use them, so that
 * only layers' deltas, outputs' gradients and weights' gradients are computed.
 */
export function deriveProgram(program: Program, options: DeriveOptions = {}): DerivedProgram {
  const context = new DeriveContext(program, options);
  for (const tensor of context.order()) context.deriveAdjoint(tensor);
  return context.finish();
}

/** The name of the tensor holding `dL/d<tensor>`. */
export function adjointName(tensor: string): string {
  return `grad(${tensor})`;
}

class DeriveContext {
  readonly decls: Map<string, TensorDecl>;
  readonly definitions: Map<string, Equation>;
  readonly active: Set<string>;
  readonly results = new Map<string, Expr>();
  readonly adjointDecls: TensorDecl[] = [];
  readonly backward: Equation[] = [];
  readonly derivations: Derivation[] = [];

  constructor(
    readonly program: Program,
    readonly options: DeriveOptions,
  ) {
    this.decls = new Map(program.tensors.map((t) => [t.name, t]));
    this.definitions = new Map(program.equations.map((e) => [e.tensor, e]));
    this.active = activeTensors(program, options.inputGradient ?? true);
  }

  /** Tensors in an order where every user of a tensor comes before the tensor itself. */
  order(): string[] {
    const defined = [...this.program.equations].reverse().map((e) => e.tensor);
    const leaves = this.program.tensors
      .filter((t) => !this.definitions.has(t.name))
      .map((t) => t.name);
    return [...defined, ...leaves].filter((t) => this.active.has(t) && t !== this.program.loss);
  }

  /** Equations that read `tensor` and pass gradient back to it. */
  users(tensor: string): Equation[] {
    return this.program.equations.filter(
      (e) =>
        readsTensor(e.body, tensor) &&
        (this.active.has(e.tensor) || e.tensor === this.program.loss),
    );
  }

  isInlined(tensor: string): boolean {
    const role = this.decls.get(tensor)?.role;
    return role === 'intermediate' || role === 'loss';
  }

  deriveAdjoint(tensor: string): void {
    const decl = this.decls.get(tensor);
    invariant(decl !== undefined, `no declaration for '${tensor}'`);
    const indices = decl.shape.map((extent, axis) => ({
      name: `${decl.indexNames[axis]}'`,
      extent,
    }));
    const lhs = build.access(
      tensor,
      indices.map((v) => indexAffine(v.name)),
    );
    const steps: Step[] = [];

    let expr = this.chainRule(lhs, steps);
    expr = this.differentiate(expr, steps);
    expr = simplifyAdjoint(expr, this, indices, steps);

    this.record(decl, indices, steps, expr);
  }

  /** `dL/dT[p'] = sum_U sum_I dL/dU[I] * dU[I]/dT[p']`, then the known adjoints and definitions. */
  chainRule(lhs: Access, steps: Step[]): Expr {
    const loss = build.access(this.program.loss, []);
    const before = build.derivative(loss, lhs);
    const uses = this.users(lhs.tensor);
    const chain = (
      outer: (u: Equation, at: Access) => Expr,
      inner: (u: Equation, at: Access) => Expr,
    ) =>
      build.add(
        ...uses.map((u) => {
          const at = build.access(
            u.tensor,
            u.indices.map((v) => indexAffine(v.name)),
          );
          return build.sum(u.indices, build.mul(outer(u, at), inner(u, at)));
        }),
      );

    const partial = (_u: Equation, at: Access) => build.derivative(at, lhs);
    const known = (u: Equation, at: Access) => this.adjointOf(u, at);
    const defined = chain(known, (u) => build.derivative(u.body, lhs));
    if (uses.every((u) => u.tensor === this.program.loss)) {
      steps.push({
        rule: 'substitute',
        description: 'substitute the definition of the loss',
        before,
        after: defined,
      });
      return defined;
    }

    // Deltas are named in a step of their own, as on paper: first dL/dx^l, then delta^l.
    const isDelta = (u: Equation) => this.decls.get(u.tensor)?.role === 'preActivation';
    const lossPartial = (u: Equation, at: Access) =>
      isDelta(u) ? build.derivative(loss, at) : known(u, at);
    const chained = chain(lossPartial, partial);
    steps.push({
      rule: 'chainRule',
      description: chainDescription(uses.length),
      before,
      after: chained,
    });
    const named = chain(known, partial);
    if (uses.some(isDelta)) {
      steps.push({
        rule: 'deltaDefinition',
        description: deltaDescription(),
        before: chained,
        after: named,
      });
    }
    steps.push({
      rule: 'substitute',
      description: 'substitute the forward equation of each of them',
      before: named,
      after: defined,
    });
    return defined;
  }

  /** `dL/dU[I]`: 1 for the loss itself, else the adjoint tensor derived before. */
  adjointOf(u: Equation, at: Access): Expr {
    if (u.tensor === this.program.loss) return build.ONE;
    return build.access(adjointName(u.tensor), at.indices);
  }

  /** Runs the rules of differentiation until no derivative is left. */
  differentiate(start: Expr, steps: Step[]): Expr {
    let expr = start;
    for (let round = 0; hasDerivative(expr); round++) {
      if (round > 50)
        throw new DeriveError('E_DERIVE_STUCK', `cannot differentiate ${describeStuck(expr)}`);
      for (const pass of differentiationPasses) {
        const result = runPass(expr, pass);
        if (result === undefined) continue;
        steps.push({
          rule: result.rule,
          description: result.description,
          before: expr,
          after: result.after,
        });
        expr = result.after;
      }
    }
    return expr;
  }

  record(decl: TensorDecl, indices: IndexVar[], steps: Step[], result: Expr): void {
    const adjoint = adjointName(decl.name);
    this.results.set(adjoint, result);
    const closed = decl.role === 'weight' ? tidyIndices(result, this, indices, steps) : undefined;
    const update =
      decl.role === 'weight' ? { learningRate: this.options.learningRate ?? 0.01 } : undefined;
    this.derivations.push({
      adjoint,
      of: decl.name,
      indices,
      steps,
      result,
      ...(closed ? { closedForm: closed } : {}),
      ...(update ? { update } : {}),
    });
    if (this.isInlined(decl.name)) return;
    this.adjointDecls.push({
      name: adjoint,
      shape: decl.shape,
      role: 'adjoint',
      indexNames: indices.map((v) => v.name),
      notation: decl.notation,
      gradientOf: decl.name,
      ...(decl.layer ? { layer: decl.layer } : {}),
    });
    const comment = `gradient of the loss with respect to ${decl.name}`;
    this.backward.push({
      tensor: adjoint,
      indices,
      body: result,
      comment,
      ...(decl.layer ? { layer: decl.layer } : {}),
    });
  }

  /** Replaces accesses to inlined adjoints by their derived expressions. */
  inlineAdjoints(expr: Expr): Expr {
    const visit = (node: Expr): Expr => {
      if (node.kind === 'access' && this.isInlinedAdjoint(node.tensor)) {
        const result = this.results.get(node.tensor) as Expr;
        const derivation = this.derivations.find((d) => d.adjoint === node.tensor) as Derivation;
        const bindings = new Map(
          derivation.indices.map((v, k) => [v.name, node.indices[k] ?? indexAffine(v.name)]),
        );
        return substitute(result, bindings);
      }
      return mapChildren(node, visit);
    };
    return visit(expr);
  }

  isInlinedAdjoint(name: string): boolean {
    const derivation = this.derivations.find((d) => d.adjoint === name);
    return derivation !== undefined && this.isInlined(derivation.of);
  }

  finish(): DerivedProgram {
    const weights = this.program.tensors.filter(
      (t) => t.role === 'weight' && this.active.has(t.name),
    );
    const input = this.program.input;
    const wantsInput = (this.options.inputGradient ?? true) && this.active.has(input);
    return {
      forward: this.program,
      tensors: [...this.program.tensors, ...this.adjointDecls],
      backward: this.backward,
      weightGradients: weights.map((w) => ({ weight: w.name, gradient: adjointName(w.name) })),
      ...(wantsInput ? { inputGradient: adjointName(input) } : {}),
      derivations: this.derivations,
    };
  }
}

/**
 * Tensors that need an adjoint: those on a path from a weight (or the input) to the loss.
 * Detached tensors, such as softmax's shift, pass no gradient.
 */
function activeTensors(program: Program, withInput: boolean): Set<string> {
  const detached = new Set(program.tensors.filter((t) => t.detached).map((t) => t.name));
  const fromSources = new Set(
    program.tensors.filter((t) => t.role === 'weight').map((t) => t.name),
  );
  if (withInput) fromSources.add(program.input);
  for (const e of program.equations) {
    if (detached.has(e.tensor)) continue;
    if ([...fromSources].some((s) => readsTensor(e.body, s))) fromSources.add(e.tensor);
  }
  const toLoss = new Set([program.loss]);
  for (const e of [...program.equations].reverse()) {
    if (!toLoss.has(e.tensor) || detached.has(e.tensor)) continue;
    for (const node of walk(e.body)) if (node.kind === 'access') toLoss.add(node.tensor);
  }
  return new Set([...fromSources].filter((t) => toLoss.has(t) && !detached.has(t)));
}

function chainDescription(users: number): string {
  const which =
    users === 1 ? 'the one equation that reads it' : `the ${users} equations that read it`;
  return `chain rule: the loss depends on this tensor only through ${which}, summed over their indices`;
}

function deltaDescription(): string {
  return 'the gradient of the loss with respect to the pre-activation x^l of layer l is its delta, delta^l = dL/dx^l, derived in an earlier step';
}

function describeStuck(expr: Expr): string {
  for (const node of walk(expr))
    if (node.kind === 'derivative') return `an expression of kind '${node.of.kind}'`;
  return 'an expression';
}
