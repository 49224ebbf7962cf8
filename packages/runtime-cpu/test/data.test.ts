import { describe, expect, it } from 'vitest';
import { DataError, TrainingError, train } from '../src/index.js';
import { exampleGraph, modelOf } from './helpers.js';

function dataError(action: () => unknown): DataError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).not.toContain('\n');
    return error as DataError;
  }
  return expect.fail('expected a DataError');
}

describe('inputs and targets', () => {
  const model = modelOf(exampleGraph('paper-conv'));
  model.initialize(2);
  const targets = { shape: [2, 3], data: [1, 0, 0, 0, 1, 0] };
  const files = { inputs: 'x.json', targets: 't.json' };

  it('take [batch, ...inputShape] or one flat row per example', () => {
    const image = new Array(128).fill(0.25);
    const nested = model.gradients({ shape: [2, 8, 8, 1], data: image }, targets, files);
    const flat = model.gradients({ shape: [2, 64], data: image }, targets, files);
    expect(flat).toEqual(nested);
  });

  it('of the wrong shape are named with the shape expected', () => {
    const error = dataError(() =>
      model.gradients({ shape: [2, 7, 8, 1], data: new Array(112).fill(0) }, targets, files),
    );
    expect(error.code).toBe('E_DATA_SHAPE');
    expect(error.message).toBe(
      "inputs 'x.json' have shape [2, 7, 8, 1], graph 'paper-conv' takes [batch, 8, 8, 1]; give one example of 64 values per index of the first axis",
    );
  });

  it('must agree with their shape and with each other', () => {
    expect(
      dataError(() => model.gradients({ shape: [2, 8, 8, 1], data: [1, 2] }, targets, files))
        .message,
    ).toBe("inputs 'x.json' have shape [2, 8, 8, 1] but 2 values; that shape holds 128");
    expect(
      dataError(() =>
        model.gradients({ shape: [3, 64], data: new Array(192).fill(0) }, targets, files),
      ).message,
    ).toBe("targets 't.json' hold 2 examples, inputs 'x.json' hold 3; give one target per input");
    expect(
      dataError(() =>
        model.gradients(
          { shape: [2, 64], data: new Array(128).fill(0) },
          { shape: [2, 4], data: new Array(8).fill(0) },
          files,
        ),
      ).message,
    ).toMatch(/^targets 't.json' have shape \[2, 4\], graph 'paper-conv' takes \[batch, 3\]/);
  });

  it('of a data set must fit the graph', () => {
    const examples = { inputs: new Float32Array(10 * 63), targets: new Float32Array(30), size: 10 };
    expect(dataError(() => model.evaluate(examples)).message).toBe(
      "the evaluation data hold 630 inputs values for 10 examples, graph 'paper-conv' needs 64 per example (shape [8, 8, 1])",
    );
  });

  it('train only with sensible options', () => {
    const examples = { inputs: new Float32Array(64), targets: new Float32Array(3), size: 1 };
    expect(() => train(model, { train: examples }, { epochs: 1, batchSize: 0 })).toThrowError(
      TrainingError,
    );
    expect(() => train(model, { train: examples }, { epochs: -1, batchSize: 1 })).toThrowError(
      /epochs -1 must be a whole number/,
    );
  });
});
