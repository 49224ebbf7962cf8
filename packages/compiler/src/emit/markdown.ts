import type { DerivedProgram } from '../derive/types.js';
import { LatexFormatter, latexSymbol, updateLatex } from './latex.js';
import {
  type DerivationView,
  formatNumber,
  notationOf,
  type StepView,
  viewDerivation,
} from './printer.js';

/**
 * Every derivation as Markdown with KaTeX math: a heading per gradient, the steps as a
 * numbered list (rule in bold, the reason, the equation in a `$$` block), then the result,
 * the closed form and the update.
 */
export function renderMarkdown(derived: DerivedProgram): string {
  const notation = notationOf(derived);
  const latex = new LatexFormatter(notation);
  const intro = [
    `# ${escapeMarkdown(derived.forward.name)}`,
    `Every gradient of the loss $${latexSymbol(notation.lossSymbol)}$, derived step by step.`,
  ];
  const sections = derived.derivations.map((d) => derivationMarkdown(viewDerivation(d, latex)));
  return `${[...intro, ...sections].join('\n\n')}\n`;
}

function derivationMarkdown(view: DerivationView): string {
  const { derivation } = view;
  const parts = [
    `## $${view.lhs}$, the gradient with respect to \`${derivation.of}\``,
    view.steps.map(stepMarkdown).join('\n\n'),
    '**Result**',
    display(`${view.result.lhs} = ${view.result.rhs}`),
  ];
  if (view.closedForm) {
    parts.push('**Closed form**', display(`${view.closedForm.lhs} = ${view.closedForm.rhs}`));
  }
  if (view.update) {
    const { lhs, rhs } = updateLatex(view.update);
    const rate = formatNumber(view.update.learningRate);
    parts.push(
      `**Update**, with learning rate $\\alpha = ${rate}$, over a batch of $B$ examples`,
      display(`${lhs} \\leftarrow ${rhs}`),
    );
  }
  return parts.join('\n\n');
}

/** `1. **rule**: reason`, with the equation indented into the list item. */
function stepMarkdown(step: StepView, k: number): string {
  const marker = `${k + 1}. `;
  const indent = ' '.repeat(marker.length);
  const equation = display(`${step.lhs} = ${step.rhs}`)
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
  const reason = withoutTitle(step.description, step.title);
  const heading = `${marker}**${escapeMarkdown(step.title)}**: ${escapeMarkdown(reason)}`;
  return `${heading}\n\n${equation}`;
}

/** Descriptions often open with the rule's name, which the bold title already shows. */
function withoutTitle(description: string, title: string): string {
  const opening = `${title.toLowerCase()}: `;
  return description.toLowerCase().startsWith(opening)
    ? description.slice(opening.length)
    : description;
}

function display(latex: string): string {
  return `$$\n${latex}\n$$`;
}

/** Keeps descriptions such as `sum_j t_j` or `[m is the first argmax]` literal. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|$]/g, (c) => `\\${c}`);
}
