// Run by parallel-exit.test.ts in a process of its own: trains a step on 2 threads, then
// disposes of the model (or, with `drop`, forgets it) and lets the process end by itself.
import { readFileSync } from 'node:fs';
import { parseGraphText } from '@symgrad/compiler';
import { CpuModel } from '../src/index.js';

const file = new URL('../../../examples/mlp.json', import.meta.url);
const graph = parseGraphText(readFileSync(file, 'utf8'), 'mlp.json');
const model = CpuModel.compile(graph, { maxBatch: 8, threads: 2 });
model.initialize(1);
const targets = new Float32Array(8 * 10).map((_, k) => (k % 11 === 0 ? 1 : 0));
const loss = model.trainStep(new Float32Array(8 * 784).fill(0.5), targets, 8);
if (process.argv[2] !== 'drop') await model.dispose();
process.stdout.write(`${JSON.stringify({ loss, threads: model.threads })}\n`);
