import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import typescript from 'highlight.js/lib/languages/typescript';
import { escapeHtml } from './html.js';
import { wgsl } from './wgsl-grammar.js';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('wgsl', wgsl);

export type CodeLanguage = 'typescript' | 'javascript' | 'json' | 'wgsl';

/** Source code with syntax highlighting, in a block that scrolls sideways on narrow screens. */
export function codeBlock(code: string, language: CodeLanguage, label?: string): string {
  const html = hljs.highlight(code, { language, ignoreIllegals: true }).value;
  const aria = label === undefined ? '' : ` aria-label="${escapeHtml(label)}"`;
  return `<pre class="code" tabindex="0"${aria}><code class="hljs language-${language}">${html}</code></pre>`;
}
