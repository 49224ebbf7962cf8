import type { Activation, Graph, Layer } from '@symgrad/compiler';
import { escapeHtml } from './html.js';

/** One box of the diagram: what it is, its details, and the shape it outputs. */
interface Node {
  readonly kind: string;
  readonly title: string;
  readonly detail: string;
  readonly shape: string;
}

const WIDTH = 320;
const BOX = 58;
const GAP = 26;
/** About as many characters of the detail line as fit in a box; longer ones end in `…`. */
const DETAIL_CHARACTERS = 46;

/**
 * The layer graph as an SVG: the input, each layer with its settings and output shape, and
 * the loss, top to bottom, joined by arrows.
 */
export function graphDiagram(graph: Graph): string {
  const nodes: Node[] = [
    { kind: 'input', title: 'input', detail: 'one example', shape: shapeText(graph.inputShape) },
    ...graph.layers.map(layerNode),
    { kind: 'loss', title: 'loss', detail: graph.loss, shape: 'mean over the batch' },
  ];
  const height = nodes.length * (BOX + GAP) - GAP + 2;
  const boxes = nodes.map((node, k) => boxSvg(node, 1 + k * (BOX + GAP)));
  const arrows = nodes.slice(1).map((_, k) => arrowSvg(1 + (k + 1) * (BOX + GAP) - GAP));
  const label = `The layer graph ${graph.name}: ${nodes.map((n) => n.title).join(', then ')}`;
  return `<svg class="graph-diagram" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${WIDTH + 2} ${height}" width="${WIDTH + 2}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<defs><marker id="arrow-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs>
${[...arrows, ...boxes].join('\n')}
</svg>`;
}

function boxSvg(node: Node, top: number): string {
  return `<g class="node node-${node.kind}">
<rect x="1" y="${top}" width="${WIDTH}" height="${BOX}" rx="8"/>
<text class="title" x="14" y="${top + 23}">${escapeHtml(node.title)}</text>
<text class="shape" x="${WIDTH - 12}" y="${top + 23}" text-anchor="end">${escapeHtml(node.shape)}</text>
<text class="detail" x="14" y="${top + 44}">${escapeHtml(clipped(node.detail, DETAIL_CHARACTERS))}<title>${escapeHtml(node.detail)}</title></text>
</g>`;
}

function arrowSvg(top: number): string {
  const x = 1 + WIDTH / 2;
  return `<line class="arrow" x1="${x}" y1="${top + 2}" x2="${x}" y2="${top + GAP - 3}" marker-end="url(#arrow-head)"/>`;
}

function layerNode(layer: Layer): Node {
  const title = `${layer.type} ${layer.name}`;
  return {
    kind: layer.type,
    title,
    detail: layerDetail(layer),
    shape: shapeText(layer.outputShape),
  };
}

/** The settings that decide the layer's equation, as a person would list them. */
function layerDetail(layer: Layer): string {
  switch (layer.type) {
    case 'dense':
      return joined([
        `${layer.units} units`,
        activationText(layer.activation),
        bias(layer.useBias),
      ]);
    case 'conv2d':
      return joined([
        `${layer.filters} × ${layer.kernelSize.join('×')} filters`,
        `stride ${layer.strides.join('×')}`,
        layer.padding,
        activationText(layer.activation),
      ]);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return joined([
        `${layer.poolSize.join('×')} window`,
        `stride ${layer.strides.join('×')}`,
        layer.padding,
      ]);
    case 'flatten':
      return 'to one axis';
    case 'activation':
      return activationText(layer.activation);
    case 'einsum':
      return layer.equation;
  }
}

function activationText(activation: Activation): string {
  return 'alpha' in activation ? `${activation.name} (α = ${activation.alpha})` : activation.name;
}

function bias(useBias: boolean): string {
  return useBias ? 'bias' : 'no bias';
}

function joined(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join(' · ');
}

function clipped(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
