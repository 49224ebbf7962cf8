import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The package, not its sources: this package's tsconfig (rootDir '.') takes no file from
// another package's src. The tests' global setup rebuilds it when its sources are newer.
import { deriveGraph, interpretGradients, resolveGraph } from '@symgrad/compiler';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, type Run, symgrad } from './run-cli.js';
import {
  CONV_POOL_DENSE,
  CONV_POOL_DENSE_SHAPES,
  examples,
  oneHotTargets,
  type TensorJson,
  temporaryFolder,
  uniformTensor,
} from './small-graph.js';
import { skipWithoutAdapter, symgradOnWebGpu } from './webgpu-cli.js';

/** What `symgrad grad` writes. */
interface GradResult {
  readonly loss: number;
  readonly gradients: Record<string, TensorJson>;
}

const BATCH = 4;
const folder = temporaryFolder();
const weights: Record<string, TensorJson> = Object.fromEntries(
  Object.entries(CONV_POOL_DENSE_SHAPES).map(([name, shape], k) => [
    name,
    uniformTensor(shape, 10 + k),
  ]),
);
const inputs = uniformTensor([BATCH, 6, 6, 1], 20, 0, 1);
const targets = oneHotTargets(BATCH, 3);
const files = {
  graph: folder.file('conv-pool-dense.json', CONV_POOL_DENSE),
  weights: folder.file('weights.json', weights),
  inputs: folder.file('inputs.json', inputs),
  targets: folder.file('targets.json', targets),
};

/** The compiler's float64 interpreter of the derived equations: what every backend must give. */
const oracle = interpretGradients(
  deriveGraph(resolveGraph(CONV_POOL_DENSE)),
  Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, w.data])),
  examples(inputs),
  examples(targets),
);

/** `grad` on the fixture files, with some of them replaced. */
function gradArgs(replaced: Partial<typeof files> = {}): string[] {
  const { graph, weights, inputs, targets } = { ...files, ...replaced };
  return ['grad', graph, '--weights', weights, '--inputs', inputs, '--targets', targets];
}

/** The result of a successful run, which writes nothing but the JSON. */
function resultOf(run: Run): GradResult {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as GradResult;
}

/**
 * Within 1e-4 of `expected`, relative to each value; a value near zero, where float32
 * cancellation dominates, is held to 1e-4 of a thousandth of the tensor's largest.
 */
function expectNear(actual: readonly number[], expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  const largest = Math.max(...Array.from(expected, Math.abs));
  for (let k = 0; k < expected.length; k += 1) {
    const want = expected[k]!;
    const tolerance = 1e-4 * Math.max(Math.abs(want), 1e-3 * largest, 1e-12);
    if (!(Math.abs(actual[k]! - want) <= tolerance)) {
      expect.fail(`${what}[${k}] is ${actual[k]}, the float64 oracle gives ${want}`);
    }
  }
}

function expectMatchesOracle(result: GradResult): void {
  expectNear([result.loss], [oracle.loss], 'loss');
  expect(Object.keys(result.gradients).sort()).toEqual(Object.keys(oracle.gradients).sort());
  for (const [name, gradient] of Object.entries(result.gradients)) {
    expectNear(gradient.data, oracle.gradients[name]!, name);
  }
}

describe('symgrad grad on conv + maxpool + flatten + dense softmax', () => {
  let cpu: Run;
  beforeAll(() => {
    cpu = symgrad(...gradArgs(), '--backend', 'cpu');
  });

  it('gives the loss and gradients of the float64 oracle within 1e-4 on the cpu', () => {
    expectMatchesOracle(resultOf(cpu));
  });

  it('reports every weight, by name, in its Keras shape', () => {
    const { gradients } = resultOf(cpu);
    const shapes = Object.fromEntries(Object.entries(gradients).map(([n, g]) => [n, g.shape]));
    expect(shapes).toEqual(CONV_POOL_DENSE_SHAPES);
    for (const [name, gradient] of Object.entries(gradients)) {
      expect(gradient.data.length, name).toBe(weights[name]!.data.length);
    }
  });

  it('gives the same numbers with --backend webgpu', ({ skip }) => {
    const run = symgradOnWebGpu(...gradArgs());
    skipWithoutAdapter(run, skip);
    const result = resultOf(run);
    expectMatchesOracle(result);

    const onCpu = resultOf(cpu);
    expectNear([result.loss], [onCpu.loss], 'loss against the cpu');
    expect(Object.keys(result.gradients)).toEqual(Object.keys(onCpu.gradients));
    for (const [name, gradient] of Object.entries(onCpu.gradients)) {
      expect(result.gradients[name]!.shape, name).toEqual(gradient.shape);
      expectNear(result.gradients[name]!.data, gradient.data, `${name} against the cpu`);
    }
  }, 60_000);

  it('--out writes the same JSON atomically, replacing the old file and leaving no other', () => {
    const outFolder = join(folder.path, 'out');
    mkdirSync(outFolder);
    const out = join(outFolder, 'g.json');
    writeFileSync(out, '{ "stale": true }\n');

    // No --backend: the cpu is the default, so the JSON is the one above.
    const run = symgrad(...gradArgs(), '--out', out);
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(cpu.stdout);
    expect(readdirSync(outFolder)).toEqual(['g.json']);
  });
});

