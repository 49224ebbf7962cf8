import CodeBlockWriter from 'code-block-writer';
import type { Buffer, Kernel, Stmt } from '../../schedule/loops.js';
import { EXAMPLE } from '../../schedule/lower-kernel.js';
import {
  ELEMENT_WORKGROUP_SIZE,
  type GpuKernel,
  gpuKernel,
  type WorkgroupPlan,
} from '../../schedule/workgroup.js';
import { gridSize, MAX_WORKGROUPS_PER_DIMENSION, writeGridPosition, writeUpdate } from './entry.js';
import { Namespace } from './names.js';
import { type WgslHelper, WgslRenderer } from './render.js';
import { writeSplitMain } from './split-sum.js';
import { type ShaderTiles, tileCount, tilesOf, writeTiledMain } from './tiled.js';

export { MAX_WORKGROUPS_PER_DIMENSION } from './entry.js';

/** Invocations per workgroup of a per-element shader; split reductions choose their own. */
export const WORKGROUP_SIZE = ELEMENT_WORKGROUP_SIZE;

/** Invocations in one row of workgroups along x: the stride of `global_invocation_id.y`. */
const ROW = WORKGROUP_SIZE * MAX_WORKGROUPS_PER_DIMENSION;

/** A storage buffer a shader binds, in group 0; binding 0 is always the params uniform. */
export interface WgslBinding {
  readonly binding: number;
  /** The buffer's identifier in the program, e.g. `conv1Kernel`. */
  readonly buffer: string;
  readonly access: 'read' | 'read_write';
}

/**
 * One compute shader: one or more fused kernels of the schedule, or the update of one weight.
 */
export interface WgslShader {
  /** The last kernel's name, the identifier of the buffer it writes: `conv1Output`. */
  readonly name: string;
  /** The entry point, named like the TypeScript kernel: `computeConv1Output`. */
  readonly entryPoint: string;
  /** The tensors it writes: `conv1/preActivation` and `conv1/output`, or `conv1/kernel`. */
  readonly writes: readonly string[];
  /** The names of the schedule's kernels it computes, in order; none for an update. */
  readonly kernels: readonly string[];
  readonly phase: Kernel['phase'] | 'update';
  readonly layer?: string;
  readonly code: string;
  readonly bindings: readonly WgslBinding[];
  /** Invocations per workgroup, as its `@workgroup_size` declares. */
  readonly workgroupSize: number;
  /**
   * `count` invocations in all, or `count` per example when `perExample`, that is
   * `batch * count` (for a tiled product, enough for every tile: see `tiles`).
   * `workgroupCount` turns it into a dispatch.
   */
  readonly invocations: { readonly count: number; readonly perExample: boolean };
  /**
   * Invocations that compute one element together: 1, or a whole workgroup where the
   * element's batch sum is split across its lanes.
   */
  readonly lanesPerElement: number;
  /**
   * For a tiled matrix product: the grid's rows (`batch` where they are the examples) and
   * columns, `size` x `size` of them to a workgroup; `workgroupCount` dispatches one
   * workgroup per tile.
   */
  readonly tiles?: ShaderTiles;
}

/**
 * The uniform every shader binds at binding 0: the batch size, so that one shader serves
 * every batch; the learning rate of the updates; and `update`, 1 for a training step and 0
 * when only the gradients are wanted, since a weight's update may run in the kernel of its
 * gradient (see `WgslProgram.order`).
 */
export const PARAMS = {
  binding: 0,
  /** Bytes; a uniform buffer's size is a multiple of 16. */
  size: 16,
  fields: {
    batch: { offset: 0, type: 'u32' },
    learningRate: { offset: 4, type: 'f32' },
    update: { offset: 8, type: 'u32' },
  },
} as const;

/**
 * The shader of one kernel. Invocation `flat` computes one element: with examples,
 * `flat = example * gridSize + row-major position of the output indices`; the indices are
 * recovered with constant divisions, and invocations past the grid return at once.
 *
 * @example
 * // Layer out: weighted sum of the inputs.
 * // x^1[j] = sum_{i=0..2} w^1[i,j] * x[i] + b^1[j]
 * ...
 * @compute @workgroup_size(64)
 * fn computeOutPreActivation(@builtin(global_invocation_id) id: vec3<u32>) {
 *   let flat = i32(id.x + 4194240u * id.y);
 *   let batch = i32(params.batch);
 *   if (flat >= 2 * batch) {
 *     return;
 *   }
 *   let example = flat / 2;
 *   let j = flat % 2;
 *   var sum1: f32 = 0.0;
 *   for (var i: i32 = 0; i <= 2; i++) {
 *     sum1 += outKernel[u32(2 * i + j)] * x[u32(3 * example + i)];
 *   }
 *   outPreActivation[u32(2 * example + j)] = sum1 + outBias[u32(j)];
 * }
 */
