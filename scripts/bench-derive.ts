/**
 * Times parsing and deriving every example graph: 3 warm-up runs, then 10 timed runs each.
 * A benchmark to watch for regressions by eye, not a test: nothing here fails on a number.
 *
 * Run: pnpm bench:derive
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type DerivedProgram,
  deriveGraph,
  parseGraphText,
} from '../packages/compiler/src/index.ts';

const WARM_UP_RUNS = 3;
const TIMED_RUNS = 10;
const examples = new URL('../examples/', import.meta.url);

interface Row {
  readonly name: string;
  readonly equations: number;
  readonly adjoints: number;
  readonly times: readonly number[];
}

/** Parses and derives `file` once, returning the program and the milliseconds it took. */
function deriveOnce(file: string, text: string): { derived: DerivedProgram; ms: number } {
  const start = performance.now();
  const derived = deriveGraph(parseGraphText(text, file));
  return { derived, ms: performance.now() - start };
}

function measure(file: string): Row {
  const text = readFileSync(new URL(file, examples), 'utf8');
  let last = deriveOnce(file, text);
  for (let run = 1; run < WARM_UP_RUNS; run++) last = deriveOnce(file, text);

  const times: number[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) times.push(deriveOnce(file, text).ms);
  const { derived } = last;
  return {
    name: file.replace(/\.json$/, ''),
    equations: derived.forward.equations.length,
    adjoints: derived.backward.length,
    times,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** A Markdown table, columns padded to their widest cell, numbers right-aligned. */
function table(rows: readonly Row[]): string {
  const header = ['name', 'equations', 'adjoints', 'median ms', 'min-max ms'];
  const cells = rows.map((r) => [
    r.name,
    String(r.equations),
    String(r.adjoints),
    median(r.times).toFixed(1),
    `${Math.min(...r.times).toFixed(1)}-${Math.max(...r.times).toFixed(1)}`,
  ]);
  const widths = header.map((h, c) =>
    Math.max(h.length, ...cells.map((row) => row[c]?.length ?? 0)),
  );
  const pad = (cell: string, c: number) =>
    c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0);
  const line = (row: readonly string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => `-${'-'.repeat(w)}${c === 0 ? '-' : ':'}`).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

const files = readdirSync(examples)
  .filter((f) => f.endsWith('.json'))
  .sort();
console.log(
  `parse + deriveGraph, ${WARM_UP_RUNS} warm-up runs, then ${TIMED_RUNS} timed runs each`,
);
console.log(table(files.map(measure)));
