/**
 * Thread scaling measured in pairs: one process holds a one-thread and a two-thread CpuModel of
 * the same graph and alternates short blocks of their training steps, so that whatever slows
 * the machine for a few seconds (a busy neighbour on a shared host, a change of clock) slows
 * both alike. Blocks rather than single steps, because training runs steps back to back: a
 * worker thread left idle for a whole one-thread step between its slices wakes on a core the
 * host may have handed elsewhere, which no training loop does (its worker idles only through
 * the update). The first step of each block is not counted, and whole blocks run until each
 * model has at least `steps` counted steps. Prints
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

/** Steps per block, the first of them not counted. */
const BLOCK = 4;

/**
 * A block of steps of each model, the one that goes first changing from pair to pair so that
 * neither always meets the caches the other left; `times` gets each counted step's time.
 */
let step = 0;
let pairs = 0;
function pairOfBlocks(times?: [number[], number[]]): void {
  pairs += 1;
  const order = pairs % 2 === 0 ? [0, 1] : [1, 0];
  for (const index of order) {
    for (let k = 0; k < BLOCK; k += 1) {
      step += 1;
      const began = performance.now();
      models[index]?.step(BATCH, graph.optimizer.learningRate, { step });
      if (k > 0) times?.[index as 0 | 1].push(performance.now() - began);
    }
  }
}

await timeSteps(() => pairOfBlocks(), 0);
const times: [number[], number[]] = [[], []];
while (times[0].length < steps) pairOfBlocks(times);
for (const model of models) await model.dispose();
process.stdout.write(`${JSON.stringify({ oneThread: times[0], twoThreads: times[1] })}\n`);
