/**
 * The script of the browser test's page, bundled for the browser: it compiles a layer graph on
 * the page's own WebGPU device (`navigator.gpu`) and runs one training step, through the same
 * package code that Node runs. The test drives it through `globalThis.symgradPage`.
 */
import { parseGraphText } from '@symgrad/compiler';
import { requestDevice, WebGpuModel } from '../../src/index.js';

/** A tensor as it crosses into the page: plain numbers, which any serializer passes. */
export interface PlainTensor {
  readonly shape: number[];
  readonly data: number[];
}

export interface StepRequest {
  /** The graph's JSON, parsed in the page as a user's file would be. */
  readonly graphText: string;
  readonly fileName: string;
  readonly weights: Record<string, PlainTensor>;
  readonly inputs: number[];
  readonly targets: number[];
  readonly batch: number;
  readonly learningRate: number;
}

export interface StepResult {
  /** The adapter the page ran on, as `vendor architecture (description)`. */
  readonly adapter: string;
  /** The mean loss and the gradients that `gradients` reported, before any update. */
  readonly loss: number;
  readonly gradients: Record<string, number[]>;
  /** The loss that `trainStep` reported, and every weight after that step. */
  readonly stepLoss: number;
  readonly weightsAfter: Record<string, number[]>;
}

export interface PageApi {
  /** The adapter `navigator.gpu` offers, or why there is none. */
  adapter(): Promise<{ found: true; description: string } | { found: false; reason: string }>;
  trainingStep(request: StepRequest): Promise<StepResult>;
}

function describeAdapter(info: GPUAdapterInfo): string {
  const name = [info.vendor, info.architecture].filter((part) => part !== '').join(' ');
  return info.description === '' ? name : `${name} (${info.description})`;
}

async function adapter(): ReturnType<PageApi['adapter']> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) return { found: false, reason: 'the page has no navigator.gpu' };
  const found = await gpu.requestAdapter();
  if (found === null) return { found: false, reason: 'navigator.gpu.requestAdapter() gave null' };
  return { found: true, description: describeAdapter(found.info) };
}

async function trainingStep(request: StepRequest): Promise<StepResult> {
  const graph = parseGraphText(request.graphText, request.fileName);
  const device = await requestDevice();
  const model = await WebGpuModel.compile(graph, device, { maxBatch: request.batch });
  const inputs = Float32Array.from(request.inputs);
  const targets = Float32Array.from(request.targets);

  await model.setWeights(request.weights);
  const before = await model.gradients(inputs, targets, request.batch);
  const stepLoss = await model.trainStep(inputs, targets, request.batch, request.learningRate);
  const after = await model.weights();

  const plain = (tensors: Record<string, { data: Float32Array }>) =>
    Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Array.from(t.data)]));
  const result = {
    adapter: describeAdapter(device.adapterInfo),
    loss: before.loss,
    gradients: plain(before.gradients),
    stepLoss,
    weightsAfter: plain(after),
  };
  model.destroy();
  device.destroy();
  return result;
}

const api: PageApi = { adapter, trainingStep };
Object.assign(globalThis, { symgradPage: api });
