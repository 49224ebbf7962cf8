import { GraphError } from '../errors.js';

/** Where a layer sits, for messages: `lenet.json: layers[0] (conv2d 'conv1')`. */
export interface LayerSite {
  readonly file: string;
  /** JSON path of the layer, `layers[i]`. */
  readonly path: string;
  readonly type: string;
  readonly name: string;
}

/** The location prefix of every message about a layer. */
export function siteText(site: LayerSite): string {
  return `${site.file}: ${site.path} (${site.type} '${site.name}')`;
}

/** A one-line `GraphError` about a layer: `text` says what is wrong, then `; ` and the fix. */
export function layerError(site: LayerSite, code: string, text: string): GraphError {
  return new GraphError(code, `${siteText(site)}: ${text}`);
}

/** Renders a shape as users write it: `[4, 4, 6]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