const { 'conv/bias': _bias, ...weightsWithoutBias } = weights;

/** Weights whose `conv/bias` holds 1e999, which JSON.parse reads as Infinity. */
const overflowingWeights = JSON.stringify({
  ...weights,
  'conv/bias': { shape: [2], data: [0.1, 'OVERFLOW'] },
}).replace('"OVERFLOW"', '1e999');

/** Inputs whose first value is -1e999, written by hand: JSON.stringify writes no such number. */
const overflowingInputs = JSON.stringify({
  ...inputs,
  data: ['OVERFLOW', ...inputs.data.slice(1)],
}).replace('"OVERFLOW"', '-1e999');

/**
 * One bad file per mistake: which flag it goes to, its content (none: no file at all), and
 * what the message must say besides the file's path.
 */
interface BadInput {
  readonly mistake: string;
  readonly flag: 'weights' | 'inputs' | 'targets';
  readonly name: string;
  readonly content?: unknown;
  readonly parts: string[];
}

const BAD_INPUTS: BadInput[] = [
  {
    mistake: 'a weights file missing a weight',
    flag: 'weights',
    name: 'missing-weight.json',
    content: weightsWithoutBias,
    parts: ["no weight 'conv/bias'", 'needs [2]', 'add it'],
  },
  {
    mistake: 'a weight of the wrong shape',
    flag: 'weights',
    name: 'transposed-weight.json',
    content: { ...weights, 'out/kernel': { shape: [3, 8], data: weights['out/kernel']!.data } },
    parts: ["weight 'out/kernel'", 'has shape [3, 8]', 'needs [8, 3]'],
  },
  {
    mistake: 'a weight value past the float range (1e999)',
    flag: 'weights',
    name: 'overflowing-weight.json',
    content: overflowingWeights,
    parts: ["weight 'conv/bias'", 'index 1', 'not a finite number'],
  },
  {
    mistake: 'a weight value "NaN"',
    flag: 'weights',
    name: 'nan-weight.json',
    content: { ...weights, 'conv/bias': { shape: [2], data: ['NaN', 0.1] } },
    parts: ["weight 'conv/bias'", '"NaN" at index 0', 'not a finite number'],
  },
  {
    mistake: 'an input value past the float range (-1e999)',
    flag: 'inputs',
    name: 'overflowing-inputs.json',
    content: overflowingInputs,
    parts: ['"data"[0]', 'not a finite number'],
  },
  {
    mistake: 'inputs whose examples do not fit the graph',
    flag: 'inputs',
    name: 'small-inputs.json',
    content: uniformTensor([BATCH, 5, 5, 1], 21),
    parts: ['[4, 5, 5, 1]', 'takes [batch, 6, 6, 1]'],
  },
  {
    mistake: 'targets of another batch size than the inputs',
    flag: 'targets',
    name: 'three-targets.json',
    content: oneHotTargets(3, 3),
    parts: ['3 examples', `'${files.inputs}' hold 4`, 'one target per input'],
  },
  {
    mistake: 'malformed JSON in the inputs',
    flag: 'inputs',
    name: 'malformed-inputs.json',
    content: '{ "shape": [4, 6, 6, 1], "data": [0.5, 0.25,, ] }',
    parts: ['not valid JSON', '"shape": [batch, ...]'],
  },
  {
    mistake: 'a missing inputs file',
    flag: 'inputs',
    name: 'no-such-inputs.json',
    parts: ['no such file', 'check the path'],
  },
  {
    mistake: 'a missing weights file',
    flag: 'weights',
    name: 'no-such-weights.json',
    parts: ['cannot read', 'no such file'],
  },
];

const badRuns = new Map<string, Run>();

/** `grad` with one bad file, written when it has content; each case runs once. */
function gradWithBad(flag: BadInput['flag'], name: string, content?: unknown) {
  const file = content === undefined ? join(folder.path, name) : folder.file(name, content);
  const run = badRuns.get(file) ?? symgrad(...gradArgs({ [flag]: file }));
  badRuns.set(file, run);
  return { file, run };
}

describe.each(BAD_INPUTS)('symgrad grad with $mistake', ({ flag, name, content, parts }) => {
  it('exits 1 with one line naming the file and what to change', () => {
    const { file, run } = gradWithBad(flag, name, content);
    expectOneLineError(run, [file, ...parts]);
    expect(run.status).toBe(1);
  });
});

describe('symgrad grad messages name what the file holds', () => {
  // JSON.stringify(Infinity) is 'null': the messages must not claim that the file holds null.
  it('names an overflowing weight as it reads it, not as null', () => {
    const { run } = gradWithBad('weights', 'overflowing-weight.json', overflowingWeights);
    expect(run.stderr).toMatch(/Infinity|1e999/);
  });

  it('names an overflowing input as it reads it, not as null', () => {
    const { run } = gradWithBad('inputs', 'overflowing-inputs.json', overflowingInputs);
    expect(run.stderr).toMatch(/Infinity|1e999/);
  });

  // Every unreadable file is told to 'check the path'.
  it('says what to do about a missing weights file', () => {
    const { run } = gradWithBad('weights', 'no-such-weights.json');
    expect(run.stderr).toContain('check the path');
  });
});
