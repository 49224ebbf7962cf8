import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root: the CLI runs there, so messages name files as a user there types them. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `symgrad` with `args` from the repository root. */
export function symgrad(...args: string[]): Run {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    ['packages/cli/dist/bin.js', ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { status, stdout, stderr };
}

/** A bad graph under test/fixtures, as a path from the repository root. */
export function fixture(name: string): string {
  return `packages/cli/test/fixtures/${name}`;
}

/**
 * The contract for bad input: a non-zero exit, nothing on stdout, and exactly one line on
 * stderr, `symgrad: ...`, holding every one of `parts` and no stack trace.
 */
export function expectOneLineError(run: Run, parts: readonly string[]): void {
  expect(run.status).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^symgrad: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const part of parts) expect(run.stderr).toContain(part);
}
