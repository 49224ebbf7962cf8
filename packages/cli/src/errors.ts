import { SymgradError } from '@symgrad/compiler';
import { CommanderError } from 'commander';

/** Exit statuses: 1 for input symgrad cannot use, 2 for a command line it cannot parse. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command line that names an unknown format, command or option. */
export class UsageError extends SymgradError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** A file that cannot be read or written. */
export class FileError extends SymgradError {}

/** What to print for a failure, and the status to exit with. */
interface Report {
  readonly line: string;
  readonly exitCode: number;
}

/**
 * Prints one line for `error` on stderr, `symgrad: <message>`, and returns the exit status.
 * Errors the user can act on carry their own message; anything else is a bug in symgrad
 * and says so. `verbose` adds the stack trace after the line.
 */
export function reportError(error: unknown, verbose: boolean, stderr: (text: string) => void) {
  const { line, exitCode } = describeError(error, verbose);
  stderr(`symgrad: ${line}\n`);
  if (verbose && error instanceof Error && error.stack) stderr(`${error.stack}\n`);
  return exitCode;
}

function describeError(error: unknown, verbose: boolean): Report {
  if (error instanceof CommanderError) return { line: usageLine(error), exitCode: EXIT_USAGE };
  if (error instanceof UsageError) return { line: oneLine(error.message), exitCode: EXIT_USAGE };
  if (error instanceof SymgradError)
    return { line: oneLine(error.message), exitCode: EXIT_FAILURE };

  // An `InvariantError` already says it is internal; its prefix would say it twice.
  const message = error instanceof Error ? error.message : String(error);
  const reason = oneLine(message.replace(/^symgrad internal error: /, ''));
  const hint = verbose ? '' : ' (run with --verbose for the stack trace)';
  return { line: `internal error: ${reason}${hint}`, exitCode: EXIT_FAILURE };
}

/** Commander's `error: unknown option '--fromat'\n(Did you mean --format?)`, on one line. */
function usageLine(error: CommanderError): string {
  const message = oneLine(error.message.replace(/^error: /, '')).replace(/\.$/, '');
  return `${message}; see 'symgrad --help'`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
