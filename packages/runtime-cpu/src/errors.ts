import { SymgradError } from '@symgrad/compiler';

/** Weight values that do not fit the graph; one class shared with the compiler's check. */
export { WeightsError } from '@symgrad/compiler';

/**
 * Failures of the CPU runtime that a user can act on. Each family has a class and each
 * instance a stable code; messages are one line naming the file, weight or tensor at fault
 * and what to change.
 */

/** Inputs or targets that do not fit the graph's input or output shape. */
export class DataError extends SymgradError {}

/** A checkpoint that cannot be read, or that belongs to another graph. */
export class CheckpointError extends SymgradError {}

/** A generated module that is not one symgrad emitted, or not for the graph given with it. */
export class ModuleError extends SymgradError {}

/** Training options that cannot work, such as a batch size of 0. */
export class TrainingError extends SymgradError {}

/** Where a NaN or an infinity first appeared, found by re-running the kernels one by one. */
export interface NonFiniteFinding {
  /** The tensor, by its name in the derivation: `conv1/preActivation`, `grad(out/kernel)`. */
  readonly tensor: string;
  readonly layer?: string;
  /** The buffer's role in the generated module: weight, input, activation, adjoint, ... */
  readonly role: string;
  readonly value: 'NaN' | 'Infinity' | '-Infinity';
  /** For a per-example tensor, the example of the batch that holds the value first. */
  readonly example?: number;
}

/** Training or a gradient computation produced a NaN or an infinity. */
export class NonFiniteError extends SymgradError {
  readonly finding: NonFiniteFinding | undefined;

  constructor(message: string, finding?: NonFiniteFinding) {
    super('E_NON_FINITE', message);
    this.finding = finding;
  }
}
