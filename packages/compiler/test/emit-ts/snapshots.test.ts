import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileJavaScript } from '../../src/emit/ts/compile.js';
import { compileTypeScript, instantiateTypeScript } from '../../src/emit/ts/project.js';
import { parseGraphText } from '../../src/graph/parse.js';
import { expectEmittedMatches, gradientCase } from '../gradients/gradient-check.js';

const examples = new URL('../../../../examples/', import.meta.url);

function exampleGraph(name: string) {
  const text = readFileSync(new URL(`${name}.json`, examples), 'utf8');
  return parseGraphText(text, `${name}.json`);
}

function compileExample(name: string) {
  return compileTypeScript(exampleGraph(name));
}

describe('emitted TypeScript stays as reviewed', () => {
  for (const name of ['paper-dense', 'paper-conv', 'lenet']) {
    it(`${name}.json`, async () => {
      const { module } = compileExample(name);
      await expect(module.source).toMatchFileSnapshot(`__snapshots__/${name}.ts`);
    });
  }
});

describe('what a kernel calls', () => {
  /** Every call in the kernels' bodies: `name(`, where the name is not a keyword. */
  function callsInKernels(source: string): string[] {
    const kernels = source.match(/^function compute\w+\([\s\S]*?^\}$/gm) ?? [];
    expect(kernels.length).toBeGreaterThan(3);
    const calls = kernels.flatMap(
      (body) => body.slice(body.indexOf('{')).match(/[\w.$]+(?=\()/g) ?? [],
    );
    return calls.filter((name) => !['for', 'if', 'while'].includes(name));
  }

  // V8 boxes every double passed to or returned from a call it does not inline, and a kernel
  // with a tile of pool windows has more calls than it inlines: garbage in every step.
  it.each(['paper-dense', 'paper-conv', 'lenet'])('%s: only Math builtins', (name) => {
    const calls = callsInKernels(compileExample(name).module.source);
    expect(calls.filter((call) => !call.startsWith('Math.'))).toEqual([]);
    const script = callsInKernels(compileJavaScript(exampleGraph(name)).module.source);
    expect(script.filter((call) => !call.startsWith('Math.'))).toEqual([]);
  });

  it('declares the operands of a running maximum only in a module that keeps one', () => {
    expect(compileExample('lenet').module.source).toContain('const operands = new Float64Array(2)');
    expect(compileExample('paper-dense').module.source).not.toContain('operands');
  });
});

describe('what the emitted module is', () => {
  const { module } = compileExample('paper-dense');

  it('has no imports, so it runs anywhere on its own', () => {
    expect(module.source).not.toMatch(/^\s*import /m);
    expect(module.source).not.toMatch(/require\(/);
  });

  it('opens each kernel with its layer, its equation and the rules that derived it', () => {
    expect(module.source).toContain(
      [
        '/**',
        ' * Layer out: gradient of the loss with respect to out/kernel.',
        " * dE/dw^1[i',j'] = delta^1[j'] * x[i']",
      ].join('\n'),
    );
    expect(module.source).toContain('Derived by chain rule, definition of delta, substitute');
  });

  it('inlines the shapes as numbers in the loops', () => {
    expect(module.source).toContain('for (let i = 0; i <= 2; i++)');
    expect(module.source).toContain('outKernelGrad[5] = total_5 / batch;');
  });

  it('reads each operand of a tile once, at an offset built loop by loop', () => {
    expect(module.source).toContain(
      [
        '    for (let i = 0; i <= 2; i++) {',
        '      const outKernelAtI = 2 * i;',
        '      const xAtI = xAtExample + i;',
        '      const outKernel_0 = outKernel[outKernelAtI];',
        '      const outKernel_1 = outKernel[outKernelAtI + 1];',
        '      const x_0 = x[xAtI];',
      ].join('\n'),
    );
    expect(module.source).toContain('sum1_3 += outKernel_1 * x_1;');
  });

  it('trains in place: one step of gradient descent lowers the loss', () => {
    const generated = instantiateTypeScript(module.source);
    const state = generated.createState(2);
    (state.outKernel as Float32Array).set([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
    (state.x as Float32Array).set([1, 0, 1, 0, 1, 1]);
    (state.t as Float32Array).set([1, 0, 0, 1]);
    const before = generated.trainStep(state, 2, 0.5);
    const after = generated.forward(state, 2);
    expect(after).toBeLessThan(before);
  });
});

describe('the emitted module as TypeScript', () => {
  it('type-checks under strict settings', async () => {
    const { Project, ts } = await import('ts-morph');
    const project = new Project({
      useInMemoryFileSystem: true,
      compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true },
    });
    project.createSourceFile('lenet.ts', compileExample('lenet').module.source);
    const messages = project.getPreEmitDiagnostics().map((d) => d.getMessageText().toString());
    expect(messages).toEqual([]);
  }, 30_000);
});

describe('register tiles', () => {
  // Batches of 7 run one whole tile of 4 examples and a remainder of 3; the odd sizes below
  // leave remainders along the tiled output axes too.
  const graphs = {
    'conv, overlapping max pool, dense': {
      name: 'tiles',
      input: { shape: [9, 9, 3] },
      layers: [
        { type: 'conv2d', filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 3, strides: 2 },
        { type: 'conv2d', filters: 6, kernelSize: 2, strides: 2, activation: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', units: 7, activation: 'softmax' },
      ],
      loss: 'softmaxCrossEntropy',
    },
    // One input channel: the kernel gradient tiles the window columns, whose loops over the
    // padded image differ from copy to copy, so the copies share only the middle of the range.
    'padded conv on one channel': {
      name: 'padded',
      input: { shape: [7, 7, 1] },
      layers: [
        { type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 4, activation: 'softmax' },
      ],
      loss: 'softmaxCrossEntropy',
    },
    'dense layers of odd widths': {
      name: 'odd',
      input: { shape: [13] },
      layers: [
        { type: 'dense', units: 9, activation: 'elu' },
        { type: 'dense', units: 5, activation: 'sigmoid' },
      ],
      loss: 'squaredError',
    },
  };
  for (const [title, json] of Object.entries(graphs)) {
    it(`compute what the derived equations say: ${title}`, () => {
      expectEmittedMatches(gradientCase(json, { batch: 7, seed: 3 }));
    });
  }
});
