import {
  type DerivationView,
  type DerivedProgram,
  type Equation,
  LatexFormatter,
  notationOf,
  ProgramNotation,
  type Schedule,
  updateLatex,
  viewDerivation,
} from '@symgrad/compiler';
import { escapeHtml, slug } from './html.js';
import { displayMath } from './math.js';

/**
 * Which kernel writes which tensor: the link between an equation and its code. Pages that
 * show no code pass `undefined`.
 */
export type KernelsByTensor = ReadonlyMap<string, string> | undefined;

/** The id of the element that shows the equation or derivation defining `tensor`. */
export function equationId(tensor: string): string {
  return `eq-${slug(tensor)}`;
}

/** The id of the card that shows the kernel writing `tensor`. */
export function kernelId(kernel: string): string {
  return `kernel-${slug(kernel)}`;
}

/**
 * The forward equations of a derived program, each typeset in the paper's notation and linked
 * to the kernel that computes it.
 */
export function forwardHtml(derived: DerivedProgram, kernels: KernelsByTensor): string {
  return equationsHtml(derived.forward.equations, new LatexFormatter(notationOf(derived)), kernels);
}

/**
 * The equations a schedule adds to its derived program (each max-pool window's winner, kept
 * for the gradient), typeset and linked like the forward ones; empty where there are none.
 */
export function storedHtml(
  derived: DerivedProgram,
  schedule: Schedule,
  kernels: KernelsByTensor,
): string {
  if (schedule.stored.length === 0) return '';
  const tensors = [...derived.tensors, ...schedule.stored.map((s) => s.tensor)];
  const latex = new LatexFormatter(new ProgramNotation(tensors, derived.forward.loss));
  return equationsHtml(
    schedule.stored.map((s) => s.equation),
    latex,
    kernels,
  );
}

function equationsHtml(
  equations: readonly Equation[],
  latex: LatexFormatter,
  kernels: KernelsByTensor,
): string {
  const items = equations.map((e) => {
    const lhs = latex.element(e.tensor, e.indices);
    const rhs = latex.expr(e.body);
    return `<li class="equation linkable" id="${equationId(e.tensor)}" ${linkAttributes(e.tensor, kernels)} data-lhs="${escapeHtml(lhs)}" data-rhs="${escapeHtml(rhs)}">
<p class="caption">${escapeHtml(equationCaption(e))}${kernelButton(e.tensor, kernels)}</p>
${displayMath(`${lhs} = ${rhs}`)}
</li>`;
  });
  return `<ol class="equations">${items.join('\n')}</ol>`;
}

function equationCaption(e: Equation): string {
  const what = e.comment ?? 'forward equation';
  return e.layer === undefined ? capitalise(what) : `Layer ${e.layer}: ${what}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Every derivation, each step with the rule it applied and why, as the compiler's own LaTeX
 * renderer writes it (`viewDerivation` with the LaTeX style, the rows of `renderLatex`).
 */
export function derivationsHtml(derived: DerivedProgram, kernels: KernelsByTensor): string {
  const latex = new LatexFormatter(notationOf(derived));
  return derived.derivations
    .map((d) => derivationHtml(viewDerivation(d, latex), kernels))
    .join('\n');
}

/** The derivation of the gradient with respect to the forward tensor `of`. */
export function derivationOfHtml(derived: DerivedProgram, of: string, idPrefix: string): string {
  const view = viewOf(derived, of);
  return derivationHtml(view, undefined, idPrefix);
}

/** The gradient with respect to `of`, as the compiler's LaTeX renderer shows it. */
export function viewOf(derived: DerivedProgram, of: string): DerivationView {
  const derivation = derived.derivations.find((d) => d.of === of);
  if (derivation === undefined) {
    throw new Error(`the graph ${derived.forward.name} has no derivation of the gradient of ${of}`);
  }
  return viewDerivation(derivation, new LatexFormatter(notationOf(derived)));
}

function derivationHtml(view: DerivationView, kernels: KernelsByTensor, idPrefix = ''): string {
  const d = view.derivation;
  const rows: string[] = [];
  let shown: string | undefined;
  for (const step of view.steps) {
    const lhs = step.lhs === shown ? '' : step.lhs;
    rows.push(row('step', step.rule, step.title, step.description, step.lhs, step.rhs, lhs));
    shown = step.lhs;
  }
  const { result, closedForm, update } = view;
  rows.push(row('result', 'result', 'result', '', result.lhs, result.rhs, result.lhs));
  if (closedForm) {
    const { lhs, rhs } = closedForm;
    rows.push(row('closed-form', 'closedForm', 'closed form', '', lhs, rhs, lhs));
  }
  if (update) {
    const { lhs, rhs } = updateLatex(update);
    const note = `Gradient descent over a batch of B examples, with learning rate α = ${update.learningRate}.`;
    rows.push(row('update', 'update', 'update', note, lhs, rhs, lhs, '\\leftarrow'));
  }

  return `<article class="derivation linkable" id="${idPrefix}${equationId(d.adjoint)}" ${linkAttributes(d.adjoint, kernels)} data-of="${escapeHtml(d.of)}">
<header><h3>The gradient with respect to <code>${escapeHtml(d.of)}</code></h3>${kernelButton(d.adjoint, kernels)}</header>
<ol class="steps">${rows.join('\n')}</ol>
</article>`;
}

/** One row: the rule's name, why it applies, and the equation after it. */
function row(
  kind: string,
  rule: string,
  title: string,
  description: string,
  lhs: string,
  rhs: string,
  shownLhs: string,
  relation = '=',
): string {
  const reason = withoutTitle(description, title);
  const why = reason === '' ? '' : ` <span class="why">${escapeHtml(reason)}</span>`;
  return `<li class="${kind}" data-rule="${escapeHtml(rule)}" data-lhs="${escapeHtml(lhs)}" data-rhs="${escapeHtml(rhs)}">
<p class="rule"><span class="tag">${escapeHtml(title)}</span>${why}</p>
${displayMath(`${shownLhs === '' ? '' : `${shownLhs} `}${relation} ${rhs}`)}
</li>`;
}

/**
 * The description without the rule's name where it opens with it, as in `bounds: conditions
 * that…`: the tag beside it already names the rule.
 */
export function withoutTitle(description: string, title: string): string {
  const opening = `${title}: `;
  const opens = description.slice(0, opening.length).toLowerCase() === opening.toLowerCase();
  return opens ? description.slice(opening.length) : description;
}

/** Marks an element with the kernel that computes it, or says that none does. */
function linkAttributes(tensor: string, kernels: KernelsByTensor): string {
  const kernel = kernels?.get(tensor);
  return kernel === undefined
    ? `data-tensor="${escapeHtml(tensor)}"`
    : `data-tensor="${escapeHtml(tensor)}" data-kernel="${escapeHtml(kernel)}"`;
}

function kernelButton(tensor: string, kernels: KernelsByTensor): string {
  if (kernels === undefined) return '';
  const kernel = kernels.get(tensor);
  if (kernel === undefined) {
    return ' <span class="no-kernel">no kernel of its own: training inlines it or leaves it out</span>';
  }
  return ` <a class="to-kernel" href="#${kernelId(kernel)}" data-select="${escapeHtml(kernel)}">kernel <code>${escapeHtml(kernel)}</code></a>`;
}
