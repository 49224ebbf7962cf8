/**
 * One benchmark configuration in its own process: times training steps of one model on one
 * system at batch 64 and prints the times as JSON. `scripts/bench.ts` runs and compares them.
 * Usage: tsx scripts/bench-step.ts <graph.json> <symgrad-cpu|tfjs-cpu|tfjs-wasm> <steps>
 */
import { readFileSync } from 'node:fs';
import {
  compileTypeScript,
  type Graph,
  instantiateTypeScript,
  parseGraphText,
} from '../packages/compiler/src/index.js';
import { BATCH, batchData, tfjsModel, WARM_UP } from './bench-shared.js';

const [file, system, stepsText] = process.argv.slice(2) as [string, string, string];
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const steps = Number(stepsText);

function time(step: () => void): number[] {
  for (let k = 0; k < WARM_UP; k++) step();
  return Array.from({ length: steps }, () => {
    const start = performance.now();
    step();
    return performance.now() - start;
  });
}

function symgradCpu(g: Graph): number[] {
  const generated = instantiateTypeScript(compileTypeScript(g).module.source);
  const state = generated.createState(BATCH);
  const input = state[generated.model.input] as Float32Array;
  const target = state[generated.model.target] as Float32Array;
  const data = batchData(input.length / BATCH, target.length / BATCH);
  input.set(data.inputs);
  target.set(data.targets);
  for (const w of generated.model.weights) {
    const buffer = state[w.buffer] as Float32Array;
    for (let k = 0; k < buffer.length; k++) buffer[k] = ((k * 7919) % 1000) / 1000 - 0.5;
    buffer.forEach((v, k) => {
      buffer[k] = v * 0.1;
    });
  }
  return time(() => generated.trainStep(state, BATCH, g.optimizer.learningRate));
}

async function tfjs(g: Graph, backend: string): Promise<number[]> {
  const tf = await import('@tensorflow/tfjs');
  // IS_TEST silences the cpu backend's "install tfjs-node" banner; the wasm backend would read
  // it as a request to check for leaks, which its own fused kernels fail.
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else tf.env().set('IS_TEST', true);
  await tf.setBackend(backend);
  await tf.ready();
  const model = tfjsModel(tf, g);
  const inputSize = g.inputShape.reduce((n, d) => n * d, 1);
  const data = batchData(inputSize, 10);
  const x = tf.tensor(data.inputs, [BATCH, ...g.inputShape]);
  const y = tf.tensor(data.targets, [BATCH, 10]);
  const times: number[] = [];
  for (let k = 0; k < WARM_UP + steps; k++) {
    const start = performance.now();
    await model.trainOnBatch(x, y);
    if (k >= WARM_UP) times.push(performance.now() - start);
  }
  return times;
}

async function run(): Promise<number[]> {
  if (system === 'symgrad-cpu') return symgradCpu(graph);
  if (system === 'tfjs-cpu') return tfjs(graph, 'cpu');
  if (system === 'tfjs-wasm') return tfjs(graph, 'wasm');
  throw new Error(`unknown system '${system}'`);
}

run().then(
  (times) => process.stdout.write(`${JSON.stringify({ times })}\n`),
  (error: Error) =>
    process.stdout.write(`${JSON.stringify({ error: error.message.split('\n')[0] })}\n`),
);
