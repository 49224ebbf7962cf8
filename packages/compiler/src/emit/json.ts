import type { Derivation, DerivedProgram } from '../derive/types.js';
import type { Expr, TensorDecl } from '../program/ir.js';
import { LatexFormatter, updateLatex } from './latex.js';
import type { Notation } from './notation.js';
import { type DerivationView, type ExprPrinter, notationOf, viewDerivation } from './printer.js';
import { ruleTitles } from './rules.js';
import { TextFormatter, updateText } from './text.js';

/** A left-hand side or a tensor's name, as text and as LaTeX. */
export interface RenderedJson {
  readonly text: string;
  readonly latex: string;
}

/** An expression as text, as LaTeX, and as the tensor-program IR it was rendered from. */
export interface ExpressionJson extends RenderedJson {
  readonly ir: Expr;
}

/** An equation `lhs = rhs`. */
export interface EquationJson {
  readonly lhs: RenderedJson;
  readonly rhs: ExpressionJson;
}

export interface StepJson {
  readonly rule: string;
  readonly title: string;
  readonly description: string;
  /** The left-hand side after this step, which a renaming step changes. */
  readonly lhs: RenderedJson;
  readonly before: ExpressionJson;
  readonly after: ExpressionJson;
}

export interface DerivationJson {
  /** The adjoint tensor defined, such as `grad(out/kernel)`. */
  readonly adjoint: string;
  /** The forward tensor it is the gradient of, such as `out/kernel`. */
  readonly of: string;
  readonly indices: readonly { readonly name: string; readonly extent: number }[];
  readonly lhs: RenderedJson;
  readonly steps: readonly StepJson[];
  readonly result: EquationJson;
  readonly closedForm: EquationJson | null;
  readonly update: { readonly learningRate: number; readonly equation: RenderedJson } | null;
}

export interface TensorJson {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: string;
  readonly layer: string | null;
  readonly notation: RenderedJson;
}

/** The document `renderJson` writes; `version` changes when its shape does. */
export interface DerivationDocument {
  readonly format: 'symgrad-derivation';
  readonly version: 1;
  readonly graph: string;
  readonly loss: string;
  readonly tensors: readonly TensorJson[];
  readonly weightGradients: readonly { readonly weight: string; readonly gradient: string }[];
  readonly derivations: readonly DerivationJson[];
}

/** Renders every expression of a derivation in both formats at once. */
class Renderers {
  readonly text: TextFormatter;
  readonly latex: LatexFormatter;

  constructor(notation: Notation) {
    this.text = new TextFormatter(notation);
    this.latex = new LatexFormatter(notation);
  }

  expression(ir: Expr): ExpressionJson {
    return { text: this.text.expr(ir), latex: this.latex.expr(ir), ir };
  }

  both<T>(render: (printer: ExprPrinter) => T): { text: T; latex: T } {
    return { text: render(this.text), latex: render(this.latex) };
  }
}

/** The JSON document of a derivation, before serialisation. */
export function derivationDocument(derived: DerivedProgram): DerivationDocument {
  const renderers = new Renderers(notationOf(derived));
  return {
    format: 'symgrad-derivation',
    version: 1,
    graph: derived.forward.name,
    loss: derived.forward.loss,
    tensors: derived.tensors.map((t) => tensorJson(t, renderers)),
    weightGradients: derived.weightGradients.map(({ weight, gradient }) => ({ weight, gradient })),
    derivations: derived.derivations.map((d) => derivationJson(d, renderers)),
  };
}

/**
 * Every derivation as a stable JSON document: keys in a fixed order, each expression as
 * text, LaTeX and IR. Objects and arrays that fit on a line of 100 columns stay on one line,
 * so that shapes and index expressions read at a glance.
 */
export function renderJson(derived: DerivedProgram): string {
  return `${formatJson(derivationDocument(derived), '', 100)}\n`;
}

/**
 * `JSON.stringify(value, null, 2)`, except that a value that fits in `width` columns stays
 * on one line; `lead` is the length of the key written before it on its first line.
 */
export function formatJson(value: unknown, indent: string, width: number, lead = 0): string {
  const flat = flatJson(value);
  if (indent.length + lead + flat.length <= width) return flat;
  if (value === null || typeof value !== 'object') return flat;

  const inner = `${indent}  `;
  const entries = Array.isArray(value)
    ? value.map((item) => formatJson(item ?? null, inner, width))
    : Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => {
          const prefix = `${JSON.stringify(key)}: `;
          return prefix + formatJson(item, inner, width, prefix.length);
        });
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${entries.map((e) => inner + e).join(',\n')}\n${indent}${close}`;
}

/** One line, spaced as a person writes it: `{ "name": "x", "shape": [3, 2] }`. */
function flatJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => flatJson(item ?? null)).join(', ')}]`;
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const fields = entries.map(([key, item]) => `${JSON.stringify(key)}: ${flatJson(item)}`);
  return `{ ${fields.join(', ')} }`;
}

function tensorJson(t: TensorDecl, renderers: Renderers): TensorJson {
  const notation = renderers.both((p) => p.element(t.name, []));
  return { name: t.name, shape: t.shape, role: t.role, layer: t.layer ?? null, notation };
}

function derivationJson(d: Derivation, renderers: Renderers): DerivationJson {
  const views = renderers.both((p) => viewDerivation(d, p));
  const lhs = (pick: (view: DerivationView) => string | undefined) => ({
    text: pick(views.text) ?? '',
    latex: pick(views.latex) ?? '',
  });
  const steps = d.steps.map((step, k) => ({
    rule: step.rule,
    title: ruleTitles[step.rule],
    description: step.description,
    lhs: lhs((v) => v.steps[k]?.lhs),
    before: renderers.expression(step.before),
    after: renderers.expression(step.after),
  }));
  return {
    adjoint: d.adjoint,
    of: d.of,
    indices: d.indices.map(({ name, extent }) => ({ name, extent })),
    lhs: lhs((v) => v.lhs),
    steps,
    result: { lhs: lhs((v) => v.result.lhs), rhs: renderers.expression(d.result) },
    closedForm: d.closedForm
      ? { lhs: lhs((v) => v.closedForm?.lhs), rhs: renderers.expression(d.closedForm) }
      : null,
    update: updateJson(views),
  };
}

function updateJson(views: {
  text: DerivationView;
  latex: DerivationView;
}): DerivationJson['update'] {
  const { text, latex } = views;
  if (!text.update || !latex.update) return null;
  const { lhs, rhs } = updateLatex(latex.update);
  return {
    learningRate: text.update.learningRate,
    equation: { text: updateText(text.update), latex: `${lhs} \\leftarrow ${rhs}` },
  };
}
