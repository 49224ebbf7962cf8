import { describe, expect, it } from 'vitest';
import {
  DERIVATION_FORMATS,
  type DerivationDocument,
  type DerivationFormat,
  renderDerivation,
} from '../../src/emit/index.js';
import { deriveExample } from './examples.js';

/**
 * The paper's two results, each in the notation of every format. LaTeX rows of an `align*`
 * block align on `&=`, so rows are compared without the alignment marks.
 */
const LEMMA_2_1 = {
  text: 'dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]',
  latex: '\\frac{\\partial E}{\\partial w^{1}_{i,j}} = -e_{j}\\, y_{j}\\, (1 - y_{j})\\, x_{i}',
};

const THEOREM_2_2 = {
  text: "sum_{i=0..4} sum_{j=0..4} delta^2[i,j] * O^1[i + m',j + n']",
  latex: "\\sum_{i=0}^{4}\\sum_{j=0}^{4} \\delta^{2}_{i,j}\\, O^{1}_{i + m',j + n'}",
};

/** The rendering as lines of plain equations, whatever the format wraps them in. */
function equations(output: string, format: DerivationFormat): string {
  if (format === 'latex') return output.replaceAll('&=', '=');
  if (format !== 'json') return output;
  const document = JSON.parse(output) as DerivationDocument;
  return document.derivations
    .flatMap((d) => [d.result, ...(d.closedForm ? [d.closedForm] : [])])
    .flatMap(({ lhs, rhs }) => [`${lhs.text} = ${rhs.text}`, `${lhs.latex} = ${rhs.latex}`])
    .join('\n');
}

function expected(format: DerivationFormat, result: { text: string; latex: string }): string {
  return format === 'text' ? result.text : result.latex;
}

describe.each(DERIVATION_FORMATS)('the paper results rendered as %s', (format) => {
  it('contains Lemma 2.1 for examples/paper-dense.json', () => {
    const output = renderDerivation(deriveExample('paper-dense.json'), format);
    expect(equations(output, format)).toContain(expected(format, LEMMA_2_1));
  });

  it("contains Theorem 2.2's kernel gradient for examples/paper-conv.json", () => {
    const output = renderDerivation(deriveExample('paper-conv.json'), format);
    expect(equations(output, format)).toContain(expected(format, THEOREM_2_2));
  });

  it('ends with exactly one newline', () => {
    const output = renderDerivation(deriveExample('paper-dense.json'), format);
    expect(output.endsWith('\n')).toBe(true);
    expect(output.endsWith('\n\n')).toBe(false);
  });
});

describe('JSON rendering', () => {
  it('gives both text and LaTeX of Theorem 2.2 with the IR it came from', () => {
    const derived = deriveExample('paper-conv.json');
    const document = JSON.parse(renderDerivation(derived, 'json')) as DerivationDocument;
    const kernel = document.derivations.find((d) => d.of === 'conv2/kernel');
    expect(kernel?.result.rhs.text).toBe(THEOREM_2_2.text);
    expect(kernel?.result.rhs.latex).toBe(THEOREM_2_2.latex);
    const source = derived.derivations.find((d) => d.of === 'conv2/kernel');
    expect(kernel?.result.rhs.ir).toEqual(source?.result);
  });

  it('is stable: the same program renders to the same bytes', () => {
    const first = renderDerivation(deriveExample('paper-conv.json'), 'json');
    expect(renderDerivation(deriveExample('paper-conv.json'), 'json')).toBe(first);
  });
});
