import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import {
  compileTypeScript,
  type Graph,
  instantiateTypeScript,
  parseGraphText,
} from '@symgrad/compiler';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../testkit/src/finite-differences.js';
import { type Batch, ORACLE_TOLERANCE, randomBatch } from '../oracle.js';
import { bundlePage, launchChromium, type PageFolder, servePage } from './harness.js';
import type { PageApi, StepRequest, StepResult } from './page.js';

const EXAMPLE = new URL('../../../../examples/paper-conv.json', import.meta.url);
const BATCH = 4;
const LEARNING_RATE = 0.5;
/** Bundling, starting Chromium and compiling shaders on SwiftShader take seconds each. */
const TIMEOUT_MS = 120_000;

/**
 * How the test reaches into the page. Functions given to `page.evaluate` run in the page, as
 * text: they can use nothing of this module but types.
 */
type PageGlobal = { readonly symgradPage: PageApi };

/** What the CPU runtime computes for the same step: the emitted TypeScript, run in Node. */
interface CpuStep {
  readonly loss: number;
  readonly gradients: Record<string, Float32Array>;
  readonly weightsAfter: Record<string, Float32Array>;
}

function cpuStep(graph: Graph, b: Batch, learningRate: number): CpuStep {
  const generated = instantiateTypeScript(compileTypeScript(graph).module.source);
  const state = generated.createState(b.batch);
  state[generated.model.input]?.set(b.inputs);
  state[generated.model.target]?.set(b.targets);
  for (const w of generated.model.weights) state[w.buffer]?.set(b.weights[w.name]?.data ?? []);

  const loss = generated.forward(state, b.batch);
  generated.backward(state, b.batch);
  const copies = (role: 'buffer' | 'gradient') =>
    Object.fromEntries(
      generated.model.weights.map((w) => [w.name, Float32Array.from(state[w[role]] ?? [])]),
    );
  const gradients = copies('gradient');
  generated.update(state, learningRate);
  return { loss, gradients, weightsAfter: copies('buffer') };
}

function stepRequest(graphText: string, b: Batch): StepRequest {
  const weights = Object.fromEntries(
    Object.entries(b.weights).map(([name, w]) => [
      name,
      { shape: [...w.shape], data: Array.from(w.data) },
    ]),
  );
  return {
    graphText,
    fileName: 'paper-conv.json',
    weights,
    inputs: Array.from(b.inputs),
    targets: Array.from(b.targets),
    batch: b.batch,
    learningRate: LEARNING_RATE,
  };
}

function expectTensorsClose(
  actual: Record<string, ArrayLike<number>>,
  expected: Record<string, ArrayLike<number>>,
  label: string,
): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) {
    expectClose(actual[name] ?? [], values, { ...ORACLE_TOLERANCE, label: `${label} ${name}` });
  }
}

/** Errors the page reported: console.error calls and uncaught exceptions. */
function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      errors.push(`console.error at ${message.location().url}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

const browser = await launchChromium();

describe.skipIf(browser === undefined)('a training step in Chromium on WebGPU', () => {
  let folder: PageFolder | undefined;
  let server: Server | undefined;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    folder = await bundlePage();
    const served = await servePage(folder.root);
    server = served.server;
    page = await (browser as NonNullable<typeof browser>).newPage();
    pageErrors = recordErrors(page);
    await page.goto(served.url);
    await page
      .waitForFunction(() => 'symgradPage' in globalThis, undefined, { timeout: 30_000 })
      .catch((error: Error) => {
        const reason = pageErrors.join('; ') || error.message.split('\n')[0];
        throw new Error(`the page script did not start: ${reason}`);
      });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    folder?.remove();
  });

  it(
    'matches the CPU runtime on paper-conv: loss, gradients and the weights after the step',
    async () => {
      const adapter = await page.evaluate(() =>
        (globalThis as unknown as PageGlobal).symgradPage.adapter(),
      );
      if (!adapter.found) {
        throw new Error(
          `Chromium offered no WebGPU adapter (${adapter.reason}); on a machine without a GPU it needs SwiftShader, from Debian's chromium package, and libvulkan1`,
        );
      }

      const graphText = readFileSync(EXAMPLE, 'utf8');
      const graph = parseGraphText(graphText, 'paper-conv.json');
      const b = randomBatch(graph, BATCH, 21);
      const request = stepRequest(graphText, b);
      const gpu: StepResult = await page.evaluate(
        (r) => (globalThis as unknown as PageGlobal).symgradPage.trainingStep(r),
        request,
      );
      const cpu = cpuStep(graph, b, LEARNING_RATE);

      expectClose(gpu.loss, cpu.loss, { ...ORACLE_TOLERANCE, label: 'loss' });
      expect(gpu.stepLoss).toBe(gpu.loss);
      expectTensorsClose(gpu.gradients, cpu.gradients, 'gradient of');
      expectTensorsClose(gpu.weightsAfter, cpu.weightsAfter, 'after the step,');
      // A step that moved nothing would pass the comparison above too.
      const moved = Object.entries(gpu.weightsAfter).some(([name, after]) =>
        after.some((value, k) => value !== b.weights[name]?.data[k]),
      );
      expect(moved).toBe(true);
      expect(pageErrors).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
