/**
 * Errors a user can act on. Each family has its own class and every instance carries a
 * stable code, so that tools and tests can tell failures apart without parsing messages.
 * Messages are one line: they name the file, JSON path or layer at fault and what to change.
 */
export class SymgradError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A layer graph that cannot be compiled: bad JSON, unknown fields, shapes that do not chain. */
export class GraphError extends SymgradError {}

/** An einsum equation that cannot be parsed or whose indices cannot be bound. */
export class EquationError extends SymgradError {}

/** Weight values that do not fit a graph: missing, unknown, misshapen, not finite. */
export class WeightsError extends SymgradError {}

/** A derivation the engine cannot carry out, such as an index relation it cannot invert. */
export class DeriveError extends SymgradError {}

/** A failure in symgrad itself, never the user's fault: it reports a bug. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`symgrad internal error: ${message}`);
    this.name = 'InvariantError';
  }
}

/** Asserts something symgrad's own code guarantees; a failure is a bug in symgrad. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
