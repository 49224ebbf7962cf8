/**
 * The playground: the compiler runs in the page. Each edit of the graph is validated; a valid
 * graph is derived and compiled again, and the derivation, the TypeScript and the WGSL are
 * shown. Training runs on WebGPU or the CPU runtime, with a live chart.
 */
import { type Graph, parseGraphText, SymgradError } from '@symgrad/compiler';
import { type ChartPoint, drawChart } from './chart.js';
import type { CompileAnswer, CompileRequest } from './compile-worker.js';
import { fitFormulas } from './fit-math.js';
import { type Digits, loadDigits } from './mnist.js';
import { type Backend, BatchSampler, createTrainer } from './trainer.js';

const FILE = 'graph.json';
/** Edits closer together than this are compiled once. */
const DEBOUNCE_MS = 250;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the playground page has no #${id}`);
  return found as T;
}

const editor = element<HTMLTextAreaElement>('graph-editor');
const status = element<HTMLParagraphElement>('graph-status');
const presets: Record<string, string> = JSON.parse(element('presets').textContent ?? '{}');
let graph: Graph | undefined;

/** Parses the editor's text; shows the compiler's message for an invalid graph. */
function validate(): Graph | undefined {
  try {
    const parsed = parseGraphText(editor.value, FILE);
    editor.setAttribute('aria-invalid', 'false');
    status.className = 'graph-status ok';
    status.textContent = `Valid: ${layerCount(parsed.layers.length)}, input [${parsed.inputShape.join(', ')}], ${parsed.loss}.`;
    return parsed;
  } catch (error) {
    if (!(error instanceof SymgradError)) throw error;
    editor.setAttribute('aria-invalid', 'true');
    status.className = 'graph-status error';
    status.textContent = error.message;
    return undefined;
  }
}

function layerCount(count: number): string {
  return `${count} ${count === 1 ? 'layer' : 'layers'}`;
}

let timer: ReturnType<typeof setTimeout> | undefined;
const worker = new Worker(new URL('./compile-worker.ts', import.meta.url), { type: 'module' });
const outputs = element('derivation-output').closest('section') as HTMLElement;
let latest = 0;

/** Asks the worker to derive and compile the editor's text; only the latest answer is shown. */
function regenerate(): void {
  latest += 1;
  outputs.setAttribute('aria-busy', 'true');
  worker.postMessage({ id: latest, text: editor.value, file: FILE } satisfies CompileRequest);
}

/** Marks the derivation and code on show as belonging to an earlier graph, or as current. */
function markStale(stale: boolean): void {
  outputs.classList.toggle('stale', stale);
}

worker.addEventListener('message', (event: MessageEvent<CompileAnswer>) => {
  const answer = event.data;
  if (answer.id !== latest) return;
  outputs.setAttribute('aria-busy', 'false');
  if (!answer.ok) {
    status.className = 'graph-status error';
    status.textContent = answer.message;
    markStale(true);
    return;
  }
  markStale(false);
  element('diagram-output').innerHTML = answer.diagram;
  element('derivation-output').innerHTML = answer.derivation;
  fitFormulas(element('derivation-output'));
  element('typescript-output').innerHTML = answer.typescript;
  element('wgsl-output').innerHTML = answer.wgsl;
});

worker.addEventListener('error', (event) => {
  event.preventDefault();
  latest += 1;
  outputs.setAttribute('aria-busy', 'false');
  markStale(true);
  status.className = 'graph-status error';
  status.textContent = `The compiler stopped in this page (${event.message}); reload the page.`;
});

function onEdit(): void {
  clearTimeout(timer);
  timer = undefined;
  graph = validate();
  if (graph === undefined) {
    // An answer still on its way is for older text: it must not replace this message.
    latest += 1;
    outputs.setAttribute('aria-busy', 'false');
    markStale(true);
    return;
  }
  regenerate();
  element<HTMLInputElement>('learning-rate').value = String(graph.optimizer.learningRate);
}

editor.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(onEdit, DEBOUNCE_MS);
});

const preset = element<HTMLSelectElement>('preset');
preset.addEventListener('change', () => {
  editor.value = presets[preset.value] ?? editor.value;
  onEdit();
});
editor.value = presets.mlp ?? Object.values(presets)[0] ?? '';
if (presets.mlp !== undefined) preset.value = 'mlp';
onEdit();

/** Training on the site's MNIST digits: the input must hold 784 values, the output 10. */
const form = element<HTMLFormElement>('train-form');
const stopButton = element<HTMLButtonElement>('stop');
const trainButton = element<HTMLButtonElement>('train');
const trainStatus = element<HTMLParagraphElement>('train-status');
const chart = element<HTMLDivElement>('chart');
let digits: Promise<{ train: Digits; test: Digits }> | undefined;
let stopping = false;

/** What the chart shows, kept to draw it again when its width changes. */
let shown: { points: readonly ChartPoint[]; steps: number; width: number } | undefined;

function redraw(points: readonly ChartPoint[], steps: number): void {
  drawChart(chart, points, steps);
  shown = { points, steps, width: chart.clientWidth };
}

/** Steps between points of the loss curve, and between scores on the held-out digits. */
const LOSS_EVERY = 5;
const SCORE_EVERY = 50;

