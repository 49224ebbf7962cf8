import { escapeHtml } from '../render/html.js';
import type { Example } from './model.js';

/** The examples the playground can start from: those that take MNIST digits. */
export function playgroundPresets(examples: readonly Example[]): Record<string, string> {
  const digits = examples.filter((e) => e.graph.inputShape.reduce((n, d) => n * d, 1) === 784);
  return Object.fromEntries(digits.map((e) => [e.graph.name, e.text]));
}

/**
 * The playground's markup. Its script compiles the graph in the editor as you type, renders
 * the derivation and the code, and trains on the digits of `mnist.bin`.
 */
export function playgroundBody(presets: Record<string, string>): string {
  const options = Object.keys(presets)
    .map((name) => `<option value="${escapeHtml(name)}">${escapeHtml(name)}</option>`)
    .join('');
  const data = JSON.stringify(presets).replace(/</g, '\\u003c');
  return `<section class="page-intro">
<p class="eyebrow">Playground</p>
<h1>Edit a layer graph, watch it derive, train it</h1>
<p class="lede">The compiler runs in this page. Every edit is validated as you type; a valid graph is derived and compiled again at once. Training uses 2,000 MNIST digits and scores 500 held-out ones, on WebGPU where the browser offers it and on the CPU otherwise.</p>
</section>
<script type="application/json" id="presets">${data}</script>
<section class="playground">
<div class="editor-pane">
<div class="editor-bar">
<label for="preset">Start from</label>
<select id="preset">${options}</select>
</div>
<textarea id="graph-editor" wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off" aria-label="Layer graph JSON" aria-describedby="graph-status"></textarea>
<p id="graph-status" class="graph-status" role="status" aria-live="polite"></p>
</div>
<div class="train-pane">
<h2>Train on MNIST</h2>
<form id="train-form" class="train-form">
<label>Backend <select id="backend"><option value="auto">WebGPU if available</option><option value="webgpu">WebGPU</option><option value="cpu">CPU</option></select></label>
<label>Steps <input id="steps" type="number" min="1" max="5000" value="300"></label>
<label>Batch <input id="batch" type="number" min="1" max="256" value="32"></label>
<label>Learning rate <input id="learning-rate" type="number" min="0" step="any" value="0.1"></label>
<span class="train-buttons">
<button id="train" type="submit" class="button primary">Train</button>
<button id="stop" type="button" class="button" disabled>Stop</button>
</span>
</form>
<p id="train-status" class="train-status" role="status" aria-live="polite">Ready.</p>
<div id="chart" class="chart" aria-label="Loss and accuracy during training"></div>
</div>
</section>
<section class="playground-output">
<div class="tabs" role="tablist">
<button type="button" role="tab" class="tab" aria-selected="true" data-tab="derivation">Derivation</button>
<button type="button" role="tab" class="tab" aria-selected="false" data-tab="typescript">TypeScript</button>
<button type="button" role="tab" class="tab" aria-selected="false" data-tab="wgsl">WGSL</button>
<button type="button" role="tab" class="tab" aria-selected="false" data-tab="diagram">Graph</button>
</div>
<div class="tab-panel" data-panel="derivation"><div id="derivation-output" class="derivation-output"></div></div>
<div class="tab-panel" data-panel="typescript" hidden><div id="typescript-output"></div></div>
<div class="tab-panel" data-panel="wgsl" hidden><div id="wgsl-output"></div></div>
<div class="tab-panel" data-panel="diagram" hidden><figure id="diagram-output" class="diagram"></figure></div>
</section>`;
}
