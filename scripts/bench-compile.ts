/**
 * Compile time of one example in a fresh process: parse, derive, schedule and emit, to
 * TypeScript (through ts-morph), to JavaScript (the plain writer the runtimes use) and to
 * WGSL. The first TypeScript compile also pays for loading ts-morph, so it is reported apart;
 * the rest are medians after warm-up.
 * Prints `{ "firstMs", "typeScriptMs": [...], "javaScriptMs": [...], "wgslMs": [...] }`.
 * Usage: tsx scripts/bench-compile.ts <graph.json> <runs>
 */
import { readFileSync } from 'node:fs';
import {
  compileJavaScript,
  compileTypeScript,
  compileWgsl,
  parseGraphText,
} from '../packages/compiler/src/index.js';

const [file, runsText] = process.argv.slice(2) as [string, string];
const text = readFileSync(file, 'utf8');
const runs = Number(runsText);

function timed(compile: () => unknown): number {
  const start = performance.now();
  compile();
  return performance.now() - start;
}

const firstMs = timed(() => compileTypeScript(parseGraphText(text, file)));
for (let warmUp = 0; warmUp < 2; warmUp++) compileTypeScript(parseGraphText(text, file));
const typeScriptMs = Array.from({ length: runs }, () =>
  timed(() => compileTypeScript(parseGraphText(text, file))),
);
const javaScriptMs = Array.from({ length: runs }, () =>
  timed(() => compileJavaScript(parseGraphText(text, file))),
);
const wgslMs = Array.from({ length: runs }, () =>
  timed(() => compileWgsl(parseGraphText(text, file))),
);
process.stdout.write(`${JSON.stringify({ firstMs, typeScriptMs, javaScriptMs, wgslMs })}\n`);
