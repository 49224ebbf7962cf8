import { describe, expect, it } from 'vitest';
import { GraphError, SymgradError } from '../../src/errors.js';
import { parseGraphText, resolveGraph } from '../../src/graph/index.js';

const LENET = {
  name: 'lenet',
  input: { shape: [28, 28, 1] },
  layers: [
    { type: 'conv2d', name: 'conv1', filters: 6, kernelSize: [5, 5], activation: 'relu' },
    { type: 'maxPooling2d', poolSize: [2, 2] },
    { type: 'flatten' },
    { type: 'dense', name: 'out', units: 10, activation: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
};

/** LeNet with the layer at `index` replaced (or extra fields merged with `merge`). */
function lenetWith(index: number, layer: Record<string, unknown>, merge = false) {
  const layers: unknown[] = [...LENET.layers];
  layers[index] = merge ? { ...LENET.layers[index], ...layer } : layer;
  return { ...LENET, layers };
}

function failure(run: () => unknown): SymgradError {
  try {
    run();
  } catch (error) {
    if (error instanceof SymgradError) return error;
    throw error;
  }
  throw new Error('expected a SymgradError');
}

/** Resolves `json` as lenet.json and returns the error, checking it is one line. */
function graphFailure(json: unknown): SymgradError {
  const error = failure(() => resolveGraph(json, 'lenet.json'));
  expect(error.message).not.toContain('\n');
  expect(error.message.startsWith('lenet.json: ')).toBe(true);
  return error;
}

describe('graph errors: one line naming the file, the JSON path and the fix', () => {
  it('accepts the contract example', () => {
    expect(resolveGraph(LENET, 'lenet.json').layers.at(-1)?.outputShape).toEqual([10]);
  });

  it('E_JSON names the line and column of malformed JSON', () => {
    const text = '{\n  "name": "lenet",\n  "loss": "squaredError"\n  "layers": []\n}';
    const error = failure(() => parseGraphText(text, 'lenet.json'));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.code).toBe('E_JSON');
    expect(error.message).toMatch(/^lenet\.json: line 4, column 3: invalid JSON \(.+\); fix /);
    expect(error.message).not.toContain('\n');
  });

  it('E_JSON at the end of a truncated file', () => {
    const error = failure(() => parseGraphText('{\n  "name": ', 'cut.json'));
    expect(error.code).toBe('E_JSON');
    expect(error.message).toContain('cut.json: line 2, column 11: invalid JSON');
  });

  it('E_UNKNOWN_LAYER lists the layer types', () => {
    const error = graphFailure(lenetWith(1, { type: 'conv3d', filters: 3 }));
    expect(error.code).toBe('E_UNKNOWN_LAYER');
    expect(error.message).toBe(
      "lenet.json: layers[1].type: unknown layer type 'conv3d'; use one of dense, conv2d, maxPooling2d, averagePooling2d, flatten, activation, einsum (did you mean 'conv2d'?)",
    );
  });

  it('E_UNKNOWN_ACTIVATION lists the activations, for names and objects', () => {
    const byName = graphFailure(lenetWith(3, { activation: 'swish' }, true));
    expect(byName.code).toBe('E_UNKNOWN_ACTIVATION');
    expect(byName.message).toBe(
      "lenet.json: layers[3].activation: unknown activation 'swish'; use one of linear, sigmoid, tanh, relu, leakyRelu, elu, softmax",
    );

    const byObject = graphFailure(lenetWith(0, { activation: { name: 'Relu' } }, true));
    expect(byObject.code).toBe('E_UNKNOWN_ACTIVATION');
    expect(byObject.message).toContain("layers[0].activation.name: unknown activation 'Relu'");
    expect(byObject.message).toContain("(did you mean 'relu'?)");
  });

  it('E_SCHEMA for a missing field names the field and its type', () => {
    const error = graphFailure(lenetWith(3, { type: 'dense', activation: 'softmax' }));
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toBe(
      "lenet.json: layers[3].units: missing field 'units' (a positive integer); add it",
    );
  });

  it('E_SCHEMA for a wrong type says what was expected and what was found', () => {
    const error = graphFailure(lenetWith(0, { filters: '6' }, true));
    expect(error.message).toBe(
      'lenet.json: layers[0].filters: expected a positive integer but got the string "6"; write the number without quotes',
    );

    const pair = graphFailure(lenetWith(0, { kernelSize: 'large' }, true));
    expect(pair.message).toBe(
      'lenet.json: layers[0].kernelSize: expected a positive integer or a pair [height, width] but got the string "large"; replace it with a positive integer or a pair [height, width]',
    );
  });

  it('E_SCHEMA for zero and negative sizes asks for a positive integer', () => {
    const zero = graphFailure(lenetWith(0, { filters: 0 }, true));
    expect(zero.code).toBe('E_SCHEMA');
    expect(zero.message).toBe(
      'lenet.json: layers[0].filters: must be positive but is 0; use a positive integer',
    );

    const negative = graphFailure(lenetWith(1, { strides: [2, -1] }, true));
    expect(negative.message).toBe(
      'lenet.json: layers[1].strides[1]: must be positive but is -1; use a positive integer',
    );

    const shape = graphFailure({ ...LENET, input: { shape: [28, 0, 1] } });
    expect(shape.message).toContain('lenet.json: input.shape[1]: must be positive but is 0');
  });

  it('E_SCHEMA for an unknown field suggests the field meant, or lists the fields', () => {
    const typo = graphFailure(lenetWith(0, { kernalSize: 5, kernelSize: undefined }, true));
    expect(typo.code).toBe('E_SCHEMA');
    expect(typo.message).toBe(
      "lenet.json: layers[0].kernalSize: unknown field 'kernalSize'; rename it to 'kernelSize'",
    );

    const stray = graphFailure(lenetWith(2, { dataFormat: 'channelsLast' }, true));
    expect(stray.message).toBe(
      "lenet.json: layers[2].dataFormat: unknown field 'dataFormat'; remove it (the fields here are type, name)",
    );
  });

  it('E_SCHEMA for an unknown padding lists the paddings', () => {
    const error = graphFailure(lenetWith(0, { padding: 'full' }, true));
    expect(error.message).toBe(
      "lenet.json: layers[0].padding: unknown padding 'full'; use one of valid, same",
    );
  });

  it('E_SCHEMA for an input shape that is neither [n] nor [h, w, c]', () => {
    const error = graphFailure({ ...LENET, input: { shape: [28, 28] } });
    expect(error.message).toMatch(/^lenet\.json: input\.shape: .*; change it/);
  });

  it('E_SCHEMA for alpha on an activation without one', () => {
    const error = graphFailure(lenetWith(0, { alpha: 0.1 }, true));
    expect(error.code).toBe('E_SCHEMA');
    expect(error.message).toBe(
      "lenet.json: layers[0] (conv2d 'conv1'): alpha only applies to the leakyRelu and elu activations, not 'relu'; remove it or change the activation",
    );
  });

  it('E_SHAPE for a dense layer on an image asks for a flatten layer', () => {
    const layers = [LENET.layers[0], LENET.layers[1], LENET.layers[3]];
    const error = graphFailure({ ...LENET, layers });
    expect(error.code).toBe('E_SHAPE');
    expect(error.message).toBe(
      'lenet.json: layers[2] (dense \'out\'): a dense layer needs a 1-D input but gets [12, 12, 6]; add a { "type": "flatten" } layer before it',
    );
  });

  it('E_SHAPE for a convolution after flatten', () => {
    const layers = [{ type: 'flatten' }, LENET.layers[0]];
    const error = graphFailure({ ...LENET, layers, loss: 'squaredError' });
    expect(error.code).toBe('E_SHAPE');
    expect(error.message).toContain(
      "lenet.json: layers[1] (conv2d 'conv1'): needs a 3-D [height, width, channels] input but gets [784]; ",
    );
  });

  it('E_SHAPE for softmax on an image', () => {
    const layers = [{ type: 'activation', activation: 'softmax' }];
    const error = graphFailure({ ...LENET, layers, loss: 'squaredError' });
    expect(error.code).toBe('E_SHAPE');
    expect(error.message).toContain("layers[0] (activation 'activation_1'): softmax needs a 1-D");
  });

  it('E_KERNEL_TOO_LARGE when a valid window does not fit its input', () => {
    const error = graphFailure({ ...LENET, input: { shape: [3, 3, 1] } });
    expect(error.code).toBe('E_KERNEL_TOO_LARGE');
    expect(error.message).toBe(
      "lenet.json: layers[0] (conv2d 'conv1'): kernel 5x5 is larger than its 3x3 input under valid padding; use padding 'same' or a smaller kernelSize",
    );

    const pool = graphFailure(lenetWith(1, { poolSize: [2, 30] }, true));
    expect(pool.code).toBe('E_KERNEL_TOO_LARGE');
    expect(pool.message).toContain('pool window 2x30 is larger than its 24x24 input');
    expect(pool.message).toContain('a smaller poolSize');
  });

  it('E_DUPLICATE_NAME for a repeated name, including a default one', () => {
    const repeated = graphFailure(lenetWith(3, { name: 'conv1' }, true));
    expect(repeated.code).toBe('E_DUPLICATE_NAME');
    expect(repeated.message).toBe(
      'lenet.json: layers[3]: the name \'conv1\' is already used by layers[0]; give one of them a different "name"',
    );

    const clash = graphFailure(lenetWith(0, { name: 'maxPooling2d_1' }, true));
    expect(clash.message).toContain("layers[1]: the default name 'maxPooling2d_1' is already used");
  });

  it('E_LOSS when softmaxCrossEntropy follows a relu or an image', () => {
    const relu = graphFailure(lenetWith(3, { activation: 'relu' }, true));
    expect(relu.code).toBe('E_LOSS');
    expect(relu.message).toBe(
      'lenet.json: loss: softmaxCrossEntropy needs the last layer layers[3] (dense \'out\') to end in softmax or linear, not relu; change its activation to "softmax"',
    );

    const image = graphFailure({ ...LENET, layers: [LENET.layers[0]] });
    expect(image.code).toBe('E_LOSS');
    expect(image.message).toContain('needs a 1-D output but the last layer layers[0]');

    const unknown = graphFailure({ ...LENET, loss: 'crossEntropy' });
    expect(unknown.code).toBe('E_LOSS');
    expect(unknown.message).toBe(
      "lenet.json: loss: unknown loss 'crossEntropy'; use one of squaredError, meanSquaredError, softmaxCrossEntropy",
    );
  });

  it('E_EINSUM names the layer', () => {
    const layer = {
      type: 'einsum',
      name: 'mix',
      equation: 'y[i] = sum(j) w[i,j] * x[k]',
      weights: { w: [4, 4] },
    };
    const error = graphFailure({ ...LENET, input: { shape: [4] }, layers: [layer] });
    expect(error.code).toBe('E_EINSUM');
    expect(error.message).toContain("lenet.json: layers[0] (einsum 'mix'): unbound index k");
  });

  it('reports only the first problem', () => {
    const json = { ...LENET, name: 5, loss: 'nope' };
    expect(graphFailure(json).message).toMatch(/^lenet\.json: name: /);
  });

  it('uses <graph> as the file when none is given', () => {
    expect(failure(() => resolveGraph(42)).message).toBe(
      '<graph>: top level: expected an object but got 42; replace it with an object',
    );
  });
});
