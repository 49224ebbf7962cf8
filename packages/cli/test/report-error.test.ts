import { GraphError, InvariantError } from '@symgrad/compiler';
import { describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../src/errors.js';

/** Runs `reportError` and returns its exit status and what it wrote to stderr. */
function report(error: unknown, verbose = false): { status: number; stderr: string } {
  let stderr = '';
  const status = reportError(error, verbose, (text) => {
    stderr += text;
  });
  return { status, stderr };
}

describe('reportError', () => {
  it("prints a user error's message on one line and exits 1", () => {
    const error = new GraphError('E_SHAPE', 'net.json: layers[2]: bad shape; add a flatten');
    expect(report(error)).toEqual({
      status: 1,
      stderr: 'symgrad: net.json: layers[2]: bad shape; add a flatten\n',
    });
  });

  it('exits 2 for usage errors', () => {
    expect(report(new UsageError("--format 'x' is unknown; use text")).status).toBe(2);
  });

  it('calls anything else an internal error, on one line, and offers --verbose', () => {
    expect(report(new TypeError('cannot read properties of undefined\n  (reading "x")'))).toEqual({
      status: 1,
      stderr:
        'symgrad: internal error: cannot read properties of undefined (reading "x") (run with --verbose for the stack trace)\n',
    });
    expect(report(new InvariantError('affine with a zero divisor')).stderr).toBe(
      'symgrad: internal error: affine with a zero divisor (run with --verbose for the stack trace)\n',
    );
  });

  it('adds the stack trace under the line with --verbose', () => {
    const { stderr } = report(new Error('boom'), true);
    const [first, ...stack] = stderr.split('\n');
    expect(first).toBe('symgrad: internal error: boom');
    expect(stack.join('\n')).toMatch(/^\s+at /m);
  });
});
