/**
 * Thread scaling measured in pairs: one process holds a one-thread and a two-thread CpuModel of
 * the same graph and alternates their training steps, so that whatever slows the machine for a
 * few seconds (a busy neighbour on a shared host, a change of clock) slows both alike. Prints
 * `{ "oneThread": [...], "twoThreads": [...] }`, step times in ms, as the other bench processes
 * print theirs; `scripts/bench.ts` reports the ratio of their medians beside the ratio of the
 * separate processes.
 * Usage: tsx scripts/bench-threads.ts <graph.json> <steps>
 */
import { readFileSync } from 'node:fs';
import { parseGraphText } from '../packages/compiler/src/index.js';
import { BATCH, batchData, timeSteps } from './bench-shared.js';

const [file, stepsText] = process.argv.slice(2) as [string, string];
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const steps = Number(stepsText);

const { CpuModel } = await import('../packages/runtime-cpu/dist/index.js');
const inputSize = graph.inputShape.reduce((n, d) => n * d, 1);
const data = batchData(inputSize, 10);
const models = [1, 2].map((threads) => {
  const model = CpuModel.compile(graph, { threads, maxBatch: BATCH });
  model.initialize(1);
  model.loadExamples({ ...data, size: BATCH }, null, 0, BATCH);
  return model;
});

/**
 * A step of each model, the one that goes first changing from pair to pair so that neither
 * always meets the caches the other left; `times` gets each one's time when given.
 */
let step = 0;
function pairOfSteps(times?: [number[], number[]]): void {
  step += 1;
  const order = step % 2 === 0 ? [0, 1] : [1, 0];
  for (const index of order) {
    const began = performance.now();
    models[index]?.step(BATCH, graph.optimizer.learningRate, { step });
    times?.[index as 0 | 1].push(performance.now() - began);
  }
}

await timeSteps(() => pairOfSteps(), 0);
const times: [number[], number[]] = [[], []];
for (let pair = 0; pair < steps; pair += 1) pairOfSteps(times);
for (const model of models) await model.dispose();
process.stdout.write(`${JSON.stringify({ oneThread: times[0], twoThreads: times[1] })}\n`);
