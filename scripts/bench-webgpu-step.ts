/**
 * One WebGPU benchmark configuration in its own process: times training steps of one model on
 * one system at batch 64 and prints the times, and the adapter they ran on, as JSON.
 * `scripts/bench.ts` runs and compares them; it points the Vulkan loader at SwiftShader
 * (VK_ICD_FILENAMES) where no other driver is set, so the adapter is often a CPU.
 * Usage: tsx scripts/bench-webgpu-step.ts <graph.json> <symgrad-webgpu|tfjs-webgpu> <steps>
 *
 * Both systems read back the batch loss at the end of every step, after the weight update in
 * queue order, so a step's time includes its GPU work.
 */
import { readFileSync } from 'node:fs';
import type { Graph } from '../packages/compiler/src/index.js';
import { parseGraphText } from '../packages/compiler/src/index.js';
import { requestDevice, WebGpuModel } from '../packages/runtime-webgpu/src/index.js';
import { BATCH, batchData, tfjsModel, timeSteps } from './bench-shared.js';

const [file, system, stepsText] = process.argv.slice(2) as [string, string, string];
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const steps = Number(stepsText);

/** Dawn's WebGPU for Node, with the constants (GPUBufferUsage, ...) WebGPU code expects. */
async function nodeGpu(): Promise<GPU> {
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]);
}

/** The adapter as `vendor architecture (description)`, for the table's header. */
async function describeAdapter(gpu: GPU): Promise<string> {
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error('no WebGPU adapter: install chromium and libvulkan1');
  const { vendor, architecture, description } = adapter.info;
  const name = [vendor, architecture].filter((part) => part !== '').join(' ');
  return description === '' ? name : `${name} (${description})`;
}

async function symgradWebGpu(g: Graph, gpu: GPU): Promise<number[]> {
  const device = await requestDevice({ gpu });
  const model = await WebGpuModel.compile(g, device, { maxBatch: BATCH });
  // The weights of bench-step.ts's symgrad-cpu run: small, deterministic, no randomness.
  const weights = Object.fromEntries(
    model.weightSlots.map((slot) => {
      const data = Float32Array.from({ length: slot.size }, (_, k) => {
        return (((k * 7919) % 1000) / 1000 - 0.5) * 0.1;
      });
      return [slot.name, { shape: [...slot.shape], data }];
    }),
  );
  await model.setWeights(weights);
  const inputSize = g.inputShape.reduce((n, d) => n * d, 1);
  const data = batchData(inputSize, 10);
  const times = await timeSteps(() => model.trainStep(data.inputs, data.targets, BATCH), steps);
  model.destroy();
  device.destroy();
  return times;
}

/**
 * TensorFlow.js's WebGPU backend, on a model built as bench-step.ts builds it for the cpu and
 * wasm backends.
 */
async function tfjsWebGpu(g: Graph, gpu: GPU): Promise<number[]> {
  // The backend finds WebGPU at navigator.gpu, which Node 20 does not have.
  Object.assign(globalThis, { navigator: { gpu } });
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js found no WebGPU backend');
  await tf.ready();

  const model = tfjsModel(tf, g);
  const inputSize = g.inputShape.reduce((n, d) => n * d, 1);
  const data = batchData(inputSize, 10);
  const x = tf.tensor(data.inputs, [BATCH, ...g.inputShape]);
  const y = tf.tensor(data.targets, [BATCH, 10]);
  // trainOnBatch awaits the loss's data: the step's kernels, update included, have run.
  return timeSteps(() => model.trainOnBatch(x, y), steps);
}

async function run(): Promise<{ times: number[]; adapter: string }> {
  const gpu = await nodeGpu();
  const adapter = await describeAdapter(gpu);
  if (system === 'symgrad-webgpu') return { times: await symgradWebGpu(graph, gpu), adapter };
  if (system === 'tfjs-webgpu') return { times: await tfjsWebGpu(graph, gpu), adapter };
  throw new Error(`unknown system '${system}'`);
}

// Dawn keeps the process alive while it holds an instance: exit once the result is out.
run().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: Error) => {
    process.stdout.write(`${JSON.stringify({ error: error.message.split('\n')[0] })}\n`);
    process.exit(1);
  },
);
