import { readFileSync, writeFileSync } from 'node:fs';
import { deriveProgram } from '../packages/compiler/src/derive/reverse.ts';
import { emitTypeScript, transpileTypeScript } from '../packages/compiler/src/emit/ts/module.ts';
import {
  deriveGraph,
  interpretGradients,
  parseGraphText,
  weightSpecs,
} from '../packages/compiler/src/index.ts';
import { lowerGraph } from '../packages/compiler/src/program/lower.ts';
import { schedule } from '../packages/compiler/src/schedule/kernels.ts';

const file = process.argv[2]!;
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const derived = deriveProgram(lowerGraph(graph), { inputGradient: false });
const t0 = performance.now();
const plan = schedule(derived);
const mod = emitTypeScript(plan);
const t1 = performance.now();
writeFileSync('/tmp/emitted.ts', mod.source);
const js = transpileTypeScript(mod.source);
const exports: any = {};
new Function('exports', js)(exports);
console.log('emit ms', (t1 - t0).toFixed(0), 'lines', mod.source.split('\n').length);
const batch = 3;
const state = exports.createState(batch);
let seed = 1;
const rnd = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const weights: Record<string, number[]> = {};
for (const w of exports.model.weights) {
  const a = state[w.buffer];
  for (let k = 0; k < a.length; k++) a[k] = rnd();
  weights[w.name] = Array.from(a);
}
const inputSize = exports.model.buffers.find((b: any) => b.name === exports.model.input).size;
const targetSize = exports.model.buffers.find((b: any) => b.name === exports.model.target).size;
const inputs: number[][] = [];
const targets: number[][] = [];
for (let b = 0; b < batch; b++) {
  const x = Array.from({ length: inputSize }, rnd);
  inputs.push(x);
  const t = new Array(targetSize).fill(0);
  t[b % targetSize] = 1;
  targets.push(t);
  state[exports.model.input].set(x, b * inputSize);
  state[exports.model.target].set(t, b * targetSize);
}
const loss = exports.forward(state, batch);
exports.backward(state, batch);
const oracle = interpretGradients(derived, weights, inputs, targets);
let worst = 0;
for (const w of exports.model.weights) {
  const g = state[w.gradient];
  const o = oracle.gradients[w.name]!;
  for (let k = 0; k < g.length; k++)
    worst = Math.max(worst, Math.abs(g[k] - o[k]) / (Math.abs(o[k]) + 1e-3));
}
console.log('loss', loss, oracle.loss, 'worst rel err', worst);
