import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors.js';

/** Where the command writes: the terminal, or buffers in tests. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Reads a UTF-8 file; a failure is one `FileError` line naming the file and the fix. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileError('E_READ', `cannot read '${file}': ${readReason(error)}`);
  }
}

/**
 * Writes `contents` to `file` so that readers see the old content or the new, never a part:
 * it goes to a temporary file in the same folder, which then replaces `file`.
 */
export function writeFileAtomic(file: string, contents: string | Uint8Array): void {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, contents, { flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FileError('E_WRITE', `cannot write '${file}': ${writeReason(error, file)}`);
  }
}

function readReason(error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return 'no such file; check the path';
    case 'EISDIR':
      return 'it is a folder; give the path of a graph JSON file';
    case 'EACCES':
    case 'EPERM':
      return "permission denied; check the file's permissions";
    default:
      return `${systemMessage(error)}; check the path`;
  }
}

function writeReason(error: unknown, file: string): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return `the folder '${dirname(file)}' does not exist; create it first`;
    case 'EISDIR':
      return 'it is a folder; give a file name';
    case 'EACCES':
    case 'EPERM':
      return "permission denied; check the folder's permissions";
    default:
      return `${systemMessage(error)}; check the path`;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function systemMessage(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
}
