export {
  type DerivationDocument,
  type DerivationJson,
  derivationDocument,
  type EquationJson,
  type ExpressionJson,
  type RenderedJson,
  renderJson,
  type StepJson,
  type TensorJson,
} from './json.js';
export { LatexFormatter, latexExpr, latexStyle, renderLatex, updateLatex } from './latex.js';
export { renderMarkdown } from './markdown.js';
// `Notation` alone would clash with the IR's per-tensor `Notation` in the package index.
export { Notation as ProgramNotation, type TensorName } from './notation.js';
export {
  type DerivationView,
  type EquationView,
  ExprPrinter,
  formatNumber,
  notationOf,
  type Piece,
  type Precedence,
  type StepView,
  type Style,
  type UpdateView,
  viewDerivation,
  type Window,
} from './printer.js';
export {
  DERIVATION_FORMATS,
  type DerivationFormat,
  isDerivationFormat,
  renderDerivation,
} from './render.js';
export { ruleTitles } from './rules.js';
export { renderDerivationText, renderText, TextFormatter, textStyle, updateText } from './text.js';
