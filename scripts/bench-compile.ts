/**
 * Compile time of one example in a fresh process: parse, derive, schedule and emit. The first
 * compile of a process is timed apart, cold (modules just loaded, nothing optimised yet): to
 * JavaScript, as the runtimes compile, then to TypeScript, which also loads ts-morph. Then
 * the medians after warm-up of each target: TypeScript (through ts-morph), JavaScript (the
 * plain writer) and WGSL.
 * Prints `{ "coldJavaScriptMs", "coldTypeScriptMs", "typeScriptMs": [...],
 * "javaScriptMs": [...], "wgslMs": [...] }`.
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

function medianRuns(compile: () => unknown): number[] {
  for (let warmUp = 0; warmUp < 2; warmUp++) compile();
  return Array.from({ length: runs }, () => timed(compile));
}

const coldJavaScriptMs = timed(() => compileJavaScript(parseGraphText(text, file)));
const coldTypeScriptMs = timed(() => compileTypeScript(parseGraphText(text, file)));
const typeScriptMs = medianRuns(() => compileTypeScript(parseGraphText(text, file)));
const javaScriptMs = medianRuns(() => compileJavaScript(parseGraphText(text, file)));
const wgslMs = medianRuns(() => compileWgsl(parseGraphText(text, file)));
process.stdout.write(
  `${JSON.stringify({ coldJavaScriptMs, coldTypeScriptMs, typeScriptMs, javaScriptMs, wgslMs })}\n`,
);
