import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type DerivationDocument, GraphError, parseGraphText } from '@symgrad/compiler';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordErrors, serveSite, sitePages } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Where the run writes its screenshots: a folder git ignores, so that a test run leaves the
 * tree clean; `pnpm docs:screenshots` points it at the committed set in apps/docs/screenshots.
 */
const SCREENSHOTS = fileURLToPath(
  new URL(process.env.SYMGRAD_SCREENSHOTS ?? '../test-results/screenshots/', import.meta.url),
);
const EXAMPLES = ['paper-dense', 'paper-conv', 'mlp', 'lenet'];
const SIZES = [
  { name: 'laptop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** `symgrad derive <example> --format <format>`, run as a user runs it. */
function deriveWithCli(example: string, format: 'json' | 'latex'): string {
  const bin = `${ROOT}packages/cli/dist/bin.js`;
  const file = `${ROOT}examples/${example}.json`;
  return execFileSync('node', [bin, 'derive', file, '--format', format], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** The TeX sources of the formulas KaTeX typeset, as MathML keeps them. */
async function typesetSources(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} annotation[encoding="application/x-tex"]`, (nodes) =>
    nodes.map((n) => n.textContent ?? ''),
  );
}

/** What a reader sees: the page's text without the hidden MathML copies of the formulas. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    for (const hidden of body.querySelectorAll('.katex-mathml, script')) hidden.remove();
    return body.textContent ?? '';
  });
}

const browser = await launchChromium();

describe.skipIf(browser === undefined)('the docs site in Chromium', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    ({ server, url } = await serveSite());
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function open(file: string, size: (typeof SIZES)[number] = SIZES[0]) {
    const page = await (browser as NonNullable<typeof browser>).newPage({
      viewport: { width: size.width, height: size.height },
      // Links scroll at once instead of smoothly, so that screenshots show where they lead.
      reducedMotion: 'reduce',
    });
    const errors = recordErrors(page);
    await page.goto(`${url}${file}`, { waitUntil: 'load' });
    return { page, errors };
  }

  /** Pages loaded once at laptop size and shared by the tests that only read them. */
  const loaded = new Map<string, Promise<{ page: Page; errors: string[] }>>();
  function shared(file: string) {
    let entry = loaded.get(file);
    if (entry === undefined) {
      entry = open(file);
      loaded.set(file, entry);
    }
    return entry;
  }

  it('loads every page with typeset mathematics, no raw TeX and no errors, at both sizes', async () => {
    const pages = sitePages();
    expect(pages).toEqual(
      expect.arrayContaining([
        'index.html',
        'paper.html',
        'playground.html',
        ...EXAMPLES.map((e) => `model-${e}.html`),
      ]),
    );
    for (const file of pages) {
      const { page, errors } = await shared(file);
      await page.waitForSelector('.katex', { timeout: 30_000 });
      const text = await visibleText(page);
      for (const raw of ['\\frac', '\\sum', '$$', '\\partial'])
        expect(text, file).not.toContain(raw);
      // The same page at both sizes: a narrower viewport lays it out again.
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.evaluate(() => new Promise(requestAnimationFrame));
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, `${file} at ${size.name} scrolls sideways`).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: `${SCREENSHOTS}${file.replace('.html', '')}-${size.name}.png`,
        });
      }
      await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
      expect(errors, file).toEqual([]);
    }
  }, 120_000);

  it.each(EXAMPLES)(
    'shows the derivations of %s exactly as symgrad derive prints them',
    async (example) => {
      const document = JSON.parse(deriveWithCli(example, 'json')) as DerivationDocument;
      const latex = deriveWithCli(example, 'latex');
      const { page } = await shared(`model-${example}.html`);
      const shown = await page.$$eval('.math-column article.derivation', (articles) =>
        articles.map((a) => ({
          adjoint: (a as HTMLElement).dataset.tensor,
          rows: [...a.querySelectorAll<HTMLElement>('.steps > li')].map((li) => ({
            kind: li.className,
            rule: li.dataset.rule,
            lhs: li.dataset.lhs,
            rhs: li.dataset.rhs,
            tex: li.querySelector('annotation')?.textContent,
          })),
        })),
      );

      expect(shown.map((d) => d.adjoint)).toEqual(document.derivations.map((d) => d.adjoint));
      document.derivations.forEach((d, k) => {
        const rows = shown[k]?.rows ?? [];
        const steps = rows.filter((r) => r.kind === 'step');
        expect(steps.map((s) => [s.rule, s.lhs, s.rhs])).toEqual(
          d.steps.map((s) => [s.rule, s.lhs.latex, s.after.latex]),
        );
        const result = rows.find((r) => r.kind === 'result');
        expect([result?.lhs, result?.rhs]).toEqual([d.result.lhs.latex, d.result.rhs.latex]);
        const closed = rows.find((r) => r.kind === 'closed-form');
        expect(closed && [closed.lhs, closed.rhs]).toEqual(
          d.closedForm ? [d.closedForm.lhs.latex, d.closedForm.rhs.latex] : undefined,
        );
        const update = rows.find((r) => r.kind === 'update');
        expect(update && `${update.lhs} \\leftarrow ${update.rhs}`).toEqual(
          d.update?.equation.latex,
        );
        // Every step is a row of the LaTeX that derive writes, with the same right-hand side.
        for (const step of steps) expect(latex).toContain(`&= ${step.rhs} && \\text{(`);
        // What KaTeX typeset is the row itself, not a copy of it.
        for (const row of rows) expect(row.tex).toContain(row.rhs);
      });
    },
  );

  it("sets beside each of the paper's results the equation symgrad derive gives", async () => {
    const { page } = await shared('paper.html');
    const shown = await page.$$eval('.derived-equation', (all) =>
      all.map((e) => ({ ...(e as HTMLElement).dataset })),
    );
    const expected = [
      { example: 'paper-dense', of: 'out/kernel', form: 'closedForm' },
      { example: 'paper-conv', of: 'conv2/kernel', form: 'result' },
    ] as const;
    expect(shown.map((e) => e.of)).toEqual(expected.map((e) => e.of));
    expected.forEach(({ example, of, form }, k) => {
      const document = JSON.parse(deriveWithCli(example, 'json')) as DerivationDocument;
      const derivation = document.derivations.find((d) => d.of === of);
      const equation = form === 'closedForm' ? derivation?.closedForm : derivation?.result;
      expect([shown[k]?.lhs, shown[k]?.rhs]).toEqual([equation?.lhs.latex, equation?.rhs.latex]);
    });
  });

  it('highlights the derivation a kernel implements, and the kernel of a derivation', async () => {
    const { page, errors } = await shared('model-paper-conv.html');
    // Every kernel's button, clicked in turn in the page: the math column then highlights the
    // one equation or derivation defining the tensor the kernel writes.
    const pairs = await page.$$eval('article.kernel', (cards) =>
      cards.map((card) => {
        card.querySelector<HTMLElement>('.select-kernel')?.click();
        const highlighted = [
          ...document.querySelectorAll<HTMLElement>('.math-column .highlighted'),
        ];
        return {
          writes: (card as HTMLElement).dataset.tensor,
          highlighted: highlighted.map((e) => e.dataset.tensor),
        };
      }),
    );
    expect(pairs.length).toBeGreaterThan(4);
    for (const { writes, highlighted } of pairs) expect(highlighted).toEqual([writes]);

    const derivation = 'article.derivation[data-tensor="grad(conv2/kernel)"]';
    await page.click(`${derivation} .to-kernel`);
    const card = await page.$$eval('.code-column .highlighted', (all) =>
      all.map((e) => (e as HTMLElement).dataset.kernel),
    );
    expect(card).toEqual(['conv2KernelGrad']);
    expect(await page.$eval(derivation, (e) => e.classList.contains('highlighted'))).toBe(true);

    // A step of another derivation selects that derivation's kernel.
    await page.click(
      'article.derivation[data-tensor="grad(conv1/kernel)"] .steps li.step >> nth=2',
    );
    const stepCard = await page.$$eval('.code-column .highlighted', (all) =>
      all.map((e) => (e as HTMLElement).dataset.kernel),
    );
    expect(stepCard).toEqual(['conv1KernelGrad']);
    await page.click(`${derivation} .to-kernel`);
    await page.$eval(derivation, (e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-linked-laptop.png` });
    await page.click('article.kernel.highlighted [data-tab="wgsl"]');
    expect(
      await page.isVisible('article.kernel.highlighted [data-panel="wgsl"] .hljs-keyword'),
    ).toBe(true);
    expect(await page.isVisible('article.kernel.highlighted [data-panel="ts"]')).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-wgsl-laptop.png` });
    expect(errors).toEqual([]);

    const phone = await open('model-paper-conv.html#kernel=conv2KernelGrad', SIZES[1]);
    await phone.page.$eval(derivation, (e) => e.scrollIntoView({ block: 'start' }));
    await phone.page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-linked-phone.png` });
    await phone.page.$eval('article.kernel.highlighted', (e) =>
      e.scrollIntoView({ block: 'start' }),
    );
    await phone.page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-kernel-phone.png` });
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it('derives the edited graph as you type, and shows the compiler message for a bad one', async () => {
    const { page, errors } = await open('playground.html');
    await page.waitForSelector('#derivation-output .katex');
    const mlp = readFileSync(`${ROOT}examples/mlp.json`, 'utf8');
    const before = await typesetSources(page, '#derivation-output');
    expect(before.join('\n')).not.toContain('\\tanh');

    await page.fill('#graph-editor', mlp.replace('"relu"', '"tanh"'));
    await page.waitForFunction(() =>
      document.querySelector('#derivation-output')?.textContent?.includes('tanh'),
    );
    const after = await typesetSources(page, '#derivation-output');
    expect(after.join('\n')).toContain('\\tanh');
    await page.click('[data-tab="diagram"]');
    expect(await page.textContent('#diagram-output svg')).toContain('128 units · tanh');

    const broken = mlp.replace('"units": 128', '"units": -3');
    await page.fill('#graph-editor', broken);
    const expected = (() => {
      try {
        parseGraphText(broken, 'graph.json');
      } catch (error) {
        if (error instanceof GraphError) return error.message;
      }
      throw new Error('the broken graph parsed');
    })();
    await page.waitForFunction(
      () => document.querySelector('#graph-editor')?.getAttribute('aria-invalid') === 'true',
    );
    expect(await page.textContent('#graph-status')).toBe(expected);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the MLP on the CPU runtime in the page and lowers the loss', async () => {
    const { page, errors } = await open('playground.html');
    await page.waitForSelector('#derivation-output .katex');
    await page.selectOption('#backend', 'cpu');
    await page.fill('#steps', '60');
    await page.fill('#batch', '32');
    await page.click('#train');
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#chart')?.dataset.state === 'done',
      undefined,
      { timeout: 60_000 },
    );
    const chart = await page.$eval('#chart', (c) => ({ ...(c as HTMLElement).dataset }));
    expect(chart.backend).toBe('cpu');
    const losses = (chart.losses ?? '').split(' ').map(Number);
    expect(losses.length).toBe(12);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) * 0.7);
    expect(Number(chart.accuracy)).toBeGreaterThan(0.5);
    await page.screenshot({ path: `${SCREENSHOTS}playground-trained-laptop.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains a small graph on WebGPU in the page, for a few steps', async () => {
    const { page, errors } = await open('playground.html');
    await page.waitForSelector('#derivation-output .katex');
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      return gpu !== undefined && (await gpu.requestAdapter()) !== null;
    });
    if (!adapter)
      throw new Error('Chromium offered no WebGPU adapter; install chromium and libvulkan1');

    // One dense layer: a handful of shaders, which SwiftShader compiles in seconds.
    const mlp = JSON.parse(readFileSync(`${ROOT}examples/mlp.json`, 'utf8'));
    const small = { ...mlp, name: 'softmax-regression', layers: mlp.layers.slice(1) };
    await page.fill('#graph-editor', JSON.stringify(small, null, 2));
    await page.waitForFunction(() =>
      document.querySelector('#graph-status')?.textContent?.startsWith('Valid: 1 layer,'),
    );
    await page.selectOption('#backend', 'webgpu');
    await page.fill('#steps', '20');
    await page.fill('#batch', '16');
    await page.click('#train');
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#chart')?.dataset.state === 'done',
      undefined,
      { timeout: 60_000 },
    );
    const chart = await page.$eval('#chart', (c) => ({ ...(c as HTMLElement).dataset }));
    expect(await page.textContent('#train-status')).toMatch(/^WebGPU · step 20 of 20/);
    expect(chart.backend).toBe('webgpu');
    const losses = (chart.losses ?? '').split(' ').map(Number);
    expect(losses.length).toBe(4);
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    expect(errors).toEqual([]);
    await page.close();
  });
});
