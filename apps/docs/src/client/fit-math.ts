/**
 * Display formulas too wide for their box shrink to fit it, down to `MIN_SCALE` of their size;
 * wider ones keep that size and scroll sideways. KaTeX never breaks a display formula, and on a
 * phone many of the derivation's rows are a little wider than the screen.
 */

/** Below this the indices of a formula grow too small to read on a phone. */
const MIN_SCALE = 0.8;
/** KaTeX's fixed padding beside each formula, which does not shrink with it. */
const SLACK_PX = 8;

/** Fits every visible display formula under `root`; hidden ones are fitted when shown. */
export function fitFormulas(root: ParentNode): void {
  const boxes = [...root.querySelectorAll<HTMLElement>('.math-display')];
  for (const box of boxes) box.style.removeProperty('font-size');

  // Every width is read before any is written, so that the page is laid out once.
  const scales = boxes.map((box) =>
    box.clientWidth === 0 ? 1 : (box.clientWidth - SLACK_PX) / (box.scrollWidth - SLACK_PX),
  );
  boxes.forEach((box, k) => {
    const scale = scales[k] as number;
    if (scale < 1) box.style.fontSize = `${Math.max(MIN_SCALE, scale).toFixed(3)}em`;
  });
}

/**
 * Fits the page's formulas now, once the fonts have loaded, whenever the window's width
 * changes, and inside each <details> as it opens.
 */
export function keepFormulasFitted(): void {
  fitFormulas(document);
  // KaTeX's fonts arrive after the page is laid out, and change every formula's width.
  document.fonts.ready.then(() => fitFormulas(document));
  let width = window.innerWidth;
  let pending = false;
  window.addEventListener('resize', () => {
    if (pending || window.innerWidth === width) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      width = window.innerWidth;
      fitFormulas(document);
    });
  });
  // `toggle` does not bubble; listening in the capture phase sees every <details>.
  document.addEventListener(
    'toggle',
    (event) => {
      const details = event.target as HTMLDetailsElement;
      if (details.open) fitFormulas(details);
    },
    true,
  );
}