export function kernelShader(kernel: Kernel, buffers: readonly Buffer[]): WgslShader {
  return gpuKernelShader(gpuKernel(kernel), buffers);
}

/**
 * The shader of a GPU kernel: one or more fused kernels of the schedule, spread over
 * invocations as its workgroup plan says.
 */
export function gpuKernelShader(kernel: GpuKernel, buffers: readonly Buffer[]): WgslShader {
  const names = shaderNamespace();
  const entryPoint = names.claim(`compute${kernel.name[0]?.toUpperCase()}${kernel.name.slice(1)}`);
  const bound = bindingsOf(kernel, buffers);
  const identifiers = new Map(bound.map((b) => [b.tensor, names.claim(b.identifier)]));

  const body = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  const renderer = writeMain(body, kernel, names, entryPoint, (t) => identifiers.get(t) ?? t);

  const writer = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  writeKernelComment(writer, kernel);
  writer.blankLine();
  writeParams(writer);
  const bindings = bound.map((b, k): WgslBinding => {
    const access = kernel.writes.includes(b.tensor) ? 'read_write' : 'read';
    const binding = { binding: k + 1, buffer: b.identifier, access } as const;
    writeBinding(writer, binding, identifiers.get(b.tensor) ?? b.identifier);
    return binding;
  });
  writer.blankLine();
  writeHelpers(writer, renderer.helpers);
  writer.write(body.toString());

  const lanes = lanesOf(kernel.workgroup);
  return {
    name: kernel.name,
    entryPoint,
    writes: kernel.writes,
    kernels: kernel.kernels.map((k) => k.name),
    phase: kernel.phase,
    ...(kernel.layer === undefined ? {} : { layer: kernel.layer }),
    code: writer.toString(),
    bindings,
    workgroupSize: workgroupSizeOf(kernel.workgroup),
    invocations: invocationsOf(kernel),
    lanesPerElement: lanes,
    ...(kernel.workgroup.kind === 'tiled' ? { tiles: tilesOf(kernel.workgroup) } : {}),
  };
}

/**
 * The invocations a dispatch starts: one per element, or per lane of a split sum. A tiled
 * product's fixed grid rounds up to whole tiles; where its rows are the examples, it counts a
 * whole row of tiles per example, so that a host dispatching `invocations / workgroupSize`
 * workgroups reaches every tile (the extra ones load zeros and store nothing);
 * `workgroupCount` dispatches exactly the tiles.
 */
function invocationsOf(kernel: GpuKernel): WgslShader['invocations'] {
  const { workgroup, grid } = kernel;
  if (workgroup.kind !== 'tiled') {
    const count = gridSize(grid.indices) * lanesOf(workgroup);
    return { count, perExample: grid.examples };
  }
  const { tile, product } = workgroup;
  const across = Math.ceil(product.columnExtent / tile);
  const down = product.rowExtent === 'batch' ? 1 : Math.ceil(product.rowExtent / tile);
  return { count: down * across * tile * tile, perExample: grid.examples };
}

