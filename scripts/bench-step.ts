/**
 * One benchmark configuration in its own process: times training steps of one model on one
 * system at batch 64 and prints the times as JSON. `scripts/bench.ts` runs and compares them.
 * Usage: tsx scripts/bench-step.ts <graph.json> <system> <steps>, the system one of
 * symgrad-cpu, symgrad-cpu-2threads, tfjs-cpu, tfjs-wasm.
 */
import { readFileSync } from 'node:fs';
import { type Graph, parseGraphText } from '../packages/compiler/src/index.js';
import { BATCH, batchData, tfjsModel, timeSteps } from './bench-shared.js';

const [file, system, stepsText] = process.argv.slice(2) as [string, string, string];
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const steps = Number(stepsText);

/**
 * symgrad's CPU runtime as users run it (`CpuModel`, from the packages' build), on one thread
 * or splitting each batch across `threads`; the step includes its NaN and infinity checks.
 */
async function symgradCpu(g: Graph, threads: number): Promise<number[]> {
  const { CpuModel } = await import('../packages/runtime-cpu/dist/index.js');
  const model = CpuModel.compile(g, { threads, maxBatch: BATCH });
  model.initialize(1);
  const inputSize = g.inputShape.reduce((n, d) => n * d, 1);
  const data = batchData(inputSize, 10);
  model.loadExamples({ ...data, size: BATCH }, null, 0, BATCH);
  let step = 0;
  const times = await timeSteps(
    () => model.step(BATCH, g.optimizer.learningRate, { step: ++step }),
    steps,
  );
  await model.dispose();
  return times;
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
  return timeSteps(() => model.trainOnBatch(x, y), steps);
}

async function run(): Promise<number[]> {
  if (system === 'symgrad-cpu') return symgradCpu(graph, 1);
  if (system === 'symgrad-cpu-2threads') return symgradCpu(graph, 2);
  if (system === 'tfjs-cpu') return tfjs(graph, 'cpu');
  if (system === 'tfjs-wasm') return tfjs(graph, 'wasm');
  throw new Error(`unknown system '${system}'`);
}

run().then(
  (times) => process.stdout.write(`${JSON.stringify({ times })}\n`),
  (error: Error) =>
    process.stdout.write(`${JSON.stringify({ error: error.message.split('\n')[0] })}\n`),
);
