import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerDerive } from './commands/derive.js';
import { registerEmit } from './commands/emit.js';
import { registerExport } from './commands/export.js';
import { registerGrad } from './commands/grad.js';
import { registerImport } from './commands/import.js';
import { registerTrain } from './commands/train.js';
import { reportError } from './errors.js';
import { type Output, processOutput } from './io.js';

/** The CLI's version, from its package.json (one folder up from both `src` and `dist`). */
export function cliVersion(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version: string };
  return manifest.version;
}

/** The `symgrad` command with every subcommand; it throws instead of exiting. */
export function createProgram(output: Output = processOutput): Command {
  const program = new Command('symgrad')
    .description('Symbolic-gradient compiler: derives every gradient of a layer graph.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces with errors', false)
    .helpOption('-h, --help', 'show help')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: output.stdout,
      writeErr: output.stderr,
      // Errors are reported by `reportError`, on one line.
      outputError: () => {},
    })
    .showSuggestionAfterError(true)
    .exitOverride();
  registerDerive(program, output);
  registerEmit(program, output);
  registerGrad(program, output);
  registerTrain(program, output);
  registerImport(program, output);
  registerExport(program, output);
  return program;
}

/** Codes commander uses for help and version output, which end the run without an error. */
const INFORMATION = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Runs the command line `argv` (as in `process.argv`) and returns the exit status. Every
 * failure becomes one line on stderr; `--verbose` adds the stack trace.
 *
 * @example process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], output = processOutput): Promise<number> {
  try {
    await createProgram(output).parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError && INFORMATION.has(error.code)) return error.exitCode;
    return reportError(error, argv.includes('--verbose'), output.stderr);
  }
}