/** Each fused kernel's layer, equation and rules, then how the shader spreads its work. */
function writeKernelComment(writer: CodeBlockWriter, kernel: GpuKernel): void {
  kernel.kernels.forEach((k, n) => {
    if (n > 0) writer.writeLine('// Then, from the value just computed, in the same invocation:');
    for (const line of k.comment) writer.writeLine(`// ${line}`);
  });
  if (kernel.update !== undefined) {
    writer.writeLine(
      `// Then, in a training step, gradient descent on ${kernel.update.weight}: w <- w - learningRate * dL/dw.`,
    );
  }
  const grid = describeGrid(kernel);
  if (kernel.workgroup.kind === 'perElement') {
    writer.writeLine(`// One invocation computes one element of ${grid}.`);
    return;
  }
  if (kernel.workgroup.kind === 'tiled') {
    const { tile, depth, product } = kernel.workgroup;
    const written = kernel.writes.filter((t) => t !== kernel.update?.weight).join(' and ');
    const rows = product.rows === EXAMPLE ? 'examples' : product.rows.replace(/^#/, '');
    const columns = product.columns.replace(/^#/, '');
    writer.writeLine(`// One workgroup computes ${tile} x ${tile} elements of ${written},`);
    writer.writeLine(
      `// ${tile} ${rows} by ${tile} ${columns}: each pass over ${depth} terms of the sum`,
    );
    writer.writeLine(
      '// loads them for its rows and its columns into workgroup memory, which they share.',
    );
    return;
  }
  const { elements, lanes } = kernel.workgroup;
  writer.writeLine(
    `// One workgroup computes ${elements} elements of ${grid}, ${lanes} lanes each: a lane`,
  );
  writer.writeLine(
    `// sums every ${ordinal(lanes)} example, then the first lane adds up the partial sums.`,
  );
}

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : 'th';
  return `${n}${suffix}`;
}

function lanesOf(plan: WorkgroupPlan): number {
  return plan.kind === 'splitSum' ? plan.lanes : 1;
}

function workgroupSizeOf(plan: WorkgroupPlan): number {
  if (plan.kind === 'splitSum') return plan.elements * plan.lanes;
  return plan.kind === 'tiled' ? plan.tile * plan.tile : plan.size;
}

/**
 * The shader of one weight's update, `w <- w - learningRate * dL/dw`, with the learning rate
 * from the params uniform.
 */
export function updateShader(weight: Buffer, gradient: Buffer): WgslShader {
  const names = shaderNamespace();
  const { identifier } = weight;
  const entryPoint = names.claim(`update${identifier[0]?.toUpperCase()}${identifier.slice(1)}`);
  const gradientName = names.claim(gradient.identifier);
  const weightName = names.claim(weight.identifier);
  const flat = names.claim('flat');
  const bindings: WgslBinding[] = [
    { binding: 1, buffer: gradient.identifier, access: 'read' },
    { binding: 2, buffer: weight.identifier, access: 'read_write' },
  ];

  const writer = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  writer.writeLine(`// Gradient descent on ${weight.tensor}: w <- w - learningRate * dL/dw.`);
  writer.writeLine(`// One invocation updates one of its ${weight.size} elements.`);
  writer.blankLine();
  writeParams(writer);
  writeBinding(writer, bindings[0] as WgslBinding, gradientName);
  writeBinding(writer, bindings[1] as WgslBinding, weightName);
  writer.blankLine();
  writeEntryHead(writer, entryPoint, WORKGROUP_SIZE, () => {
    writer.writeLine(`let ${flat} = i32(id.x + ${ROW}u * id.y);`);
    writer.write(`if (${flat} >= ${weight.size}) `).block(() => writer.writeLine('return;'));
    const at = `[u32(${flat})]`;
    writer.writeLine(
      `${weightName}${at} = ${weightName}${at} - params.learningRate * ${gradientName}${at};`,
    );
  });
  return {
    name: weight.identifier,
    entryPoint,
    writes: [weight.tensor],
    kernels: [],
    phase: 'update',
    code: writer.toString(),
    bindings,
    workgroupSize: WORKGROUP_SIZE,
    invocations: { count: weight.size, perExample: false },
    lanesPerElement: 1,
  };
}

/**
 * The workgroups to dispatch for a batch: up to 65535 along x, then rows along y, so that
 * `flat = id.x + 4194240 * id.y` covers every invocation.
 */
export function workgroupCount(shader: WgslShader, batch: number): [number, number, number] {
  const invocations = shader.invocations.count * (shader.invocations.perExample ? batch : 1);
  const groups =
    shader.tiles === undefined
      ? Math.ceil(invocations / shader.workgroupSize)
      : tileCount(shader.tiles, batch);
  if (groups <= MAX_WORKGROUPS_PER_DIMENSION) return [groups, 1, 1];
  return [MAX_WORKGROUPS_PER_DIMENSION, Math.ceil(groups / MAX_WORKGROUPS_PER_DIMENSION), 1];
}

/** The entry point: the grid position from the invocation id, then the element's statements. */
function writeMain(
  writer: CodeBlockWriter,
  kernel: GpuKernel,
  names: Namespace,
  entryPoint: string,
  buffer: (tensor: string) => string,
): WgslRenderer {
  const flat = names.claim('flat');
  const batch = names.claim('batch');
  const renderer = new WgslRenderer(names, buffer, assignedLocals(kernel.element), batch);
  const context = { names, entryPoint, renderer, flat, batch };
  if (kernel.workgroup.kind === 'splitSum') {
    writeSplitMain(writer, kernel, kernel.workgroup, context);
    return renderer;
  }
  if (kernel.workgroup.kind === 'tiled') {
    writeTiledMain(writer, kernel, kernel.workgroup, context);
    return renderer;
  }

  writeEntryHead(writer, entryPoint, kernel.workgroup.size, () => {
    writer.writeLine(`let ${flat} = i32(id.x + ${ROW}u * id.y);`);
    writeGridPosition(writer, kernel, names, flat, batch);
    renderer.statements(writer, kernel.element);
    writeUpdate(writer, kernel, renderer);
  });
  return renderer;
}

/** A namespace holding the names every shader declares itself. */
function shaderNamespace(): Namespace {
  const names = new Namespace();
  for (const name of ['Params', 'params', 'id']) names.claim(name);
  return names;
}

function writeEntryHead(
  writer: CodeBlockWriter,
  entryPoint: string,
  size: number,
  body: () => void,
): void {
  writer.writeLine(`@compute @workgroup_size(${size})`);
  writer.write(`fn ${entryPoint}(@builtin(global_invocation_id) id: vec3<u32>) `).block(body);
}

function writeParams(writer: CodeBlockWriter): void {
  writer.write('struct Params ').block(() => {
    for (const [field, { type }] of Object.entries(PARAMS.fields)) {
      writer.writeLine(`${field}: ${type},`);
    }
  });
  writer.blankLine();
  writer.writeLine(`@group(0) @binding(${PARAMS.binding}) var<uniform> params: Params;`);
}

function writeBinding(writer: CodeBlockWriter, binding: WgslBinding, name: string): void {
  writer.writeLine(
    `@group(0) @binding(${binding.binding}) var<storage, ${binding.access}> ${name}: array<f32>;`,
  );
}

/** Exact integer division for a positive divisor, where WGSL's `/` truncates toward zero. */
const HELPERS: Record<WgslHelper, readonly string[]> = {
  floor_div: [
    '// floor(a / b) for b > 0.',
    'fn floor_div(a: i32, b: i32) -> i32 {',
    '  let q = a / b;',
    '  return select(q, q - 1, a % b != 0 && a < 0);',
    '}',
  ],
  ceil_div: [
    '// ceil(a / b) for b > 0.',
    'fn ceil_div(a: i32, b: i32) -> i32 {',
    '  let q = a / b;',
    '  return select(q, q + 1, a % b != 0 && a > 0);',
    '}',
  ],
  sigmoid: ['fn sigmoid(v: f32) -> f32 {', '  return 1.0 / (1.0 + exp(-v));', '}'],
};

function writeHelpers(writer: CodeBlockWriter, used: ReadonlySet<WgslHelper>): void {
  for (const helper of ['floor_div', 'ceil_div', 'sigmoid'] as const) {
    if (!used.has(helper)) continue;
    for (const line of HELPERS[helper]) writer.writeLine(line);
    writer.blankLine();
  }
}

/** The buffers a kernel reads or writes, in the plan's order. */
function bindingsOf(kernel: GpuKernel, buffers: readonly Buffer[]): Buffer[] {
  const text = JSON.stringify(kernel.element);
  return buffers.filter(
    (b) =>
      kernel.writes.includes(b.tensor) || text.includes(`"buffer":${JSON.stringify(b.tensor)}`),
  );
}

function describeGrid(kernel: GpuKernel): string {
  const written = kernel.writes.filter((t) => t !== kernel.update?.weight).join(' and ');
  return kernel.grid.examples ? `${written} for one example` : written;
}

/** Locals that some statement assigns after declaring them. */
function assignedLocals(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const visit = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.kind === 'assign' || s.kind === 'accumulate' || s.kind === 'assignIndex') {
        names.add(s.name);
      }
      if (s.kind === 'keepLarger') names.add(s.best).add(s.position);
      if (s.kind === 'for' || s.kind === 'if') visit(s.body);
    }
  };
  visit(stmts);
  return names;
}
