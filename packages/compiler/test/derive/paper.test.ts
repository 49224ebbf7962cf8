import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Derivation, DerivedProgram } from '../../src/derive/types.js';
import { Notation } from '../../src/emit/notation.js';
import { TextFormatter } from '../../src/emit/text.js';
import { deriveGraph, parseGraphText } from '../../src/index.js';

const examples = new URL('../../../../examples/', import.meta.url);

function deriveExample(name: string): DerivedProgram {
  const file = new URL(name, examples);
  return deriveGraph(parseGraphText(readFileSync(file, 'utf8'), name));
}

function derivationOf(derived: DerivedProgram, tensor: string): Derivation {
  const found = derived.derivations.find((d) => d.of === tensor);
  if (found === undefined) throw new Error(`no derivation for ${tensor}`);
  return found;
}

function formatter(derived: DerivedProgram): TextFormatter {
  return new TextFormatter(new Notation(derived.tensors, derived.forward.loss));
}

describe('Lemma 2.1: one dense sigmoid layer with squared error', () => {
  const derived = deriveExample('paper-dense.json');
  const kernel = derivationOf(derived, 'out/kernel');
  const text = formatter(derived);

  it('derives dE/dw_ij = -e_j * y_j * (1 - y_j) * x_i as the closed form', () => {
    expect(kernel.closedForm).toBeDefined();
    expect(text.expr(kernel.closedForm as never)).toBe('-e[j] * y[j] * (1 - y[j]) * x[i]');
  });

  it('computes it as delta times the input, with delta from the sigmoid rule', () => {
    expect(text.expr(kernel.result)).toBe("delta^1[j'] * x[i']");
    const delta = derivationOf(derived, 'out/preActivation');
    expect(text.expr(delta.result)).toBe("dE/dy[j'] * y[j'] * (1 - y[j'])");
    expect(text.expr(derivationOf(derived, 'out/output').result)).toBe("-e[j']");
  });

  it('records the steps a person takes, in order', () => {
    expect(kernel.steps.map((s) => s.rule)).toEqual([
      'chainRule',
      'deltaDefinition',
      'substitute',
      'linearity',
      'accessDerivative',
      'deltaElimination',
      'bounds',
      'substitute',
      'rename',
    ]);
    const delta = derivationOf(derived, 'out/preActivation');
    expect(delta.steps.map((s) => s.rule)).toContain('scalarRule');
    expect(delta.steps.map((s) => s.rule)).toContain('recognize');
  });

  it('ends with the gradient-descent update at the graph learning rate', () => {
    expect(kernel.update).toEqual({ learningRate: 0.5 });
  });
});

describe('Theorem 2.2: single-channel stride-1 convolution', () => {
  const derived = deriveExample('paper-conv.json');
  const kernel = derivationOf(derived, 'conv2/kernel');
  const text = formatter(derived);

  it('derives dL/dw_{m,n} = sum_{i=0}^{h-k1} sum_{j=0}^{v-k2} delta_{i,j} O^{l-1}_{i+m,j+n}', () => {
    // conv2 reads the 6x6 output of conv1 with a 2x2 kernel: h - k1 = v - k2 = 4.
    expect(text.expr(kernel.result)).toBe(
      "sum_{i=0..4} sum_{j=0..4} delta^2[i,j] * O^1[i + m',j + n']",
    );
  });

  it('shows the access derivative as Kronecker deltas, then every other term vanishing', () => {
    const access = kernel.steps.find((s) => s.rule === 'accessDerivative');
    expect(text.expr(access?.after as never)).toContain("[m' = m] * [n' = n]");
    const elimination = kernel.steps.find((s) => s.rule === 'deltaElimination');
    expect(elimination?.description).toContain(
      "every term vanishes except the one where m = m', n = n'",
    );
    expect(text.expr(elimination?.after as never)).not.toContain("[m' = m]");
  });
});

describe('gather form: no scatter anywhere', () => {
  function assertGather(derived: DerivedProgram): void {
    for (const equation of derived.backward) {
      const json = JSON.stringify(equation.body);
      expect(json).not.toContain('"kind":"delta"');
      expect(json).not.toContain('"kind":"derivative"');
    }
  }

  it('turns the input gradient of a stride-2 same-padded conv into a bounded gather', () => {
    const graph = parseGraphText(
      JSON.stringify({
        name: 'strided',
        input: { shape: [7, 7, 2] },
        layers: [
          { type: 'conv2d', name: 'conv', filters: 3, kernelSize: 3, strides: 2, padding: 'same' },
          { type: 'flatten' },
          { type: 'dense', name: 'out', units: 2 },
        ],
        loss: 'meanSquaredError',
      }),
      'strided.json',
    );
    const derived = deriveGraph(graph);
    assertGather(derived);
    const input = text(derived, derivationOf(derived, 'x').result);
    // Output row i reads input row 2i + m - 1: for input row i', i runs over
    // ceil((i' - 1)/2) .. floor((i' + 1)/2), clipped to the 4 output rows.
    expect(input).toContain("sum_{i=max(ceil((i' - 1)/2), 0)..min(floor((i' + 1)/2), 3)}");
    expect(input).toContain("delta^1[i,j,c] * w^1[i' - 2*i + 1,j' - 2*j + 1,k',c]");
  });

  it('needs divisibility where no index has coefficient 1', () => {
    const graph = parseGraphText(
      JSON.stringify({
        name: 'subsample',
        input: { shape: [8] },
        layers: [
          { type: 'einsum', name: 'even', equation: 'y[i] = w[i] * x[2*i]', weights: { w: [4] } },
        ],
        loss: 'squaredError',
      }),
      'subsample.json',
    );
    const derived = deriveGraph(graph);
    assertGather(derived);
    const input = derivationOf(derived, 'x');
    expect(text(derived, input.result)).toBe("[2 divides i'] * delta^1[i'/2] * w^1[i'/2]");
    expect(input.steps.find((s) => s.rule === 'deltaElimination')?.description).toContain(
      'divisibility',
    );
  });

  it('turns overlapping max pooling into a gather over the windows that contain each input', () => {
    const graph = parseGraphText(
      JSON.stringify({
        name: 'pool',
        input: { shape: [7, 7, 1] },
        layers: [
          { type: 'maxPooling2d', name: 'pool', poolSize: 3, strides: 2 },
          { type: 'flatten' },
          { type: 'dense', name: 'out', units: 2 },
        ],
        loss: 'squaredError',
      }),
      'pool.json',
    );
    const derived = deriveGraph(graph);
    assertGather(derived);
    const input = text(derived, derivationOf(derived, 'x').result);
    expect(input).toContain("sum_{i=max(ceil((i' - 2)/2), 0)..min(floor((i')/2), 2)}");
    expect(input).toContain("[(i' - 2*i,j' - 2*j) = argmax_{m2,n2} x[2*i + m2,2*j + n2]]");
  });
});

function text(derived: DerivedProgram, expr: Parameters<TextFormatter['expr']>[0]): string {
  return formatter(derived).expr(expr);
}
