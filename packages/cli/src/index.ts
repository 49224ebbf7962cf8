export { type DeriveOptions, derive } from './commands/derive.js';
export { EXIT_FAILURE, EXIT_USAGE, FileError, reportError, UsageError } from './errors.js';
export { type Output, processOutput, readText, writeFileAtomic } from './io.js';
export { cliVersion, createProgram, main } from './program.js';
