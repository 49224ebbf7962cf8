import katex from 'katex';
import { escapeHtml } from './html.js';

/**
 * LaTeX typeset by KaTeX as HTML plus MathML; the MathML keeps the source in an
 * `application/x-tex` annotation, which screen readers and the tests read. Bad TeX throws: a
 * page never shows raw TeX.
 */
export function typeset(tex: string, display: boolean): string {
  return katex.renderToString(tex, {
    displayMode: display,
    throwOnError: true,
    output: 'htmlAndMathml',
    strict: 'ignore',
  });
}

/** A display formula in a box that scrolls sideways on narrow screens instead of overflowing. */
export function displayMath(tex: string): string {
  return `<div class="math-display">${typeset(tex, true)}</div>`;
}

/** An inline formula. */
export function inlineMath(tex: string): string {
  return typeset(tex, false);
}

/**
 * Prose with formulas between dollar signs, `the error $e_j = t_j - y_j$`: the text escaped,
 * the formulas typeset inline.
 */
export function proseWithMath(text: string): string {
  return text
    .split(/\$([^$]+)\$/)
    .map((part, k) => (k % 2 === 1 ? inlineMath(part) : escapeHtml(part)))
    .join('');
}
