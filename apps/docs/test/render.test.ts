import { readFileSync } from 'node:fs';
import {
  compileTypeScript,
  fuseElementwise,
  kernelFunction,
  parseGraphText,
} from '@symgrad/compiler';
import { describe, expect, it } from 'vitest';
import { mnistAsset, TEST_DIGITS, TRAIN_DIGITS } from '../scripts/mnist-asset.js';
import { lossAxis } from '../src/client/chart.js';
import { decodeDigits } from '../src/client/mnist.js';
import { codeBlock } from '../src/render/code.js';
import { withoutTitle } from '../src/render/derivation.js';
import { kernelSource } from '../src/render/kernels.js';
import { proseWithMath } from '../src/render/math.js';

const EXAMPLES = ['paper-dense', 'paper-conv', 'mlp', 'lenet'];

describe('the WGSL grammar', () => {
  it('marks attributes, keywords, types, numbers, comments and function names', () => {
    const html = codeBlock(
      '@compute @workgroup_size(64)\nfn main(id: vec3<u32>) {\n  var s: f32 = 1.5e-3; // why\n}',
      'wgsl',
    );
    expect(html).toContain('<span class="hljs-meta">@workgroup_size</span>');
    expect(html).toContain('<span class="hljs-keyword">fn</span>');
    expect(html).toContain('<span class="hljs-title function_">main</span>');
    expect(html).toContain('<span class="hljs-type">vec3</span>');
    expect(html).toContain('<span class="hljs-number">1.5e-3</span>');
    expect(html).toContain('<span class="hljs-comment">// why</span>');
  });
});

describe('kernel sources cut from the emitted module', () => {
  it.each(EXAMPLES)('gives every kernel of %s its own whole function', (example) => {
    const text = readFileSync(
      new URL(`../../../examples/${example}.json`, import.meta.url),
      'utf8',
    );
    const { schedule, module } = compileTypeScript(parseGraphText(text, `${example}.json`));
    const functions = fuseElementwise(schedule.kernels);
    for (const kernel of schedule.kernels) {
      const source = kernelSource(module.source, kernel, schedule);
      const host = functions.find((f) => f.name === kernel.name || f.fused?.includes(kernel.name));
      expect(source.startsWith('/**')).toBe(true);
      expect(source).toContain(`function ${kernelFunction(host ?? kernel)}(`);
      expect(source).toContain(kernel.comment[1] ?? '');
      expect(source.match(/\{/g)?.length).toBe(source.match(/\}/g)?.length);
      expect(source.match(/^function /gm)).toHaveLength(1);
    }
  });
});

describe('the digits file', () => {
  it('decodes to the digits it was written from, one-hot and in [0, 1]', () => {
    const { train, test } = decodeDigits(mnistAsset());
    expect([train.size, test.size]).toEqual([TRAIN_DIGITS, TEST_DIGITS]);
    expect(train.inputs.length).toBe(TRAIN_DIGITS * 784);
    expect(Math.max(...train.inputs.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
    for (let k = 0; k < 20; k += 1) {
      const row = Array.from(test.targets.subarray(k * 10, k * 10 + 10));
      expect(row.indexOf(1)).toBe(test.labels[k]);
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
    }
    expect(new Set(train.labels).size).toBe(10);
  });

  it('refuses a file that is not one', () => {
    expect(() => decodeDigits(new Uint8Array(20))).toThrow(/SGMN/);
  });
});

describe('prose with formulas', () => {
  it('typesets what stands between dollar signs and escapes the rest', () => {
    const html = proseWithMath('error $e_j = t_j - y_j$ & more');
    expect(html).toContain('class="katex"');
    expect(html).toContain('&amp; more');
    expect(html).not.toContain('$');
  });
});

describe("the loss chart's axis", () => {
  it.each([
    [2.1, ['0.0', '0.5', '1.0', '1.5', '2.0', '2.5']],
    [Math.LN10, ['0.0', '0.5', '1.0', '1.5', '2.0', '2.5']],
    [0.7, ['0.0', '0.2', '0.4', '0.6', '0.8']],
    [1, ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']],
    [0.043, ['0.00', '0.01', '0.02', '0.03', '0.04', '0.05']],
    [13, ['0', '5', '10', '15']],
  ])('runs from 0 to a round number above a largest loss of %d', (max, labels) => {
    const axis = lossAxis(max);
    expect(axis.ticks.map((t) => t.toFixed(axis.decimals))).toEqual(labels);
    expect(axis.top).toBeGreaterThanOrEqual(max);
  });

  it('has an axis to draw against before the first loss, or after a loss that diverged', () => {
    expect(lossAxis(0).top).toBe(1);
    expect(lossAxis(Number.NaN).top).toBe(1);
  });
});

describe('the reason beside a rule', () => {
  it('drops the rule name the description opens with, which the tag shows', () => {
    expect(withoutTitle('bounds: conditions that hold are dropped', 'bounds')).toBe(
      'conditions that hold are dropped',
    );
    expect(
      withoutTitle('Kronecker delta elimination: in each sum', 'Kronecker delta elimination'),
    ).toBe('in each sum');
    expect(withoutTitle('substitute the forward equation', 'substitute')).toBe(
      'substitute the forward equation',
    );
  });
});
