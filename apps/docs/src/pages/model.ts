import {
  compileTypeScript,
  type DerivedProgram,
  deriveGraph,
  emitWgsl,
  type Graph,
} from '@symgrad/compiler';
import { codeBlock } from '../render/code.js';
import { derivationsHtml, forwardHtml, storedHtml } from '../render/derivation.js';
import { graphDiagram } from '../render/diagram.js';
import { escapeHtml } from '../render/html.js';
import { type EmittedCode, kernelsByTensor, kernelsHtml } from '../render/kernels.js';

/** A model of `examples/`: its file, its JSON text and the graph parsed from it. */
export interface Example {
  readonly file: string;
  readonly text: string;
  readonly graph: Graph;
}

/** What the compiler makes of an example: the derivation `symgrad derive` prints, and code. */
export interface CompiledExample {
  readonly derived: DerivedProgram;
  readonly code: EmittedCode;
}

/** Derives, schedules and emits an example, as the CLI does for `derive` and `emit`. */
export function compileExample(graph: Graph): CompiledExample {
  const compiled = compileTypeScript(graph);
  return {
    derived: deriveGraph(graph),
    code: {
      schedule: compiled.schedule,
      typescript: compiled.module.source,
      wgsl: emitWgsl(compiled.schedule),
    },
  };
}

/**
 * The tensors that training keeps beside the derivation's, where the schedule adds any: a
 * max-pool's gradient reads each window's winner from one, instead of scanning the window.
 */
function storedSection(compiled: CompiledExample, kernels: ReturnType<typeof kernelsByTensor>) {
  const stored = storedHtml(compiled.derived, compiled.code.schedule, kernels);
  if (stored === '') return '';
  return `<h2>Stored for the gradients</h2>
<p class="note">A max-pool's gradient tests each element against the position of its window's first maximum. The schedule computes that position once per window, in a kernel of its own, rather than once per element; the gradient's kernel reads it as <em>p</em>.</p>
${stored}`;
}

/**
 * The page of one model: the layer graph, then the forward equations and every derivation
 * beside the kernels that compute them. Selecting a kernel highlights its equation, and the
 * reverse.
 */
export function modelBody(example: Example, compiled: CompiledExample): string {
  const { derived, code } = compiled;
  const kernels = kernelsByTensor(code.schedule);
  const counts = `${derived.forward.equations.length} forward equations, ${derived.derivations.length} derivations, ${code.schedule.kernels.length} kernels`;
  return `<section class="page-intro">
<p class="eyebrow">Model · <code>examples/${escapeHtml(example.file)}</code></p>
<h1>${escapeHtml(example.graph.name)}</h1>
<p class="lede">${counts}. Select a kernel to see the equation or derivation it implements; select a derivation to see its kernel.</p>
</section>
<section class="graph-section" aria-labelledby="graph-heading">
<h2 id="graph-heading">The layer graph</h2>
<div class="graph-grid">
<figure class="diagram">${graphDiagram(example.graph)}</figure>
<div class="graph-source">${codeBlock(example.text.trimEnd(), 'json', `${example.file}`)}</div>
</div>
</section>
<section class="linked" aria-label="Equations and kernels">
<div class="math-column">
<h2>Forward equations</h2>
${forwardHtml(derived, kernels)}
<h2>Derivations</h2>
<p class="note">Reverse mode, one adjoint at a time, in the order they can be computed. Each row names the rule that produced it.</p>
${derivationsHtml(derived, kernels)}
${storedSection(compiled, kernels)}
</div>
<aside class="code-column" aria-label="Kernels">
<h2>Kernels</h2>
<p class="note">In the order one training step runs them. TypeScript runs on the CPU, WGSL on WebGPU.</p>
<div class="kernel-list">
${kernelsHtml(code)}
</div>
</aside>
</section>
<section class="module-section">
<details><summary>The whole emitted TypeScript module</summary>
${codeBlock(code.typescript, 'typescript', `${example.graph.name}.ts`)}
</details>
</section>`;
}
