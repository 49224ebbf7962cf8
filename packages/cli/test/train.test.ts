import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, type Run, symgrad } from './run-cli.js';
import { oneHotTargets, type TensorJson, temporaryFolder, uniformTensor } from './small-graph.js';
import { skipWithoutAdapter, symgradOnWebGpu } from './webgpu-cli.js';

const SUMMARY = /^held-out accuracy \d+\.\d\d% after 1 epochs \(\d+\.\d s of training\)$/;

const folder = temporaryFolder();
const saved = join(folder.path, 'mlp-weights.json');

/** A quick run of the built-in MLP: one epoch on 256 digits, four batches of 64. */
const QUICK = ['train', '--epochs', '1', '--train-size', '256', '--batch-size', '64'];

/** The last line of standard output, where `train` sums up the run. */
function lastLine(run: Run): string {
  return run.stdout.trimEnd().split('\n').at(-1) ?? '';
}

/** The `loss 0.1234` figure of each `epoch n/m` line on stderr. */
function epochLosses(run: Run): string[] {
  return [...run.stderr.matchAll(/^epoch \d+\/\d+ {2}loss (\d+\.\d{4})/gm)].map((m) => m[1]!);
}

describe('symgrad train', () => {
  let cpu: Run;
  beforeAll(() => {
    cpu = symgrad(...QUICK, '--backend', 'cpu', '--save', saved);
  }, 60_000);

  it('trains the built-in MLP and sums up the held-out accuracy on the last line', () => {
    expect(cpu.status).toBe(0);
    expect(lastLine(cpu)).toMatch(SUMMARY);
    expect(cpu.stderr).toContain('training mlp on 256 MNIST digits');
    expect(epochLosses(cpu)).toHaveLength(1);
  });

  it('--save writes weights that symgrad grad loads', () => {
    const inputs = folder.file('digits.json', uniformTensor([2, 784], 5, 0, 1));
    const targets = folder.file('labels.json', oneHotTargets(2, 10));
    // The gradients of 100,000 weights are more than spawnSync buffers: they go to a file.
    const out = join(folder.path, 'mlp-gradients.json');
    const args = ['--weights', saved, '--inputs', inputs, '--targets', targets, '--out', out];
    const run = symgrad('grad', 'examples/mlp.json', ...args);

    expect(run).toMatchObject({ status: 0, stderr: '' });
    const { loss, gradients } = JSON.parse(readFileSync(out, 'utf8')) as {
      loss: number;
      gradients: Record<string, TensorJson>;
    };
    expect(Number.isFinite(loss)).toBe(true);
    const shapes = Object.fromEntries(Object.entries(gradients).map(([n, g]) => [n, g.shape]));
    expect(shapes).toEqual({
      'hidden/kernel': [784, 128],
      'hidden/bias': [128],
      'out/kernel': [128, 10],
      'out/bias': [10],
    });
  }, 30_000);

  it('trains a graph from a file: LeNet, one epoch on 128 digits', () => {
    const run = symgrad('train', 'examples/lenet.json', '--epochs', '1', '--train-size', '128');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('training lenet on 128 MNIST digits');
    expect(lastLine(run)).toMatch(SUMMARY);
  }, 60_000);

  it('refuses a graph that does not fit MNIST with one line naming the file and the fix', () => {
    const run = symgrad('train', 'examples/paper-conv.json', '--epochs', '1');
    expectOneLineError(run, [
      'symgrad: examples/paper-conv.json: ',
      'takes [8, 8, 1]',
      "change 'input.shape' or the last layer's units",
    ]);
  });

  it('--backend webgpu prints the per-epoch loss of --backend cpu', ({ skip }) => {
    const run = symgradOnWebGpu(...QUICK);
    skipWithoutAdapter(run, skip);
    expect(run.status).toBe(0);
    expect(lastLine(run)).toMatch(SUMMARY);
    expect(epochLosses(run)).toEqual(epochLosses(cpu));
  }, 60_000);
});
