import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { compileTypeScript, emitWgsl, GraphError, parseGraphText } from '@symgrad/compiler';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deriveExampleWithCli,
  deriveTextWithCli,
  deriveWithCli,
  ROOT,
  removeScratch,
} from './derive-cli.js';
import { launchChromium, recordErrors, serveSite, sitePages } from './harness.js';
import {
  derivationOf,
  drawnChart,
  expectRoundAxis,
  expectSameDerivation,
  highlightedUnder,
  onScreen,
  proseText,
  ready,
  settle,
  shownDerivations,
  typesetSources,
  typesetting,
  unfittedFormulas,
} from './page-reading.js';

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
    removeScratch();
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
      await ready(page, file);
      // No TeX command and no dollar sign is left in the prose: KaTeX typeset every formula.
      expect(await proseText(page), file).not.toMatch(/\\[A-Za-z]+|\$/);
      const katex = await typesetting(page);
      expect(katex.formulas, file).toBeGreaterThan(0);
      expect(katex.untypeset, file).toBe(0);
      expect(katex.mathmlHidden, `${file} has KaTeX's stylesheet`).toBe(true);
      expect(katex.fontsLoaded, file).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math']));
      // The same page at both sizes: a narrower viewport lays it out again.
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await settle(page);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, `${file} at ${size.name} scrolls sideways`).toBeLessThanOrEqual(0);
        expect(await unfittedFormulas(page), `${file} at ${size.name}`).toEqual([]);
        await page.screenshot({
          path: `${SCREENSHOTS}${file.replace('.html', '')}-${size.name}.png`,
        });
      }
      await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
      await settle(page);
      expect(errors, file).toEqual([]);
    }
  }, 120_000);

  it.each(EXAMPLES)(
    'shows the derivations of %s exactly as symgrad derive prints them',
    async (example) => {
      const document = deriveExampleWithCli(example);
      const latex = deriveWithCli(example, 'latex');
      const { page } = await shared(`model-${example}.html`);
      const shown = await shownDerivations(page, '.math-column article.derivation');

      expect(shown.map((d) => d.adjoint)).toEqual(document.derivations.map((d) => d.adjoint));
      document.derivations.forEach((d, k) => {
        const derivation = shown[k] ?? { rows: [] };
        expectSameDerivation(derivation, d);
        // Every step is a row of the LaTeX that derive writes, with the same right-hand side.
        for (const step of derivation.rows.filter((r) => r.kind === 'step'))
          expect(latex).toContain(`&= ${step.rhs} && \\text{(`);
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
      const document = deriveExampleWithCli(example);
      const derivation = document.derivations.find((d) => d.of === of);
      const equation = form === 'closedForm' ? derivation?.closedForm : derivation?.result;
      expect([shown[k]?.lhs, shown[k]?.rhs]).toEqual([equation?.lhs.latex, equation?.rhs.latex]);
    });
  });

  it("shows on the paper's page, for each graph, every step symgrad derive gives", async () => {
    const { page } = await shared('paper.html');
    // Each part of the page names its example, or shows the layer graph it derives.
    const parts = await page.$$eval('.paper-result, .generalisation', (all) =>
      all.map((part) => ({
        id: part.id,
        example: (part as HTMLElement).dataset.example,
        graph: part.querySelector('.graph-json pre')?.textContent,
        equations: [...part.querySelectorAll(':scope > .math-display annotation')].map(
          (a) => a.textContent ?? '',
        ),
      })),
    );
    expect(parts.length).toBe(8);
    for (const part of parts) {
      const document =
        part.graph == null
          ? deriveExampleWithCli(part.example ?? '')
          : deriveTextWithCli(part.id, part.graph);
      const shown = await shownDerivations(page, `#${part.id} article.derivation`);
      expect(shown.length, part.id).toBeGreaterThan(0);
      for (const derivation of shown) {
        expectSameDerivation(derivation, derivationOf(document, derivation.of));
        // The equation the text shows above the steps is the derivation's result.
        if (part.equations.length === 0) continue;
        const { result } = derivationOf(document, derivation.of);
        expect(part.equations, part.id).toContain(`${result.lhs.latex} = ${result.rhs.latex}`);
      }
    }
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

    // Clicked as a reader clicks it, a kernel's button brings its derivation into view.
    const conv1 = 'article.derivation[data-tensor="grad(conv1/kernel)"]';
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await onScreen(page, conv1)).toBe(false);
    await page.click('article.kernel[data-kernel="conv1KernelGrad"] .select-kernel');
    expect(await highlightedUnder(page, '.math-column', 'tensor')).toEqual(['grad(conv1/kernel)']);
    expect(await onScreen(page, conv1)).toBe(true);
    expect(page.url()).toMatch(/#kernel=conv1KernelGrad$/);

    // And the reverse: a derivation's kernel link highlights that kernel and brings it into view.
    const derivation = 'article.derivation[data-tensor="grad(conv2/kernel)"]';
    const conv2Card = 'article.kernel[data-kernel="conv2KernelGrad"]';
    await page.click(`${derivation} .to-kernel`);
    expect(await highlightedUnder(page, '.code-column', 'kernel')).toEqual(['conv2KernelGrad']);
    expect(await page.$eval(derivation, (e) => e.classList.contains('highlighted'))).toBe(true);
    expect(await onScreen(page, conv2Card)).toBe(true);
    expect(await page.getAttribute(`${conv2Card} .select-kernel`, 'aria-pressed')).toBe('true');

    // A step of another derivation selects that derivation's kernel.
    await page.click(`${conv1} .steps li.step >> nth=2`);
    expect(await highlightedUnder(page, '.code-column', 'kernel')).toEqual(['conv1KernelGrad']);
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

    // A link to a kernel opens the page with the pair selected and the kernel in view.
    const phone = await open('model-paper-conv.html#kernel=conv2KernelGrad', SIZES[1]);
    expect(await highlightedUnder(phone.page, 'main', 'tensor')).toEqual([
      'grad(conv2/kernel)',
      'grad(conv2/kernel)',
    ]);
    expect(await onScreen(phone.page, conv2Card)).toBe(true);
    await phone.page.$eval(derivation, (e) => e.scrollIntoView({ block: 'start' }));
    await phone.page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-linked-phone.png` });
    await phone.page.$eval('article.kernel.highlighted', (e) =>
      e.scrollIntoView({ block: 'start' }),
    );
    await phone.page.screenshot({ path: `${SCREENSHOTS}model-paper-conv-kernel-phone.png` });
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it("links every kernel of LeNet-5 to the equation it computes, a pool's stored winners too", async () => {
    const { page, errors } = await shared('model-lenet.html');
    const cards = await page.$$eval('article.kernel', (all) =>
      all.map((card) => {
        const target = card.querySelector('.to-equation')?.getAttribute('href') ?? '';
        card.querySelector<HTMLElement>('.select-kernel')?.click();
        const highlighted = [
          ...document.querySelectorAll<HTMLElement>('.math-column .highlighted'),
        ].map((e) => e.dataset.tensor);
        return {
          writes: (card as HTMLElement).dataset.tensor,
          found: document.getElementById(target.slice(1)) !== null,
          highlighted,
        };
      }),
    );
    expect(cards.map((c) => c.writes)).toEqual(
      expect.arrayContaining(['pool1/argmax', 'pool2/argmax']),
    );
    for (const { writes, found, highlighted } of cards) {
      expect(found, `the equation ${writes} is on the page`).toBe(true);
      expect(highlighted).toEqual([writes]);
    }
    const stored = await page.$eval('li.equation[data-tensor="pool1/argmax"]', (e) => e.innerHTML);
    expect(stored).toContain('class="katex');
    expect(errors).toEqual([]);
  });

  it('derives the edited graph as you type, and shows the compiler message for a bad one', async () => {
    const { page, errors } = await open('playground.html');
    await page.waitForSelector('#derivation-output .katex');
    const mlp = readFileSync(`${ROOT}examples/mlp.json`, 'utf8');
    const before = await typesetSources(page, '#derivation-output');
    expect(before.join('\n')).not.toContain('\\tanh');

    const edited = mlp.replace('"relu"', '"tanh"');
    await page.fill('#graph-editor', edited);
    await page.waitForFunction(() =>
      document.querySelector('#derivation-output')?.textContent?.includes('tanh'),
    );
    const after = await typesetSources(page, '#derivation-output');
    expect(after.join('\n')).toContain('\\tanh');

    // The derivation is the one symgrad derive gives for the edited graph, row for row.
    const derived = deriveTextWithCli('playground-tanh', edited);
    const shown = await shownDerivations(page, '#derivation-output article.derivation');
    expect(shown.map((d) => d.adjoint)).toEqual(derived.derivations.map((d) => d.adjoint));
    derived.derivations.forEach((d, k) => {
      expectSameDerivation(shown[k] ?? { rows: [] }, d);
    });

    // And the code is what the compiler emits for it.
    const { schedule, module } = compileTypeScript(parseGraphText(edited, 'graph.json'));
    expect(await page.textContent('#typescript-output pre')).toBe(module.source);
    const wgsl = (await page.textContent('#wgsl-output pre')) ?? '';
    for (const shader of emitWgsl(schedule).shaders) expect(wgsl).toContain(shader.code);
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

    // The code on show is the last valid graph's, marked so, and Train refuses the bad text.
    expect(await page.getAttribute('section.playground-output', 'class')).toContain('stale');
    await page.fill('#graph-editor', edited);
    await page.waitForFunction(
      () => !document.querySelector('section.playground-output')?.classList.contains('stale'),
    );
    await page.fill('#learning-rate', '0');
    await page.click('#train');
    expect(await page.textContent('#train-status')).toBe(
      'Cannot train: the learning rate must be a number above 0.',
    );

    // Train right after an edit, before the editor's pause has passed, trains the text on show.
    await page.fill('#graph-editor', broken);
    await page.click('#train');
    expect(await page.textContent('#train-status')).toBe(
      'Cannot train: the graph in the editor is not valid.',
    );
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

    // The chart draws every point, against an axis of round numbers above the largest loss.
    const drawn = await drawnChart(page);
    expect(drawn.lossPoints).toBe(losses.length);
    expectRoundAxis(drawn.ticks, Math.max(...losses));
    await page.screenshot({ path: `${SCREENSHOTS}playground-trained-laptop.png` });

    // On a phone the chart is drawn again at its new width, so that its labels keep their size.
    await page.setViewportSize({ width: SIZES[1].width, height: SIZES[1].height });
    await settle(page);
    const phone = await drawnChart(page);
    expect(phone.viewBoxWidth).toBe(phone.width);
    expect(phone.lossPoints).toBe(losses.length);
    await page.$eval('.train-pane', (e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SCREENSHOTS}playground-trained-phone.png` });
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
