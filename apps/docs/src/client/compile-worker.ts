/**
 * Derives and compiles the playground's graph off the page's thread: a large graph takes
 * seconds to derive, typeset and highlight, and the editor must stay live meanwhile. Each
 * request carries an id; the page shows only the answer to its latest request.
 */
import {
  compileTypeScript,
  deriveGraph,
  emitWgsl,
  parseGraphText,
  SymgradError,
} from '@symgrad/compiler';
import { codeBlock } from '../render/code.js';
import { derivationsHtml } from '../render/derivation.js';
import { graphDiagram } from '../render/diagram.js';

export interface CompileRequest {
  readonly id: number;
  readonly text: string;
  readonly file: string;
}

/** The derivation and both kinds of code as HTML, or the compiler's message. */
export type CompileAnswer =
  | {
      readonly id: number;
      readonly ok: true;
      readonly diagram: string;
      readonly derivation: string;
      readonly typescript: string;
      readonly wgsl: string;
    }
  | { readonly id: number; readonly ok: false; readonly message: string };

function compile({ id, text, file }: CompileRequest): CompileAnswer {
  const graph = parseGraphText(text, file);
  const { schedule, module } = compileTypeScript(graph);
  const shaders = emitWgsl(schedule).shaders.map((s) => `// ---- ${s.entryPoint}\n${s.code}`);
  return {
    id,
    ok: true,
    diagram: graphDiagram(graph),
    derivation: derivationsHtml(deriveGraph(graph), undefined),
    typescript: codeBlock(module.source, 'typescript', 'TypeScript'),
    wgsl: codeBlock(shaders.join('\n'), 'wgsl', 'WGSL'),
  };
}

self.addEventListener('message', (event: MessageEvent<CompileRequest>) => {
  let answer: CompileAnswer;
  try {
    answer = compile(event.data);
  } catch (error) {
    const known = error instanceof SymgradError;
    const message = error instanceof Error ? error.message : String(error);
    answer = {
      id: event.data.id,
      ok: false,
      message: known ? message : `symgrad failed: ${message}`,
    };
  }
  self.postMessage(answer);
});
