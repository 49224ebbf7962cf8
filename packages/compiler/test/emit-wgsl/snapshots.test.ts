import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/emit/wgsl/compile.js';
import type { WgslProgram } from '../../src/emit/wgsl/program.js';
import { parseGraphText } from '../../src/graph/parse.js';

const examples = new URL('../../../../examples/', import.meta.url);

function compileExample(name: string) {
  const text = readFileSync(new URL(`${name}.json`, examples), 'utf8');
  return compileWgsl(parseGraphText(text, `${name}.json`));
}

/** Every shader of a program, one after another, each under a line naming it. */
function listing(program: WgslProgram): string {
  return program.shaders.map((s) => `// ==== ${s.entryPoint} ====\n${s.code}`).join('\n');
}

describe('emitted WGSL stays as reviewed', () => {
  for (const name of ['paper-dense', 'paper-conv', 'lenet']) {
    it(`${name}.json`, async () => {
      const { program } = compileExample(name);
      await expect(listing(program)).toMatchFileSnapshot(`__snapshots__/${name}.wgsl`);
    });
  }
});

describe('what the emitted program is', () => {
  const { program, schedule } = compileExample('paper-dense');
  const shader = (name: string) => program.shaders.find((s) => s.name === name);

  it('one shader per kernel in run order, then one update per weight', () => {
    expect(program.shaders.map((s) => s.name)).toEqual([
      ...schedule.kernels.map((k) => k.name),
      'outKernel',
      'outBias',
    ]);
    expect(program.order).toEqual({
      forward: ['outPreActivation', 'outOutput'],
      loss: ['lossError', 'loss'],
      backward: ['outOutputGrad', 'outPreActivationGrad', 'outKernelGrad', 'outBiasGrad'],
      update: ['outKernel', 'outBias'],
    });
  });

  it('opens each shader with its layer, its equation and the rules that derived it', () => {
    expect(shader('outKernelGrad')?.code).toMatch(
      new RegExp(
        [
          '^// Layer out: gradient of the loss with respect to out/kernel\\.',
          "// dE/dw\\^1\\[i',j'\\] = delta\\^1\\[j'\\] \\* x\\[i'\\]",
          '// Derived by chain rule, definition of delta, substitute',
        ].join('\n'),
      ),
    );
  });

  it('binds the params uniform at 0, then what it reads, and what it writes read_write', () => {
    expect(shader('outKernelGrad')?.bindings).toEqual([
      { binding: 1, buffer: 'x', access: 'read' },
      { binding: 2, buffer: 'outPreActivationGrad', access: 'read' },
      { binding: 3, buffer: 'outKernelGrad', access: 'read_write' },
    ]);
    expect(shader('outKernelGrad')?.code).toContain(
      [
        '@group(0) @binding(0) var<uniform> params: Params;',
        '@group(0) @binding(1) var<storage, read> x: array<f32>;',
        '@group(0) @binding(2) var<storage, read> outPreActivationGrad: array<f32>;',
        '@group(0) @binding(3) var<storage, read_write> outKernelGrad: array<f32>;',
      ].join('\n'),
    );
  });

  it('gives every element of every example an invocation, the batch size from the uniform', () => {
    expect(shader('outPreActivation')?.invocations).toEqual({ count: 2, perExample: true });
    expect(shader('outKernelGrad')?.invocations).toEqual({ count: 6, perExample: false });
    expect(shader('outPreActivation')?.code).toContain(
      [
        '  let flat = i32(id.x + 4194240u * id.y);',
        '  let batch = i32(params.batch);',
        '  if (flat >= 2 * batch) {',
        '    return;',
        '  }',
        '  let example = flat / 2;',
        '  let j = flat % 2;',
      ].join('\n'),
    );
  });

  it('averages a weight gradient over the examples inside its invocation', () => {
    expect(shader('outKernelGrad')?.code).toContain(
      [
        '  for (var example: i32 = 0; example < batch; example++) {',
        '    total += outPreActivationGrad[u32(2 * example + j_)] * x[u32(3 * example + i_)];',
        '  }',
        '  outKernelGrad[u32(2 * i_ + j_)] = total / f32(batch);',
      ].join('\n'),
    );
  });

  it('updates a weight by the learning rate of the uniform', () => {
    expect(shader('outKernel')?.code).toContain(
      'outKernel[u32(flat)] = outKernel[u32(flat)] - params.learningRate * outKernelGrad[u32(flat)];',
    );
  });
});
