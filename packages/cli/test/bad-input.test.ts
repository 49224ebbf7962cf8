import { describe, expect, it } from 'vitest';
import { expectOneLineError, fixture, symgrad } from './run-cli.js';

/** One bad graph per class of mistake: where the message must point, and the fix it names. */
const BAD_GRAPHS = [
  {
    mistake: 'malformed JSON',
    file: 'malformed.json',
    where: 'line 4, column 3',
    fix: 'fix the syntax there, e.g. a missing comma',
  },
  {
    mistake: 'an unknown layer type',
    file: 'unknown-layer.json',
    where: 'layers[1].type',
    fix: "use one of dense, conv2d, maxPooling2d, averagePooling2d, flatten, activation, einsum (did you mean 'conv2d'?)",
  },
  {
    mistake: 'an unknown activation',
    file: 'unknown-activation.json',
    where: 'layers[0].activation',
    fix: 'use one of linear, sigmoid, tanh, relu, leakyRelu, elu, softmax',
  },
  {
    mistake: 'a missing field',
    file: 'missing-field.json',
    where: 'layers[0].units',
    fix: "missing field 'units' (a positive integer); add it",
  },
  {
    mistake: 'a string for a number',
    file: 'mistyped-field.json',
    where: 'layers[0].units',
    fix: 'write the number without quotes',
  },
  {
    mistake: 'a zero size',
    file: 'zero-size.json',
    where: 'layers[0].units',
    fix: 'must be positive but is 0; use a positive integer',
  },
  {
    mistake: 'a negative size',
    file: 'negative-size.json',
    where: 'layers[0].kernelSize[1]',
    fix: 'must be positive but is -1; use a positive integer',
  },
  {
    mistake: 'a kernel larger than its input under valid padding',
    file: 'kernel-too-large.json',
    where: "layers[0] (conv2d 'conv')",
    fix: "use padding 'same' or a smaller kernelSize",
  },
  {
    mistake: 'shapes that do not chain (dense after conv2d without flatten)',
    file: 'dense-after-conv.json',
    where: "layers[1] (dense 'out')",
    fix: 'add a { "type": "flatten" } layer before it',
  },
  {
    mistake: 'an einsum with an unbound index',
    file: 'einsum-unbound.json',
    where: "layers[0] (einsum 'mix')",
    fix: "put 'k' on the left-hand side or sum over it with sum(k)",
  },
];

describe.each(BAD_GRAPHS)('symgrad derive on a graph with $mistake', ({ file, where, fix }) => {
  it('exits 1 with one line naming the file, the place and the fix', () => {
    const run = symgrad('derive', fixture(file));
    expectOneLineError(run, [`symgrad: ${fixture(file)}: `, where, fix]);
    expect(run.status).toBe(1);
  });
});

describe('symgrad derive on a bad command line', () => {
  it('names a missing file and says to check the path', () => {
    const run = symgrad('derive', 'examples/no-such-graph.json');
    expectOneLineError(run, [
      "symgrad: cannot read 'examples/no-such-graph.json': no such file; check the path",
    ]);
    expect(run.status).toBe(1);
  });

  it('lists the formats for a bad --format, exiting 2', () => {
    const run = symgrad('derive', 'examples/paper-dense.json', '--format', 'html');
    expectOneLineError(run, ["--format 'html'", 'use one of text, markdown, latex, json']);
    expect(run.status).toBe(2);
  });

  it('suggests the option meant for a misspelt one, exiting 2', () => {
    const run = symgrad('derive', 'examples/paper-dense.json', '--fromat', 'json');
    expectOneLineError(run, ["unknown option '--fromat'", '--format', "see 'symgrad --help'"]);
    expect(run.status).toBe(2);
  });

  it('asks for the graph when it is missing, exiting 2', () => {
    const run = symgrad('derive');
    expectOneLineError(run, ["missing required argument 'graph'", "see 'symgrad --help'"]);
    expect(run.status).toBe(2);
  });

  it('prints the stack trace after the line with --verbose', () => {
    const run = symgrad('--verbose', 'derive', 'examples/no-such-graph.json');
    const [first, ...rest] = run.stderr.split('\n');
    expect(first).toBe(
      "symgrad: cannot read 'examples/no-such-graph.json': no such file; check the path",
    );
    expect(rest.join('\n')).toMatch(/^\s+at /m);
    expect(run.status).toBe(1);
  });
});
