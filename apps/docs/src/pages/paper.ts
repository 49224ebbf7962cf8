import { type DerivedProgram, deriveGraph, type GraphJson, resolveGraph } from '@symgrad/compiler';
import { codeBlock } from '../render/code.js';
import { derivationOfHtml, viewOf } from '../render/derivation.js';
import { escapeHtml } from '../render/html.js';
import { displayMath, inlineMath, proseWithMath } from '../render/math.js';
import type { Example } from './model.js';

/** One result of the paper: its statement, as printed there, and where symgrad derives it. */
interface PaperResult {
  readonly id: string;
  readonly name: string;
  readonly statement: string;
  /** The statement's formula, in the paper's own LaTeX. */
  readonly formula: string;
  readonly example: string;
  /** The weight whose gradient the result is about. */
  readonly weight: string;
  readonly form: 'result' | 'closedForm';
  readonly reading: string;
}

const RESULTS: readonly PaperResult[] = [
  {
    id: 'lemma-2-1',
    name: 'Lemma 2.1: a dense layer with squared error',
    statement:
      'Let $y_j$ be the output of the $j$-th output node, $t_j$ its desired value and $e_j = t_j - y_j$ its error; with a sigmoid output and $E = \\frac{1}{2} \\sum_j e_j^2$, the rate of change of $E$ with respect to the weight $w_{ij}$ is',
    formula: '\\frac{\\partial E}{\\partial w_{ij}} = -e_j\\, y_j\\, (1 - y_j)\\, x_i',
    example: 'paper-dense.json',
    weight: 'out/kernel',
    form: 'closedForm',
    reading:
      'The compiler numbers the output layer 1, so $w_{ij}$ is written $w^{1}_{i,j}$; otherwise the closed form it derives is the lemma, factor for factor.',
  },
  {
    id: 'theorem-2-2',
    name: 'Theorem 2.2: the weight gradient of a convolution',
    statement:
      'For a convolution layer $l$ with stride 1, an input of size $h \\times v$ and a kernel of size $k_1 \\times k_2$, with $\\delta^{l}_{i,j} = \\partial L / \\partial x^{l}_{i,j}$, the gradient of the loss with respect to the kernel is',
    formula:
      "\\frac{\\partial L}{\\partial w^{l}_{m',n'}} = \\sum_{i=0}^{h-k_1} \\sum_{j=0}^{v-k_2} \\delta^{l}_{i,j}\\, O^{l-1}_{i+m',j+n'}",
    example: 'paper-conv.json',
    weight: 'conv2/kernel',
    form: 'result',
    reading:
      'Here $l = 2$: conv2 reads the $6 \\times 6$ output of conv1 with a $2 \\times 2$ kernel, so the sums run to $h - k_1 = v - k_2 = 4$.',
  },
];

/** A graph that takes the paper one step further, and the gradients to look at in it. */
interface Generalisation {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly graph: GraphJson;
  readonly gradients: readonly string[];
}

const SOFTMAX_HEAD = [
  { type: 'flatten' },
  { type: 'dense', name: 'out', units: 2, activation: 'softmax' },
] as const;

function smallGraph(name: string, shape: number[], first: GraphJson['layers'][number]): GraphJson {
  return {
    name,
    input: { shape },
    layers: [first, ...SOFTMAX_HEAD],
    loss: 'softmaxCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.1 },
  } as GraphJson;
}

const GENERALISATIONS: readonly Generalisation[] = [
  {
    id: 'strides',
    title: 'Strides',
    text: "With stride 2 the forward equation reads the input at $2i + m$. Eliminating the Kronecker delta in the input gradient solves $i' = 2i + m$ for the kernel index, $m = i' - 2i$, and its range $0 \\le m \\le 2$ becomes limits on $i$ with ceilings and floors: a gather, with no scatter and no filter.",
    graph: smallGraph('stride-2', [7, 7, 1], {
      type: 'conv2d',
      name: 'conv',
      filters: 1,
      kernelSize: [3, 3],
      strides: [2, 2],
    } as GraphJson['layers'][number]),
    gradients: ['conv/kernel', 'x'],
  },
  {
    id: 'padding',
    title: 'Padding',
    text: "With 'same' padding the forward equation reads positions shifted by the padding, some of which fall outside the image at its borders. The derivation turns those bounds into the limits of each sum, so each gradient sums only over positions that exist.",
    graph: smallGraph('same-padding', [5, 5, 1], {
      type: 'conv2d',
      name: 'conv',
      filters: 1,
      kernelSize: [3, 3],
      padding: 'same',
    } as GraphJson['layers'][number]),
    gradients: ['conv/kernel', 'x'],
  },
  {
    id: 'channels',
    title: 'Channels',
    text: 'Two input channels and three filters: the kernel gains an input-channel and an output-channel axis. Each kernel element still meets only its own channel pair, so the gradient sums over positions, never over channels.',
    graph: smallGraph('channels', [6, 6, 2], {
      type: 'conv2d',
      name: 'conv',
      filters: 3,
      kernelSize: [3, 3],
    } as GraphJson['layers'][number]),
    gradients: ['conv/kernel'],
  },
  {
    id: 'max-pooling',
    title: 'Max pooling',
    text: 'The derivative of a maximum is an indicator: the gradient flows only to the position that won its window, the first such position where several tie.',
    graph: smallGraph('max-pooling', [4, 4, 1], {
      type: 'maxPooling2d',
      name: 'pool',
      poolSize: [2, 2],
    } as GraphJson['layers'][number]),
    gradients: ['x'],
  },
  {
    id: 'average-pooling',
    title: 'Average pooling with overlapping windows',
    text: 'Windows of 3 with stride 2 overlap, so an input position can belong to two windows; the gather form sums over exactly the windows that contain it.',
    graph: smallGraph('average-pooling', [7, 7, 1], {
      type: 'averagePooling2d',
      name: 'pool',
      poolSize: [3, 3],
      strides: [2, 2],
    } as GraphJson['layers'][number]),
    gradients: ['x'],
  },
];

