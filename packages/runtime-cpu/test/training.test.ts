import { describe, expect, it } from 'vitest';
import { train } from '../src/index.js';
import { modelOf } from './helpers.js';
import { quadrantNet, quadrants } from './synthetic.js';

describe('train', () => {
  const data = { train: quadrants(256, 1), test: quadrants(128, 2) };

  it('lowers the loss of a small problem and learns to classify it', () => {
    const model = modelOf(quadrantNet, { maxBatch: 16 });
    model.initialize(7);
    const before = model.evaluate(data.test);
    const history = train(model, data, { epochs: 30, batchSize: 16, seed: 3 });

    expect(history).toHaveLength(30);
    const last = history.at(-1)!;
    expect(last.loss).toBeLessThan(history[0]!.loss / 2);
    expect(last.testLoss!).toBeLessThan(before.loss / 2);
    expect(last.testAccuracy!).toBeGreaterThan(0.9);
  });

  it('reports every batch and every epoch', () => {
    const model = modelOf(quadrantNet);
    model.initialize(7);
    const batches: number[] = [];
    const epochs: number[] = [];
    train(
      model,
      { train: data.train },
      {
        epochs: 2,
        batchSize: 100,
        onBatch: (info) => batches.push(info.step),
        onEpoch: (record) => epochs.push(record.epoch),
      },
    );
    // 256 examples in batches of 100: 100, 100, 56.
    expect(batches).toEqual([1, 2, 3, 1, 2, 3]);
    expect(epochs).toEqual([1, 2]);
  });

  it('steps the same with trainStep as with the graph learning rate by default', () => {
    const first = modelOf(quadrantNet);
    const second = modelOf(quadrantNet);
    first.initialize(9);
    second.initialize(9);
    const lossA = first.trainStep(data.train.inputs, data.train.targets, 32);
    const lossB = second.trainStep(data.train.inputs, data.train.targets, 32, 0.5);
    expect(lossA).toBe(lossB);
    expect(first.weights()).toEqual(second.weights());
  });

  it('predicts one row of outputs per example', () => {
    const model = modelOf(quadrantNet);
    model.initialize(9);
    const outputs = model.predict(data.test.inputs, 5);
    expect(outputs).toHaveLength(10);
    for (let example = 0; example < 5; example += 1) {
      expect(outputs[2 * example]! + outputs[2 * example + 1]!).toBeCloseTo(1, 6);
    }
  });
});
