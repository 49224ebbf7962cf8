import { type ActivationJson, GraphError, type LayerJson } from '@symgrad/compiler';
import type { KerasLayer } from './topology.js';

/**
 * Keras / TensorFlow.js layer configs to symgrad layer JSON. Only options that change the
 * forward function are checked; initializers, regularizers and constraints shape training in
 * Keras but not the function a model computes, so they are ignored.
 */

/** What one Keras layer becomes: a symgrad layer, or nothing with a note saying why. */
export type Mapped = { readonly layer: LayerJson } | { readonly dropped: string };

/** Where a layer sits, for messages: `model.json: layer 'conv2d_1' (Conv2D)`. */
export interface Site {
  readonly file: string;
  readonly layer: KerasLayer;
}

type Mapper = (site: Site) => Mapped;

const MAPPERS: Readonly<Record<string, Mapper>> = {
  Dense: mapDense,
  Conv2D: mapConv2d,
  MaxPooling2D: (site) => mapPooling(site, 'maxPooling2d'),
  AveragePooling2D: (site) => mapPooling(site, 'averagePooling2d'),
  Flatten: mapFlatten,
  Activation: (site) => ({
    layer: { type: 'activation', name: site.layer.name, activation: activation(site) },
  }),
  // Keras 2 and tfjs call the slope `alpha` (default 0.3), Keras 3 `negative_slope`.
  LeakyReLU: (site) => {
    const { alpha, negative_slope } = site.layer.config;
    const slope = numberOr(alpha ?? negative_slope, 0.3, site, 'alpha');
    return { layer: activationLayer(site, { name: 'leakyRelu', alpha: slope }) };
  },
  ELU: (site) => {
    const alpha = numberOr(site.layer.config.alpha, 1, site, 'alpha');
    return { layer: activationLayer(site, { name: 'elu', alpha }) };
  },
  ReLU: (site) => {
    const { max_value, negative_slope, threshold } = site.layer.config;
    forbid(site, 'max_value', max_value, (v) => v == null, 'remove the cap');
    forbid(site, 'negative_slope', negative_slope, (v) => !v, 'use a LeakyReLU layer');
    forbid(site, 'threshold', threshold, (v) => !v, 'use a threshold of 0');
    return { layer: activationLayer(site, 'relu') };
  },
  Softmax: (site) => {
    forbid(site, 'axis', site.layer.config.axis, (v) => v == null || v === -1, 'use axis -1');
    return { layer: activationLayer(site, 'softmax') };
  },
  // Dropout scales nothing at inference time (Keras scales during training instead).
  Dropout: (site) => ({
    dropped: `dropped Dropout layer '${site.layer.name}': it is the identity at inference, and symgrad trains without dropout`,
  }),
};

/** Maps one layer, or throws a one-line `GraphError` naming the layer, its class and the fix. */
export function mapLayer(site: Site): Mapped {
  const mapper = MAPPERS[site.layer.className];
  if (mapper === undefined) {
    throw layerError(
      site,
      'E_TFJS_CLASS',
      `symgrad has no layer like it; supported are InputLayer, ${Object.keys(MAPPERS).join(', ')}; replace or remove it before importing`,
    );
  }
  return mapper(site);
}

function mapDense(site: Site): Mapped {
  const { units, use_bias } = site.layer.config;
  return {
    layer: {
      type: 'dense',
      name: site.layer.name,
      units: Number(units),
      activation: activation(site),
      useBias: use_bias !== false,
    },
  };
}

function mapConv2d(site: Site): Mapped {
  const { filters, kernel_size, strides, use_bias, dilation_rate, groups } = site.layer.config;
  channelsLast(site);
  forbid(site, 'dilation_rate', dilation_rate, (v) => isOnes(v), 'use dilation_rate 1');
  forbid(site, 'groups', groups, (v) => v == null || v === 1, 'use groups 1');
  return {
    layer: {
      type: 'conv2d',
      name: site.layer.name,
      filters: Number(filters),
      kernelSize: pair(kernel_size, site, 'kernel_size'),
      strides: pair(strides ?? 1, site, 'strides'),
      padding: padding(site),
      activation: activation(site),
      useBias: use_bias !== false,
    },
  };
}

function mapPooling(site: Site, type: 'maxPooling2d' | 'averagePooling2d'): Mapped {
  const { pool_size, strides } = site.layer.config;
  channelsLast(site);
  const poolSize = pair(pool_size ?? 2, site, 'pool_size');
  return {
    layer: {
      type,
      name: site.layer.name,
      poolSize,
      strides: strides == null ? poolSize : pair(strides, site, 'strides'),
      padding: padding(site),
    },
  };
}

function mapFlatten(site: Site): Mapped {
  channelsLast(site);
  return { layer: { type: 'flatten', name: site.layer.name } };
}

function activationLayer(site: Site, activation: ActivationJson): LayerJson {
  return { type: 'activation', name: site.layer.name, activation };
}

/** Keras activation names to symgrad's; Keras's `elu` activation always has alpha 1. */
const ACTIVATIONS: Readonly<Record<string, ActivationJson>> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softmax: 'softmax',
  elu: { name: 'elu', alpha: 1 },
};

function activation(site: Site): ActivationJson {
  const value = site.layer.config.activation ?? 'linear';
  const mapped = typeof value === 'string' ? ACTIVATIONS[value] : undefined;
  if (mapped !== undefined) return mapped;
  throw optionError(
    site,
    'activation',
    value,
    `use one of ${Object.keys(ACTIVATIONS).join(', ')}, or a LeakyReLU or ELU layer`,
  );
}

function padding(site: Site): 'valid' | 'same' {
  const value = site.layer.config.padding ?? 'valid';
  if (value === 'valid' || value === 'same') return value;
  throw optionError(site, 'padding', value, "use 'valid' or 'same'");
}

/** symgrad's layouts are TensorFlow's default `[batch, height, width, channels]`. */
function channelsLast(site: Site): void {
  const value = site.layer.config.data_format;
  const fix = "use data_format 'channels_last' (images [height, width, channels])";
  forbid(site, 'data_format', value, (v) => v == null || v === 'channels_last', fix);
}

/** `3` or `[3, 3]` as symgrad's `[height, width]`. */
function pair(value: unknown, site: Site, option: string): [number, number] {
  const [height, width] = Array.isArray(value) ? value : [value, value];
  if (Number.isInteger(height) && Number.isInteger(width)) return [height, width];
  throw optionError(site, option, value, 'give one whole number or two');
}

function isOnes(value: unknown): boolean {
  return value == null || (Array.isArray(value) ? value.every((v) => v === 1) : value === 1);
}

function numberOr(value: unknown, fallback: number, site: Site, option: string): number {
  if (value == null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw optionError(site, option, value, 'give a number');
}

function forbid(
  site: Site,
  option: string,
  value: unknown,
  allowed: (value: unknown) => boolean,
  fix: string,
): void {
  if (!allowed(value)) throw optionError(site, option, value, fix);
}

function optionError(site: Site, option: string, value: unknown, fix: string): GraphError {
  const text = `${option} ${JSON.stringify(value)} is not supported by symgrad; ${fix}`;
  return layerError(site, 'E_TFJS_OPTION', text);
}

/** `model.json: layer 'conv2d_1' (Conv2D): <what is wrong>; <what to do>`. */
export function layerError(site: Site, code: string, text: string): GraphError {
  return new GraphError(
    code,
    `${site.file}: layer '${site.layer.name}' (${site.layer.className}): ${text}`,
  );
}
