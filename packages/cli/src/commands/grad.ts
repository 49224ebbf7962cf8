import { type Graph, parseGraphText } from '@symgrad/compiler';
import { CpuModel, loadWeights, type Tensor, type WeightTensors } from '@symgrad/runtime-cpu';
import { requestDevice, WebGpuModel } from '@symgrad/runtime-webgpu';
import type { Command } from 'commander';
import { type Output, readText, writeFileAtomic } from '../io.js';
import {
  type Backend,
  backendOption,
  checkThreadsBackend,
  readTensor,
  threadsOption,
} from './shared.js';

export interface GradOptions {
  readonly weights: string;
  readonly inputs: string;
  readonly targets: string;
  readonly backend: Backend;
  readonly out?: string;
  readonly threads: number;
}

/**
 * `symgrad grad <graph.json> --weights <w.json> --inputs <x.json> --targets <t.json>
 * [--backend cpu] [--out <g.json>]`.
 */
export function registerGrad(program: Command, output: Output): void {
  program
    .command('grad')
    .description('compute the loss and every weight gradient for one batch, before any update')
    .argument('<graph>', 'the layer graph, a JSON file')
    .requiredOption(
      '--weights <file>',
      'the weights: an object from weight name to tensor (required)',
    )
    .requiredOption(
      '--inputs <file>',
      'the batch of inputs, a tensor [batch, ...input shape] (required)',
    )
    .requiredOption('--targets <file>', 'the targets, a tensor [batch, ...output shape] (required)')
    .addOption(backendOption())
    .option('--out <file>', 'write the result to this file, atomically (default: standard output)')
    .addOption(threadsOption())
    .action((graph: string, options: GradOptions) => grad(graph, options, output));
}

/** Writes `{ "loss": number, "gradients": { "<weight>": tensor } }` for the batch. */
export async function grad(file: string, options: GradOptions, output: Output): Promise<void> {
  const graph = parseGraphText(readText(file), file);
  const batch: GradBatch = {
    inputs: readTensor(options.inputs),
    targets: readTensor(options.targets),
    weights: loadWeights(options.weights),
  };
  checkThreadsBackend(options.threads, options.backend);
  const maxBatch = batch.inputs.shape[0] ?? 1;
  const model = CpuModel.compile(graph, { maxBatch, file, threads: options.threads });
  let result: { loss: number; gradients: Record<string, Tensor> };
  try {
    result = await gradients(graph, model, batch, options);
  } finally {
    await model.dispose();
  }
  const text = `${JSON.stringify({ loss: result.loss, gradients: plain(result.gradients) })}\n`;
  if (options.out === undefined) output.stdout(text);
  else writeFileAtomic(options.out, text);
}

interface GradBatch {
  readonly inputs: Tensor;
  readonly targets: Tensor;
  readonly weights: WeightTensors;
}

/**
 * The CPU model checks the weights and the batch against the graph on either backend, with
 * messages that name the files; the WebGPU model then computes on the device.
 */
async function gradients(graph: Graph, model: CpuModel, batch: GradBatch, options: GradOptions) {
  const { inputs, targets, weights } = batch;
  const files = { inputs: options.inputs, targets: options.targets };
  model.setWeights(weights, options.weights);
  if (options.backend !== 'webgpu') return model.gradients(inputs, targets, files);
  const size = model.checkBatch(inputs, targets, files);
  return await webGpuGradients(graph, weights, inputs, targets, size);
}

async function webGpuGradients(
  graph: Graph,
  weights: WeightTensors,
  inputs: Tensor,
  targets: Tensor,
  batch: number,
) {
  const device = await requestDevice();
  const model = await WebGpuModel.compile(graph, device, { maxBatch: batch });
  try {
    await model.setWeights(weights);
    return await model.gradients(inputs.data, targets.data, batch);
  } finally {
    model.destroy();
    device.destroy();
  }
}

function plain(
  tensors: Record<string, Tensor>,
): Record<string, { shape: number[]; data: number[] }> {
  const entries = Object.entries(tensors).map(([name, t]) => [
    name,
    { shape: [...t.shape], data: Array.from(t.data) },
  ]);
  return Object.fromEntries(entries);
}
