import { describe, expect, it } from 'vitest';
import { EquationError, type SymgradError } from '../../src/errors.js';
import type { EinsumContext } from '../../src/graph/index.js';
import { parseEinsum, resolveEinsum, resolveGraph } from '../../src/graph/index.js';

const WHERE = "net.json: layers[0] (einsum 'mix')";

function context(inputShape: number[], weights: Record<string, number[]> = {}): EinsumContext {
  return { inputShape, weights, where: WHERE };
}

function einsumFailure(equation: string, ctx: EinsumContext): SymgradError {
  try {
    resolveEinsum(equation, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(EquationError);
    const failure = error as SymgradError;
    expect(failure.code).toBe('E_EINSUM');
    expect(failure.message.startsWith(`${WHERE}: `)).toBe(true);
    expect(failure.message).not.toContain('\n');
    return failure;
  }
  throw new Error(`expected '${equation}' to fail`);
}

describe('parseEinsum', () => {
  it('parses affine accesses, sums and precedence', () => {
    const { output, body } = parseEinsum('y[j] = sum(i) w[i,j] * x[i] - 0.5 * x[j]');
    expect(output).toEqual({
      tensor: 'y',
      indices: [{ coefficients: { j: 1 }, constant: 0 }],
    });
    // sum binds the product that follows it, tighter than `-`.
    expect(body).toMatchObject({
      kind: 'binary',
      op: '-',
      left: {
        kind: 'sum',
        indices: ['i'],
        body: { kind: 'binary', op: '*', left: { kind: 'access' }, right: { kind: 'access' } },
      },
      right: { kind: 'binary', op: '*', left: { kind: 'number', value: 0.5 } },
    });
  });

  it('reads integer coefficients and constants in index expressions', () => {
    const { body } = parseEinsum('y[i] = x[2*i + m - 1, i*3, -i + 4]');
    expect(body).toEqual({
      kind: 'access',
      access: {
        tensor: 'x',
        indices: [
          { coefficients: { i: 2, m: 1 }, constant: -1 },
          { coefficients: { i: 3 }, constant: 0 },
          { coefficients: { i: -1 }, constant: 4 },
        ],
      },
    });
  });

  it('parses unary minus, parentheses, division and function calls', () => {
    const { body } = parseEinsum('y[i] = -sigmoid((x[i] + 1) / 2)');
    expect(body).toEqual({
      kind: 'negate',
      operand: {
        kind: 'call',
        fn: 'sigmoid',
        arg: {
          kind: 'binary',
          op: '/',
          left: {
            kind: 'binary',
            op: '+',
            left: {
              kind: 'access',
              access: { tensor: 'x', indices: [{ coefficients: { i: 1 }, constant: 0 }] },
            },
            right: { kind: 'number', value: 1 },
          },
          right: { kind: 'number', value: 2 },
        },
      },
    });
  });

  it('reports syntax errors with their column', () => {
    expect(() => parseEinsum('y[i] = x[i', WHERE)).toThrow(
      `${WHERE}: equation column 11: expected ']' or ',' in the indices of 'x' but found the end of the equation`,
    );
    expect(() => parseEinsum('y[i] = x[0.5*i]', WHERE)).toThrow(
      'equation column 10: expected an integer',
    );
    expect(() => parseEinsum('y[i] = softplus(x[i])', WHERE)).toThrow(
      "unknown function 'softplus'; use one of sigmoid, tanh, relu, exp, log",
    );
    expect(() => parseEinsum('y[i] = x @ 2', WHERE)).toThrow(
      "equation column 10: unexpected character '@'",
    );
  });
});

describe('resolveEinsum: extents', () => {
  it('binds a depthwise convolution', () => {
    const bound = resolveEinsum(
      'y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c]',
      context([8, 7, 3], { w: [3, 2, 3] }),
    );
    expect(bound.parsed.extents).toEqual({ i: 6, j: 6, c: 3, m: 3, n: 2 });
    expect(Object.keys(bound.parsed.extents)).toEqual(['i', 'j', 'c', 'm', 'n']);
    expect(bound.parsed.input).toBe('x');
    expect(bound.outputShape).toEqual([6, 6, 3]);
  });

  it('binds a strided access: y[i] = x[2*i] keeps every second element', () => {
    expect(resolveEinsum('y[i] = x[2*i]', context([10])).outputShape).toEqual([5]);
    expect(resolveEinsum('y[i] = x[2*i]', context([9])).outputShape).toEqual([5]);
    expect(resolveEinsum('y[i] = x[2*i+1] + 1', context([9])).outputShape).toEqual([4]);
  });

  it('binds a dense layer written as einsum', () => {
    const bound = resolveEinsum(
      'y[j] = sum(i) w[i,j] * x[i] + b[j]',
      context([784], { w: [784, 10], b: [10] }),
    );
    expect(bound.parsed.extents).toEqual({ j: 10, i: 784 });
    expect(bound.outputShape).toEqual([10]);
  });

  it('resolves einsum layers inside a graph', () => {
    const graph = resolveGraph({
      name: 'net',
      input: { shape: [6, 6, 2] },
      layers: [
        {
          type: 'einsum',
          name: 'depthwise',
          equation: 'y[i,j,c] = sum(m,n) w[m,n,c] * x[i+m,j+n,c]',
          weights: { w: [3, 3, 2] },
          activation: 'relu',
        },
        { type: 'flatten' },
      ],
      loss: 'squaredError',
    });
    expect(graph.layers.map((layer) => layer.outputShape)).toEqual([[4, 4, 2], [32]]);
  });
});

describe('resolveEinsum: errors', () => {
  it('rejects an unbound index', () => {
    const error = einsumFailure('y[i] = sum(j) w[i,j] * x[k]', context([4], { w: [4, 4] }));
    expect(error.message).toContain('unbound index k in x[k]; ');
    expect(error.message).toContain('sum(k)');
  });

  it('treats an index outside its sum as unbound: sum binds one product', () => {
    const error = einsumFailure('y[j] = sum(i) w[i,j] * x[i] + x[i]', context([4], { w: [4, 3] }));
    expect(error.message).toContain('unbound index i in x[i]');
  });

  it('rejects an access that leaves its tensor', () => {
    const error = einsumFailure('y[i] = x[i] + x[i+1]', context([10]));
    expect(error.message).toBe(
      `${WHERE}: x[i+1] reads outside the layer input 'x': dimension 0 reaches 1..10 (with i < 10) but has size 10; change the index expression so it stays within 0..9`,
    );
    expect(einsumFailure('y[i] = x[i-1]', context([10])).message).toContain(
      'reaches -1..9 (with i < 11)',
    );
  });

  it('rejects a rank that does not match the input or a weight', () => {
    const input = einsumFailure('y[i,j] = x[i,j]', context([8]));
    expect(input.message).toBe(
      `${WHERE}: x[i,j] has 2 indices but the layer input 'x' has shape [8]; index it with 1 index`,
    );
    const weight = einsumFailure('y[j] = sum(i) w[i] * x[i]', context([4], { w: [4, 3] }));
    expect(weight.message).toContain("w[i] has 1 index but weight 'w' has shape [4, 3]");
  });

  it('rejects an index whose extent nothing determines', () => {
    const error = einsumFailure('y[i,k] = x[i]', context([4]));
    expect(error.message).toContain(
      "cannot infer the extent of index 'k'; use it alone in a dimension",
    );
  });

  it('rejects one index used alone in dimensions of different sizes', () => {
    const error = einsumFailure('y[i] = w[i] * x[i]', context([4], { w: [5] }));
    expect(error.message).toContain("index 'i' spans 5 in w[i] but 4 in x[i]");
  });

  it('rejects a window larger than its input', () => {
    const error = einsumFailure('y[i] = sum(m) w[m] * x[i+m]', context([3], { w: [5] }));
    expect(error.message).toContain("index 'i' has no valid values: x[i+m] does not fit");
  });

  it('rejects two inputs, no input, the output on the right and unused weights', () => {
    expect(einsumFailure('y[i] = x[i] * z[i]', context([4])).message).toContain(
      "'x' and 'z' are both undeclared",
    );
    expect(einsumFailure('y[i] = w[i]', context([4], { w: [4] })).message).toContain(
      'every tensor on the right-hand side is a weight',
    );
    expect(einsumFailure('y[i] = y[i] + x[i]', context([4])).message).toContain(
      "the output 'y' also appears on the right-hand side",
    );
    expect(einsumFailure('y[i] = x[i]', context([4], { v: [4] })).message).toContain(
      "weight 'v' is declared but not used",
    );
  });

  it('rejects summed indices on the left and arithmetic in the output', () => {
    expect(einsumFailure('y[i] = sum(i) x[i]', context([4])).message).toContain(
      "summed index 'i' also appears on the left-hand side",
    );
    expect(einsumFailure('y[2*i] = x[i]', context([4])).message).toContain(
      'must be indexed by distinct plain indices',
    );
  });
});
