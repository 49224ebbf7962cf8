import { type LayerSite, layerError, shapeText } from './site.js';
import type { Padding, Shape } from './types.js';

/**
 * Shape inference with TensorFlow's semantics, so that graphs, weights and data move between
 * symgrad and TensorFlow.js unchanged. Shapes never include the batch dimension.
 */

/** Zero padding on one axis, in rows or columns before and after the input. */
export interface AxisPadding {
  readonly before: number;
  readonly after: number;
}

/**
 * The output size of a convolution or pooling window along one axis, as TensorFlow computes it:
 * valid `floor((in - k) / s) + 1`, same `ceil(in / s)`. Under valid padding a window larger
 * than its input leaves no output; callers reject that before asking.
 *
 * @example convOutputSize(28, 5, 1, 'valid') === 24; convOutputSize(7, 3, 2, 'same') === 4
 */
export function convOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
): number {
  if (padding === 'same') return Math.ceil(inSize / stride);
  return Math.floor((inSize - kernel) / stride) + 1;
}

/**
 * TensorFlow's split of `same` padding: the total `max((out - 1) * s + k - in, 0)` is halved,
 * and an odd extra row or column goes after the input (bottom / right), not before.
 *
 * @example samePadding(6, 3, 2) is { before: 0, after: 1 }; samePadding(5, 4, 1) is { 1, 2 }
 */
export function samePadding(inSize: number, kernel: number, stride: number): AxisPadding {
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before };
}

/** The padding of one axis for either mode; valid padding pads nothing. */
export function axisPadding(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
): AxisPadding {
  return padding === 'same' ? samePadding(inSize, kernel, stride) : { before: 0, after: 0 };
}

/** A sliding 2-D window: a convolution kernel or a pooling window. */
export interface Window2d {
  readonly size: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  /** The JSON field that sets the size, named in the fix: `kernelSize` or `poolSize`. */
  readonly sizeField: 'kernelSize' | 'poolSize';
}

/**
 * The `[outHeight, outWidth, channels]` of a window sliding over a `[h, w, c]` input.
 * Throws E_SHAPE for an input that is not 3-D and E_KERNEL_TOO_LARGE when the window does
 * not fit the input under valid padding.
 */
export function window2dOutputShape(
  site: LayerSite,
  inputShape: Shape,
  window: Window2d,
  channels: number,
): Shape {
  const [height, width] = requireImage(site, inputShape);
  const [kh, kw] = window.size;
  const [sh, sw] = window.strides;

  if (window.padding === 'valid' && (kh > height || kw > width)) {
    const noun = window.sizeField === 'kernelSize' ? 'kernel' : 'pool window';
    throw layerError(
      site,
      'E_KERNEL_TOO_LARGE',
      `${noun} ${kh}x${kw} is larger than its ${height}x${width} input under valid padding; use padding 'same' or a smaller ${window.sizeField}`,
    );
  }

  const outHeight = convOutputSize(height, kh, sh, window.padding);
  const outWidth = convOutputSize(width, kw, sw, window.padding);
  return [outHeight, outWidth, channels];
}

/** The `[height, width, channels]` of an image input; anything else is E_SHAPE. */
export function requireImage(
  site: LayerSite,
  inputShape: Shape,
): readonly [number, number, number] {
  const [height, width, channels] = inputShape;
  if (inputShape.length === 3 && height && width && channels) return [height, width, channels];
  throw layerError(
    site,
    'E_SHAPE',
    `needs a 3-D [height, width, channels] input but gets ${shapeText(inputShape)}; move it before any flatten or dense layer, or give the graph an input shape [height, width, channels]`,
  );
}

/**
 * The size of a 1-D input. Dense layers and softmax work on vectors; an image must be
 * flattened first, which is the fix the message gives.
 */
export function requireVector(site: LayerSite, inputShape: Shape, purpose: string): number {
  const [size] = inputShape;
  if (inputShape.length === 1 && size !== undefined) return size;
  throw layerError(
    site,
    'E_SHAPE',
    `${purpose} needs a 1-D input but gets ${shapeText(inputShape)}; add a { "type": "flatten" } layer before it`,
  );
}

/** Flatten is row-major over `[h, w, c]`, as in Keras: channel fastest, then width, then height. */
export function flattenOutputShape(inputShape: Shape): Shape {
  return [inputShape.reduce((size, dim) => size * dim, 1)];
}
