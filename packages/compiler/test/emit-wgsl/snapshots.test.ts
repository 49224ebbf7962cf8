import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/emit/wgsl/compile.js';
import type { WgslProgram } from '../../src/emit/wgsl/program.js';
import { type WgslShader, workgroupCount } from '../../src/emit/wgsl/shader.js';
import { parseGraphText } from '../../src/graph/parse.js';
import type { GpuOptions } from '../../src/schedule/workgroup.js';

const examples = new URL('../../../../examples/', import.meta.url);

function compileExample(name: string, options: GpuOptions = {}) {
  const text = readFileSync(new URL(`${name}.json`, examples), 'utf8');
  return compileWgsl(parseGraphText(text, `${name}.json`), options);
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

  it('one shader per GPU kernel in run order; the updates run in the gradient kernels', () => {
    expect(program.shaders.flatMap((s) => s.kernels)).toEqual(schedule.kernels.map((k) => k.name));
    expect(program.order).toEqual({
      forward: ['outOutput'],
      loss: ['lossError', 'loss'],
      backward: ['outPreActivationGrad', 'outKernelGrad', 'outBiasGrad'],
      update: [],
    });
  });

  it('fuses an activation into its weighted sum: the value passes in a local', () => {
    expect(shader('outOutput')?.kernels).toEqual(['outPreActivation', 'outOutput']);
    expect(shader('outOutput')?.writes).toEqual(['out/preActivation', 'out/output']);
    expect(shader('outOutput')?.code).toContain(
      [
        '  let preActivation: f32 = sum1 + outBias[u32(j)];',
        '  outPreActivation[u32(2 * example + j)] = preActivation;',
        '  outOutput[u32(2 * example + j)] = sigmoid(preActivation);',
      ].join('\n'),
    );
  });

  it('drops the store of an adjoint only the fused kernel reads, and its buffer', () => {
    expect(shader('outPreActivationGrad')?.kernels).toEqual([
      'outOutputGrad',
      'outPreActivationGrad',
    ]);
    expect(shader('outPreActivationGrad')?.writes).toEqual(['grad(out/preActivation)']);
    expect(shader('outPreActivationGrad')?.code).toContain(
      '  let outputGrad: f32 = -lossError[u32(2 * example + j_)];\n  outPreActivationGrad[',
    );
    expect(program.buffers.map((b) => b.tensor)).not.toContain('grad(out/output)');
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
      { binding: 2, buffer: 'outKernel', access: 'read_write' },
      { binding: 3, buffer: 'outPreActivationGrad', access: 'read' },
      { binding: 4, buffer: 'outKernelGrad', access: 'read_write' },
    ]);
    expect(shader('outKernelGrad')?.code).toContain(
      [
        '@group(0) @binding(0) var<uniform> params: Params;',
        '@group(0) @binding(1) var<storage, read> x: array<f32>;',
        '@group(0) @binding(2) var<storage, read_write> outKernel: array<f32>;',
        '@group(0) @binding(3) var<storage, read> outPreActivationGrad: array<f32>;',
        '@group(0) @binding(4) var<storage, read_write> outKernelGrad: array<f32>;',
      ].join('\n'),
    );
  });

  it('gives every element of every example an invocation, the batch size from the uniform', () => {
    expect(shader('outOutput')?.invocations).toEqual({ count: 2, perExample: true });
    expect(shader('outKernelGrad')?.invocations).toEqual({ count: 6, perExample: false });
    expect(shader('outOutput')?.code).toContain(
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

  it('updates a weight after its gradient, where the uniform asks for a training step', () => {
    expect(shader('outKernelGrad')?.writes).toEqual(['grad(out/kernel)', 'out/kernel']);
    expect(shader('outKernelGrad')?.code).toContain(
      [
        '  outKernelGrad[u32(2 * i_ + j_)] = total / f32(batch);',
        '  if (params.update == 1u) {',
        '    outKernel[u32(2 * i_ + j_)] = outKernel[u32(2 * i_ + j_)] - params.learningRate * outKernelGrad[u32(2 * i_ + j_)];',
        '  }',
      ].join('\n'),
    );
  });
});

describe('how LeNet spreads over invocations', () => {
  const { program } = compileExample('lenet');
  const shader = (name: string) => program.shaders.find((s) => s.name === name);

  it("stores each max-pool window's winner once, and the pool's gradient reads it", () => {
    expect(shader('pool1Argmax')?.invocations).toEqual({ count: 14 * 14 * 6, perExample: true });
    const gradient = program.shaders.find((s) => s.kernels.includes('conv1OutputGrad'))?.code;
    expect(gradient).toContain('pool1Argmax[');
    expect(gradient).not.toContain('largest');
    expect(shader('pool1Argmax')?.code).toContain(
      'first2 = select(first2, f32(2 * m2 + n2), larger1);',
    );
  });

  it('splits a convolution kernel gradient: 16 lanes share the examples of each element', () => {
    const kernelGrad = shader('conv1KernelGrad');
    expect(kernelGrad).toMatchObject({ workgroupSize: 64, lanesPerElement: 16 });
    expect(kernelGrad?.invocations).toEqual({ count: 150 * 16, perExample: false });
    expect(kernelGrad?.code).toContain(
      [
        '  let position = i32(group.x + 65535u * group.y) * 4 + i32(slot) % 4;',
        '  let flat = min(position, 149);',
        '  let lane = i32(slot) / 4;',
      ].join('\n'),
    );
    expect(kernelGrad?.code).toContain(
      'for (var example: i32 = lane; example < batch; example += 16) {',
    );
    expect(kernelGrad?.code).toContain('total += partialSums[slot + 4u * otherLane];');
  });

  it('tiles the first dense layer too: its sum over the flattened image is one loop', () => {
    expect(shader('fc1Output')?.tiles).toEqual({ size: 8, rows: 'batch', columns: 120 });
    expect(shader('fc1Output')?.code).toContain('pool2Output[u32(400 * example + ');
  });

  it('tiles the products of the dense layers, 8 x 8 elements, 32 terms a pass', () => {
    expect(shader('fc2KernelGrad')).toMatchObject({
      workgroupSize: 64,
      tiles: { size: 8, rows: 120, columns: 84 },
    });
    expect(shader('fc2Output')?.tiles).toEqual({ size: 8, rows: 'batch', columns: 84 });
    // A row of the row operand's terms is 33 long, so that rows start in different banks.
    expect(shader('fc2Output')?.code).toContain('var<workgroup> rowTerms: array<f32, 264>;');
    expect(shader('fc2Output')?.code).toContain('workgroupBarrier();');
    // One workgroup a tile: 8 rows of 8 examples by 11 columns of tiles at a batch of 64, and a
    // partial row of tiles for a batch of 60; 15 by 11 for the 120 x 84 kernel gradient.
    expect(workgroupCount(shader('fc2Output') as WgslShader, 64)).toEqual([88, 1, 1]);
    expect(workgroupCount(shader('fc2Output') as WgslShader, 60)).toEqual([88, 1, 1]);
    expect(workgroupCount(shader('fc2KernelGrad') as WgslShader, 64)).toEqual([165, 1, 1]);
  });

  it('tiles no product when asked not to, as for a software adapter', () => {
    const untiled = compileExample('lenet', { tileProducts: false }).program;
    expect(untiled.shaders.filter((s) => s.tiles !== undefined)).toEqual([]);
    expect(untiled.shaders.find((s) => s.name === 'fc2Output')?.workgroupSize).toBe(64);
  });

  it("tiles the first dense layer's gradients too: the image (h, w, c) is one index of 400", () => {
    expect(shader('fc1KernelGrad')).toMatchObject({
      lanesPerElement: 1,
      tiles: { size: 8, rows: 400, columns: 120 },
    });
    expect(shader('pool2OutputGrad')?.tiles).toEqual({ size: 8, rows: 'batch', columns: 400 });
  });

  it('fuses bias and activation, and each delta into the gradient of its output', () => {
    expect(
      program.shaders.filter((s) => s.phase !== 'update').map((s) => s.kernels.length),
    ).toEqual([
      2, 1, 2, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ]);
    expect(program.shaders).toHaveLength(31);
    expect(program.order.update).toEqual([]);
  });
});