/**
 * The page on the paper's two results: each statement beside the equation the compiler
 * derives from the matching example, then the same derivation carried to strides, padding,
 * channels, pooling and the gradients with respect to inputs.
 */
export function paperBody(examples: readonly Example[]): string {
  const derivedOf = (file: string): DerivedProgram => {
    const example = examples.find((e) => e.file === file);
    if (example === undefined) throw new Error(`examples/${file} is missing`);
    return deriveGraph(example.graph);
  };
  const conv = derivedOf('paper-conv.json');
  return `<section class="page-intro">
<p class="eyebrow">The paper</p>
<h1>Two results, derived by the compiler</h1>
<p class="lede">symgrad automates the derivations of <em>Backpropagation and the weight update</em>: Lemma 2.1 for a dense layer with squared error, and Theorem 2.2 for the weight gradient of a convolution. Each statement, as the paper prints it, stands beside what the compiler derives from the layer graph alone.</p>
</section>
${RESULTS.map((r) => resultHtml(r, derivedOf(r.example))).join('\n')}
<section class="generalised" aria-labelledby="general-heading">
<h2 id="general-heading">Generalised</h2>
<p>The paper derives the weight gradient for stride 1, one channel and no padding, and leaves out the gradient with respect to a layer's input, which backpropagation needs to reach the layers below. The same engine, with no rule written for any layer, derives all of them.</p>
${inputGradientHtml(conv)}
${GENERALISATIONS.map(generalisationHtml).join('\n')}
</section>`;
}

function resultHtml(result: PaperResult, derived: DerivedProgram): string {
  const view = viewOf(derived, result.weight);
  const equation = result.form === 'closedForm' ? view.closedForm : view.result;
  if (equation === undefined)
    throw new Error(`${result.example}: no ${result.form} for ${result.weight}`);
  return `<section class="paper-result" id="${result.id}" data-example="${escapeHtml(result.example)}" aria-labelledby="${result.id}-heading">
<h2 id="${result.id}-heading">${escapeHtml(result.name)}</h2>
<div class="side-by-side">
<div class="statement">
<p class="eyebrow">The paper states</p>
<p>${proseWithMath(result.statement)}</p>
${displayMath(result.formula)}
</div>
<div class="derived">
<p class="eyebrow">symgrad derives, from <a href="./model-${escapeHtml(result.example.replace('.json', ''))}.html"><code>examples/${escapeHtml(result.example)}</code></a></p>
<div class="derived-equation" data-of="${escapeHtml(result.weight)}" data-lhs="${escapeHtml(equation.lhs)}" data-rhs="${escapeHtml(equation.rhs)}">
${displayMath(`${equation.lhs} = ${equation.rhs}`)}
</div>
<p class="note">${proseWithMath(result.reading)}</p>
</div>
</div>
<details class="full-derivation"><summary>Every step of the derivation</summary>
${derivationOfHtml(derived, result.weight, `${result.id}-`)}
</details>
</section>`;
}

/** The gradient with respect to conv2's input in the paper's own network: δ^{l−1}. */
function inputGradientHtml(conv: DerivedProgram): string {
  const of = 'conv1/output';
  const view = viewOf(conv, of);
  return `<article class="generalisation" id="input-gradients" data-example="paper-conv.json">
<h3>Input gradients</h3>
<p>In <code>paper-conv</code>, conv2 reads the output ${inlineMath('O^{1}')} of conv1. Its gradient is the scatter of ${inlineMath('\\delta^{2}')} through every kernel position; eliminating the delta turns it into a gather, a sum over the kernel positions that reach each input, with its bounds worked out:</p>
${displayMath(`${view.result.lhs} = ${view.result.rhs}`)}
<details class="full-derivation"><summary>Every step</summary>
${derivationOfHtml(conv, of, 'input-gradients-')}
</details>
</article>`;
}

function generalisationHtml(g: Generalisation): string {
  const derived = deriveGraph(resolveGraph(g.graph, `${g.id}.json`));
  const equations = g.gradients.map((of) => {
    const view = viewOf(derived, of);
    return displayMath(`${view.result.lhs} = ${view.result.rhs}`);
  });
  const steps = g.gradients.map((of) => derivationOfHtml(derived, of, `${g.id}-`));
  return `<article class="generalisation" id="${g.id}">
<h3>${escapeHtml(g.title)}</h3>
<p>${proseWithMath(g.text)}</p>
<details class="graph-json"><summary>The layer graph</summary>
${codeBlock(JSON.stringify(g.graph, null, 2), 'json', `${g.id}.json`)}
</details>
${equations.join('\n')}
<details class="full-derivation"><summary>Every step</summary>
${steps.join('\n')}
</details>
</article>`;
}
