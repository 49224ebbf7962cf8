import type { DerivedProgram } from '../derive/types.js';
import { renderJson } from './json.js';
import { renderLatex } from './latex.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

/** The formats a derivation can be rendered in, as the CLI's `--format` names them. */
export const DERIVATION_FORMATS = ['text', 'markdown', 'latex', 'json'] as const;

export type DerivationFormat = (typeof DERIVATION_FORMATS)[number];

const RENDERERS: Readonly<Record<DerivationFormat, (derived: DerivedProgram) => string>> = {
  text: renderText,
  markdown: renderMarkdown,
  latex: renderLatex,
  json: renderJson,
};

export function isDerivationFormat(name: string): name is DerivationFormat {
  return (DERIVATION_FORMATS as readonly string[]).includes(name);
}

/**
 * Every derivation of `derived` in one format, ending with exactly one newline.
 *
 * @example renderDerivation(deriveGraph(graph), 'latex')
 */
export function renderDerivation(derived: DerivedProgram, format: DerivationFormat): string {
  return `${RENDERERS[format](derived).trimEnd()}\n`;
}
