/**
 * What a test reads off a page of the docs site: derivations as shown, typeset formulas, the
 * prose around them, highlights and the playground's chart.
 */
import type { DerivationDocument } from '@symgrad/compiler';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** One derivation as a page shows it: the adjoint it defines and each of its rows. */
export interface ShownDerivation {
  readonly adjoint?: string;
  readonly of?: string;
  readonly rows: readonly {
    readonly kind: string;
    readonly rule?: string;
    readonly lhs?: string;
    readonly rhs?: string;
    readonly tex?: string | null;
  }[];
}

/** The derivations under `selector`, read from the rows' data attributes and typeset TeX. */
export async function shownDerivations(page: Page, selector: string): Promise<ShownDerivation[]> {
  return page.$$eval(selector, (articles) =>
    articles.map((a) => ({
      adjoint: (a as HTMLElement).dataset.tensor,
      of: (a as HTMLElement).dataset.of,
      rows: [...a.querySelectorAll<HTMLElement>('.steps > li')].map((li) => ({
        kind: li.className,
        rule: li.dataset.rule,
        lhs: li.dataset.lhs,
        rhs: li.dataset.rhs,
        tex: li.querySelector('annotation')?.textContent,
      })),
    })),
  );
}

/**
 * Every row of `shown` is the row of `symgrad derive`'s derivation of the same gradient: each
 * step's rule and both sides, the result, the closed form and the update, and what KaTeX
 * typeset is that row.
 */
export function expectSameDerivation(shown: ShownDerivation, expected: DerivationJsonOf): void {
  const steps = shown.rows.filter((r) => r.kind === 'step');
  expect(steps.map((s) => [s.rule, s.lhs, s.rhs])).toEqual(
    expected.steps.map((s) => [s.rule, s.lhs.latex, s.after.latex]),
  );
  const result = shown.rows.find((r) => r.kind === 'result');
  expect([result?.lhs, result?.rhs]).toEqual([
    expected.result.lhs.latex,
    expected.result.rhs.latex,
  ]);
  const closed = shown.rows.find((r) => r.kind === 'closed-form');
  expect(closed && [closed.lhs, closed.rhs]).toEqual(
    expected.closedForm
      ? [expected.closedForm.lhs.latex, expected.closedForm.rhs.latex]
      : undefined,
  );
  const update = shown.rows.find((r) => r.kind === 'update');
  expect(update && `${update.lhs} \\leftarrow ${update.rhs}`).toEqual(
    expected.update?.equation.latex,
  );
  for (const row of shown.rows) expect(row.tex).toContain(row.rhs);
}

export type DerivationJsonOf = DerivationDocument['derivations'][number];

/** The derivation of the gradient with respect to `of` in `document`, which must have one. */
export function derivationOf(
  document: DerivationDocument,
  of: string | undefined,
): DerivationJsonOf {
  const found = document.derivations.find((d) => d.of === of);
  if (found === undefined) throw new Error(`symgrad derive gives no derivation of ${of}`);
  return found;
}

/** The TeX sources of the formulas KaTeX typeset, as MathML keeps them. */
export async function typesetSources(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} annotation[encoding="application/x-tex"]`, (nodes) =>
    nodes.map((n) => n.textContent ?? ''),
  );
}

/**
 * The prose a reader sees: the page's text without the formulas KaTeX typeset, the code
 * blocks, and the hidden MathML copies of the formulas.
 */
export async function proseText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    for (const hidden of body.querySelectorAll('.katex, pre, script, textarea')) hidden.remove();
    return body.textContent ?? '';
  });
}

/** How KaTeX's output looks in the page: whether its stylesheet and fonts took effect. */
export async function typesetting(page: Page) {
  return page.evaluate(async () => {
    await document.fonts.ready;
    const mathml = document.querySelector('.katex-mathml');
    return {
      formulas: document.querySelectorAll('.katex').length,
      untypeset: document.querySelectorAll('.math-display:not(:has(.katex)), .katex-error').length,
      // KaTeX's stylesheet hides the MathML copy, which screen readers read instead.
      mathmlHidden: mathml !== null && getComputedStyle(mathml).position === 'absolute',
      fontsLoaded: [...document.fonts]
        .filter((f) => f.status === 'loaded')
        .map((f) => f.family.replace(/"/g, '')),
    };
  });
}

/**
 * Display formulas that neither fit their box nor shrank as far as they may: on a phone, each
 * formula a little too wide shrinks to fit, and only the widest scroll, at 80% of their size.
 */
export async function unfittedFormulas(page: Page): Promise<string[]> {
  return page.$$eval('.math-display', (boxes) =>
    boxes
      .filter((box) => box.clientWidth > 0 && box.scrollWidth > box.clientWidth + 1)
      .filter((box) => !(Number.parseFloat((box as HTMLElement).style.fontSize) <= 0.8))
      .map((box) => box.querySelector('annotation')?.textContent ?? ''),
  );
}

/** Waits until `file` shows what it is for: the playground's derivation arrives from a worker. */
export async function ready(page: Page, file: string): Promise<void> {
  await page.waitForSelector('.katex', { timeout: 30_000 });
  if (file === 'playground.html') {
    await page.waitForSelector('#derivation-output .katex', { timeout: 30_000 });
    await page.waitForSelector('#graph-status.ok');
  }
}

/** Whether some of the element `selector` shows on screen, inside any box that scrolls it. */
export async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (element) => {
    const rect = element.getBoundingClientRect();
    const column = element.closest('.code-column')?.getBoundingClientRect();
    const top = Math.max(0, column?.top ?? 0);
    const bottom = Math.min(window.innerHeight, column?.bottom ?? window.innerHeight);
    return rect.height > 0 && rect.bottom > top && rect.top < bottom;
  });
}

/** The data attribute `key` of every element highlighted under `scope`. */
export async function highlightedUnder(page: Page, scope: string, key: string): Promise<string[]> {
  return page.$$eval(
    `${scope} .highlighted`,
    (all, name) => all.map((e) => (e as HTMLElement).dataset[name] ?? ''),
    key,
  );
}

/** What the playground's chart drew: its loss curve's points, its tick labels, its widths. */
export async function drawnChart(page: Page) {
  return page.$eval('#chart', (chart) => ({
    lossPoints:
      (chart.querySelector('path.loss')?.getAttribute('d') ?? '').split(/[ML]/).length - 1,
    ticks: [...chart.querySelectorAll('text.tick')].map((t) => t.textContent ?? ''),
    viewBoxWidth: chart.querySelector('svg')?.viewBox.baseVal.width,
    width: chart.clientWidth,
  }));
}

/**
 * Tick labels from 0 in equal steps of 1, 2 or 5 times a power of ten, all printed alike,
 * up to the first at or above `max`.
 */
export function expectRoundAxis(labels: readonly string[], max: number): void {
  const values = labels.map(Number);
  const step = values[1] as number;
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  expect(
    [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9),
    `step ${step}`,
  ).toBe(true);
  expect(values.map((v, k) => v - k * step).every((gap) => Math.abs(gap) < 1e-9)).toBe(true);
  expect(new Set(labels.map((l) => l.split('.')[1]?.length ?? 0)).size).toBe(1);
  expect(values.at(-1)).toBeGreaterThanOrEqual(max);
  expect(values.at(-2)).toBeLessThan(max);
}

/** Two frames: one for the resize to reach the page's scripts, one for what they redraw. */
export async function settle(page: Page): Promise<void> {
  for (let k = 0; k < 2; k += 1) await page.evaluate(() => new Promise(requestAnimationFrame));
}
