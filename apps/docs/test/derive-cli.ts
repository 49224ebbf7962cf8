/**
 * `symgrad derive` run as a user runs it, from the CLI's build: the one source of truth the
 * pages' derivations are checked against.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DerivationDocument } from '@symgrad/compiler';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Graphs that only a page shows, written out for the CLI to read. */
const SCRATCH = mkdtempSync(join(tmpdir(), 'symgrad-docs-'));

/** `symgrad derive <file> --format <format>`, run as a user runs it. */
function deriveFileWithCli(file: string, format: 'json' | 'latex'): string {
  const bin = `${ROOT}packages/cli/dist/bin.js`;
  return execFileSync('node', [bin, 'derive', file, '--format', format], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

export function deriveWithCli(example: string, format: 'json' | 'latex'): string {
  return deriveFileWithCli(`${ROOT}examples/${example}.json`, format);
}

/** The document `symgrad derive --format json` prints for an example, `paper-dense.json`. */
export function deriveExampleWithCli(file: string): DerivationDocument {
  return JSON.parse(deriveWithCli(file.replace(/\.json$/, ''), 'json')) as DerivationDocument;
}

/** The document `symgrad derive --format json` prints for a graph given as JSON text. */
export function deriveTextWithCli(name: string, graph: string): DerivationDocument {
  const file = join(SCRATCH, `${name}.json`);
  writeFileSync(file, graph);
  return JSON.parse(deriveFileWithCli(file, 'json')) as DerivationDocument;
}

/** Removes the graphs written for the CLI. */
export function removeScratch(): void {
  rmSync(SCRATCH, { recursive: true, force: true });
}
