import { deriveGraph } from '@symgrad/compiler';
import { viewOf } from '../render/derivation.js';
import { escapeHtml } from '../render/html.js';
import { displayMath } from '../render/math.js';
import type { Example } from './model.js';

/** The front page: what symgrad does, one result it derives, and where to read on. */
export function homeBody(examples: readonly Example[]): string {
  const dense = examples.find((e) => e.file === 'paper-dense.json');
  if (dense === undefined) throw new Error('examples/paper-dense.json is missing');
  const view = viewOf(deriveGraph(dense.graph), 'out/kernel');
  const closed = view.closedForm ?? view.result;
  const cards = examples
    .map(
      (e) => `<li><a class="card" href="./model-${escapeHtml(e.graph.name)}.html">
<span class="card-title">${escapeHtml(e.graph.name)}</span>
<span class="card-text">${e.graph.layers.length} ${e.graph.layers.length === 1 ? 'layer' : 'layers'} · input [${e.graph.inputShape.join(', ')}]</span>
<span class="card-text">${escapeHtml(e.graph.loss)}</span>
</a></li>`,
    )
    .join('\n');
  return `<section class="hero">
<h1>Gradients derived the way you would on paper, then compiled.</h1>
<p class="lede">symgrad takes a layer graph, derives every gradient of the loss symbolically, step by step, at the level of index expressions, and emits TypeScript for the CPU and WGSL compute shaders for WebGPU. No gradient is written by hand.</p>
<p class="actions"><a class="button primary" href="./playground.html">Open the playground</a> <a class="button" href="./paper.html">The paper's results</a></p>
</section>
<section class="teaser">
<p class="eyebrow">From <code>examples/paper-dense.json</code>, the compiler derives</p>
${displayMath(`${closed.lhs} = ${closed.rhs}`)}
<p>That is Lemma 2.1 of the paper, found by the chain rule, a table of scalar derivatives and the elimination of Kronecker deltas. <a href="./model-paper-dense.html">Read every step</a>.</p>
</section>
<section>
<h2>The models</h2>
<p>Each model page shows the layer graph, every derivation step with the rule it applied, and the kernels generated from them; select one to find the other.</p>
<ul class="cards">
${cards}
</ul>
</section>
<section>
<h2>Run it yourself</h2>
<p>In the <a href="./playground.html">playground</a> the compiler runs in your browser: edit a layer graph, watch the derivation and the code change, and train the model on MNIST digits, on WebGPU where your browser has it and on the CPU otherwise. From a clone of the repository, <code>pnpm docs:dev</code> serves this site and <code>pnpm docs:build</code> builds it.</p>
</section>`;
}
