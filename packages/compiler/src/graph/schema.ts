import { z } from 'zod';

/**
 * The layer graph JSON contract (DESIGN.md), as users write it: Keras / TensorFlow.js layer
 * names and fields, every default left out. Objects are strict so that a misspelt field is
 * reported instead of silently taking its default.
 */

export const LAYER_TYPES = [
  'dense',
  'conv2d',
  'maxPooling2d',
  'averagePooling2d',
  'flatten',
  'activation',
  'einsum',
] as const;

export const ACTIVATION_NAMES = [
  'linear',
  'sigmoid',
  'tanh',
  'relu',
  'leakyRelu',
  'elu',
  'softmax',
] as const;

export const LOSS_NAMES = ['squaredError', 'meanSquaredError', 'softmaxCrossEntropy'] as const;

export const PADDINGS = ['valid', 'same'] as const;

export const OPTIMIZER_TYPES = ['sgd'] as const;

const positiveInt = z.int().positive();

const positiveNumber = z.number().positive();

/** A window size or stride: one number for both axes, or `[height, width]`. */
const pair = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]);

/** Weight names are `<layer name>/kernel`, so a slash inside a layer name would be ambiguous. */
const layerName = z
  .string()
  .min(1)
  .refine((name) => !name.includes('/'), {
    message: "a layer name must not contain '/', which separates layer and weight names; remove it",
  });

const activationName = z.enum(ACTIVATION_NAMES);

/** `"relu"`, or `{ "name": "leakyRelu", "alpha": 0.1 }` for the activations with a parameter. */
const activation = z.union([
  activationName,
  z.strictObject({ name: activationName, alpha: z.number().optional() }),
]);

const padding = z.enum(PADDINGS);

const denseLayer = z.strictObject({
  type: z.literal('dense'),
  name: layerName.optional(),
  units: positiveInt,
  activation: activation.optional(),
  alpha: z.number().optional(),
  useBias: z.boolean().optional(),
});

const conv2dLayer = z.strictObject({
  type: z.literal('conv2d'),
  name: layerName.optional(),
  filters: positiveInt,
  kernelSize: pair,
  strides: pair.optional(),
  padding: padding.optional(),
  activation: activation.optional(),
  alpha: z.number().optional(),
  useBias: z.boolean().optional(),
});

const poolingFields = {
  name: layerName.optional(),
  poolSize: pair,
  strides: pair.optional(),
  padding: padding.optional(),
};

const maxPooling2dLayer = z.strictObject({ type: z.literal('maxPooling2d'), ...poolingFields });

const averagePooling2dLayer = z.strictObject({
  type: z.literal('averagePooling2d'),
  ...poolingFields,
});

const flattenLayer = z.strictObject({ type: z.literal('flatten'), name: layerName.optional() });

const activationLayer = z.strictObject({
  type: z.literal('activation'),
  name: layerName.optional(),
  activation,
  alpha: z.number().optional(),
});

const shape = z.array(positiveInt).min(1);

const einsumLayer = z.strictObject({
  type: z.literal('einsum'),
  name: layerName.optional(),
  equation: z.string(),
  weights: z.record(z.string(), shape).optional(),
  activation: activation.optional(),
  alpha: z.number().optional(),
});

/** Every layer schema by type, also used to list the fields a layer accepts in messages. */
export const layerSchemas = {
  dense: denseLayer,
  conv2d: conv2dLayer,
  maxPooling2d: maxPooling2dLayer,
  averagePooling2d: averagePooling2dLayer,
  flatten: flattenLayer,
  activation: activationLayer,
  einsum: einsumLayer,
} as const;

const layer = z.discriminatedUnion('type', [
  denseLayer,
  conv2dLayer,
  maxPooling2dLayer,
  averagePooling2dLayer,
  flattenLayer,
  activationLayer,
  einsumLayer,
]);

export const inputSchema = z.strictObject({
  shape: shape.refine((dims) => dims.length === 1 || dims.length === 3, {
    message:
      'an input shape has 1 entry [units] or 3 entries [height, width, channels], without the batch dimension; change it to one of those',
  }),
});

export const optimizerSchema = z.strictObject({
  type: z.enum(OPTIMIZER_TYPES),
  learningRate: positiveNumber,
});

export const graphSchema = z.strictObject({
  name: z.string().min(1),
  input: inputSchema,
  layers: z.array(layer).min(1),
  loss: z.enum(LOSS_NAMES),
  optimizer: optimizerSchema.optional(),
});

/** A layer graph as users write it in JSON or build it with `graph(...)`. */
export type GraphJson = z.input<typeof graphSchema>;

/** One entry of `layers` as users write it. */
export type LayerJson = z.input<typeof layer>;

/** An activation as users write it: a name, or a name with `alpha`. */
export type ActivationJson = z.input<typeof activation>;

/** The object form of an activation, whose fields the messages list for an unknown field. */
export const activationObjectSchema = activation.options[1];