interface RunSettings {
  readonly backend: Backend | 'auto';
  readonly steps: number;
  readonly batch: number;
  readonly rate: number;
}

function settings(): RunSettings | string {
  const number = (id: string) => Number(element<HTMLInputElement>(id).value);
  const rate = number('learning-rate');
  if (!(rate > 0 && Number.isFinite(rate))) return 'the learning rate must be a number above 0';
  return {
    backend: element<HTMLSelectElement>('backend').value as Backend | 'auto',
    steps: Math.max(1, Math.floor(number('steps'))),
    batch: Math.max(1, Math.floor(number('batch'))),
    rate,
  };
}

/** Why this graph cannot train on MNIST digits, or undefined when it can. */
function mnistMismatch(g: Graph): string | undefined {
  const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);
  const output = g.layers.at(-1)?.outputShape ?? g.inputShape;
  if (size(g.inputShape) !== 784)
    return `the input holds ${size(g.inputShape)} values; MNIST digits have 784 ([784] or [28, 28, 1])`;
  if (size(output) !== 10)
    return `the last layer outputs ${size(output)} values; MNIST has 10 classes`;
  return undefined;
}

/** Yields to the browser so that the chart and the buttons stay live. */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

async function train(run: RunSettings, g: Graph): Promise<void> {
  trainStatus.textContent = 'Loading digits and compiling…';
  digits ??= loadDigits().catch((error: unknown) => {
    digits = undefined; // the next Train asks again
    throw error;
  });
  const { train: trainSet, test } = await digits;
  if (stopping) return;
  const trainer = await createTrainer(g, run.backend, run.batch);
  const sampler = new BatchSampler(trainSet, run.batch, 7);
  const points: ChartPoint[] = [];
  chart.dataset.backend = trainer.backend;
  let recent: number[] = [];
  let lastYield = performance.now();
  try {
    for (let step = 1; step <= run.steps && !stopping; step += 1) {
      sampler.draw();
      recent.push(await trainer.step(sampler.inputs, sampler.targets, run.batch, run.rate));
      if (step % LOSS_EVERY !== 0 && step !== run.steps) continue;

      const loss = recent.reduce((a, b) => a + b, 0) / recent.length;
      recent = [];
      const scored = step % SCORE_EVERY === 0 || step === run.steps;
      const accuracy = scored ? await trainer.accuracy(test) : undefined;
      points.push(accuracy === undefined ? { step, loss } : { step, loss, accuracy });
      report(points, run, trainer.backend);
      if (performance.now() - lastYield > 30) {
        await nextFrame();
        lastYield = performance.now();
      }
    }
  } finally {
    trainer.destroy();
  }
}

/** An empty chart and no figures of an earlier run, before a new one starts. */
function clearRun(run: RunSettings): void {
  redraw([], run.steps);
  delete chart.dataset.losses;
  delete chart.dataset.accuracy;
  delete chart.dataset.backend;
}

/** Redraws the chart and says where the run stands; the chart's data attributes hold the curve. */
function report(points: readonly ChartPoint[], run: RunSettings, backend: Backend): void {
  redraw(points, run.steps);
  const last = points.at(-1) as ChartPoint;
  const scored = [...points].reverse().find((p) => p.accuracy !== undefined);
  const accuracy =
    scored?.accuracy === undefined
      ? ''
      : ` · held-out accuracy ${(scored.accuracy * 100).toFixed(1)}%`;
  const where = backend === 'webgpu' ? 'WebGPU' : 'CPU';
  trainStatus.textContent = `${where} · step ${last.step} of ${run.steps} · loss ${last.loss.toFixed(4)}${accuracy}`;
  chart.dataset.losses = points.map((p) => p.loss.toPrecision(5)).join(' ');
  if (scored?.accuracy !== undefined) chart.dataset.accuracy = String(scored.accuracy);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  // An edit still waiting for its debounce is taken now: Train runs the text on screen.
  if (timer !== undefined) onEdit();
  const g = graph;
  const run = settings();
  if (g === undefined || typeof run === 'string' || mnistMismatch(g) !== undefined) {
    const why = g === undefined ? 'the graph in the editor is not valid' : mnistMismatch(g);
    trainStatus.textContent = `Cannot train: ${why ?? run}.`;
    return;
  }
  stopping = false;
  clearRun(run);
  trainButton.disabled = true;
  stopButton.disabled = false;
  chart.dataset.state = 'running';
  train(run, g)
    .then(() => {
      if (stopping) trainStatus.textContent = `${trainStatus.textContent} · stopped`;
    })
    .catch((error: Error) => {
      trainStatus.textContent = `Training stopped: ${error.message}`;
    })
    .finally(() => {
      trainButton.disabled = false;
      stopButton.disabled = true;
      chart.dataset.state = 'done';
    });
});

stopButton.addEventListener('click', () => {
  stopping = true;
});

// The chart is drawn at the width it has, so that its labels stay legible on a phone.
new ResizeObserver(() => {
  if (shown !== undefined && shown.width !== chart.clientWidth) redraw(shown.points, shown.steps);
}).observe(chart);
redraw([], Math.max(1, Math.floor(Number(element<HTMLInputElement>('steps').value))));
