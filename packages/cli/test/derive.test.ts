import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DerivationDocument } from '@symgrad/compiler';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, symgrad } from './run-cli.js';

const DENSE = 'examples/paper-dense.json';

// Lemma 2.1, dE/dw_ij = -e_j * y_j * (1 - y_j) * x_i, as each format writes it.
const LEMMA_TEXT = 'dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]';
const LEMMA_LATEX_LHS = '\\frac{\\partial E}{\\partial w^{1}_{i,j}}';
const LEMMA_LATEX_RHS = '-e_{j}\\, y_{j}\\, (1 - y_{j})\\, x_{i}';

/** Runs `symgrad derive` on paper-dense and checks it succeeded quietly. */
function deriveDense(...flags: string[]): string {
  const run = symgrad('derive', DENSE, ...flags);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('symgrad derive examples/paper-dense.json', () => {
  it('prints text by default, with Lemma 2.1 as the closed form', () => {
    const text = deriveDense();
    expect(text.split('\n')[0]).toBe("dE/de[j']  (gradient with respect to loss/error)");
    expect(text).toContain(`closed form: ${LEMMA_TEXT}`);
    expect(deriveDense('--format', 'text')).toBe(text);
  });

  it('--format markdown: a heading per gradient and the equations as display math', () => {
    const markdown = deriveDense('--format', 'markdown');
    expect(markdown.split('\n')[0]).toBe('# paper-dense');
    expect(markdown).toContain("## $\\frac{\\partial E}{\\partial w^{1}_{i',j'}}$");
    expect(markdown).toContain(
      `**Closed form**\n\n$$\n${LEMMA_LATEX_LHS} = ${LEMMA_LATEX_RHS}\n$$`,
    );
  });

  it('--format latex: one align* block per gradient', () => {
    const latex = deriveDense('--format', 'latex');
    const blocks = latex.match(/\\begin\{align\*\}/g) ?? [];
    expect(blocks.length).toBe(latex.match(/\\end\{align\*\}/g)?.length);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(latex).toContain(`${LEMMA_LATEX_LHS} &= ${LEMMA_LATEX_RHS} && \\text{(closed form)}`);
  });

  it('--format json: a document with text, LaTeX and IR for every expression', () => {
    const document = JSON.parse(deriveDense('--format', 'json')) as DerivationDocument;
    expect(document.graph).toBe('paper-dense');
    const kernel = document.derivations.find((d) => d.of === 'out/kernel');
    const closedForm = kernel?.closedForm;
    expect(`${closedForm?.lhs.text} = ${closedForm?.rhs.text}`).toBe(LEMMA_TEXT);
    expect(closedForm?.rhs.latex).toBe(LEMMA_LATEX_RHS);
    expect(closedForm?.rhs.ir.kind).toBe('mul');
  });

  it('--out writes the same text to a file, leaving no temporary file behind', () => {
    const folder = mkdtempSync(join(tmpdir(), 'symgrad-cli-'));
    const out = join(folder, 'dense.md');
    const run = symgrad('derive', DENSE, '--format', 'markdown', '--out', out);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(deriveDense('--format', 'markdown'));
    expect(readdirSync(folder)).toEqual(['dense.md']);
  });

  it('--out into a folder that does not exist names it', () => {
    const out = join(tmpdir(), 'symgrad-no-such-folder', 'dense.txt');
    const run = symgrad('derive', DENSE, '--out', out);
    expectOneLineError(run, [`cannot write '${out}'`, 'does not exist; create it first']);
  });
});

describe('symgrad --version and --help', () => {
  it('--version prints the version of the package', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    expect(symgrad('--version')).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists the commands and every flag with its default', () => {
    const run = symgrad('--help');
    expect(run.status).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Usage: symgrad [options] [command]');
    expect(help).toContain('derive [options] <graph>');
    expect(help).toContain('--verbose print stack traces with errors (default: false)');
  });

  it('derive --help lists every flag with its default', () => {
    const run = symgrad('derive', '--help');
    expect(run.status).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Usage: symgrad derive [options] <graph>');
    expect(help).toContain(
      '--format <format> output format, one of text, markdown, latex, json (default: "text")',
    );
    expect(help).toContain(
      '--out <file> write to this file, replacing it atomically (default: standard output)',
    );
    expect(help).toContain('--verbose print stack traces with errors (default: false)');
  });
});
