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

const BATCH = 64;
const WARM_UP = 3;

const [file, system, stepsText] = process.argv.slice(2) as [string, string, string];
const graph = parseGraphText(readFileSync(file, 'utf8'), file);
const steps = Number(stepsText);

/** A deterministic batch: inputs in [0, 1), one-hot targets. */
function batchData(size: number, classes: number) {
  let seed = 12345;
  const next = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const inputs = Float32Array.from({ length: BATCH * size }, next);
  const targets = new Float32Array(BATCH * classes);
  for (let b = 0; b < BATCH; b++) targets[b * classes + (b % classes)] = 1;
  return { inputs, targets };
}

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
  const model = tf.sequential();
  const first = { inputShape: [...g.inputShape] };
  g.layers.forEach((layer, k) => {
    const shape = k === 0 ? first : {};
    if (layer.type === 'conv2d') {
      model.add(
        tf.layers.conv2d({
          ...shape,
          filters: layer.filters,
          kernelSize: [...layer.kernelSize],
          strides: [...layer.strides],
          padding: layer.padding,
          activation: layer.activation.name === 'relu' ? 'relu' : 'linear',
        }),
      );
    } else if (layer.type === 'maxPooling2d') {
      model.add(
        tf.layers.maxPooling2d({
          ...shape,
          poolSize: [...layer.poolSize],
          strides: [...layer.strides],
        }),
      );
    } else if (layer.type === 'flatten') {
      model.add(tf.layers.flatten(shape));
    } else if (layer.type === 'dense') {
      const activation =
        layer.activation.name === 'softmax'
          ? 'softmax'
          : layer.activation.name === 'relu'
            ? 'relu'
            : 'linear';
      model.add(tf.layers.dense({ ...shape, units: layer.units, activation }));
    } else {
      throw new Error(`the benchmark builds no ${layer.type} layer for TensorFlow.js`);
    }
  });
  model.compile({
    optimizer: tf.train.sgd(g.optimizer.learningRate),
    loss: 'categoricalCrossentropy',
  });
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
