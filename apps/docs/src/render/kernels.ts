import {
  fuseElementwise,
  type Kernel,
  kernelFunction,
  type Schedule,
  type WgslProgram,
} from '@symgrad/compiler';
import { codeBlock } from './code.js';
import { equationId, type KernelsByTensor, kernelId } from './derivation.js';
import { escapeHtml } from './html.js';

/** The emitted code of a model: its TypeScript module and its WGSL shaders. */
export interface EmittedCode {
  readonly schedule: Schedule;
  readonly typescript: string;
  readonly wgsl: WgslProgram;
}

/** Which kernel writes which tensor, for linking equations to code. */
export function kernelsByTensor(plan: Schedule): KernelsByTensor {
  return new Map(plan.kernels.map((k) => [k.writes, k.name]));
}

/**
 * One card per kernel, in the order they run: its phase, its layer, the equation it computes
 * (its comment), and its TypeScript function and WGSL shader, each highlighted.
 */
export function kernelsHtml(code: EmittedCode): string {
  return code.schedule.kernels.map((k) => kernelHtml(k, code)).join('\n');
}

function kernelHtml(kernel: Kernel, code: EmittedCode): string {
  // A shader may compute several kernels: an activation runs fused into its weighted sum.
  const shader = code.wgsl.shaders.find((s) => s.kernels.includes(kernel.name));
  const ts = kernelSource(code.typescript, kernel, code.schedule);
  const layer =
    kernel.layer === undefined
      ? ''
      : ` <span class="layer">layer ${escapeHtml(kernel.layer)}</span>`;
  const wgsl =
    shader === undefined
      ? '<p>No WGSL shader.</p>'
      : codeBlock(shader.code, 'wgsl', `${kernel.name} in WGSL`);
  return `<article class="kernel linkable" id="${kernelId(kernel.name)}" data-kernel="${escapeHtml(kernel.name)}" data-tensor="${escapeHtml(kernel.writes)}" data-phase="${kernel.phase}">
<header>
<button type="button" class="select-kernel" data-select="${escapeHtml(kernel.name)}" aria-pressed="false"><code>${escapeHtml(kernel.name)}</code></button>
<span class="phase phase-${kernel.phase}">${kernel.phase}</span>${layer}
<a class="to-equation" href="#${equationId(kernel.writes)}">writes <code>${escapeHtml(kernel.writes)}</code></a>
</header>
<div class="tabs" role="tablist">
<button type="button" role="tab" class="tab" aria-selected="true" data-tab="ts">TypeScript</button>
<button type="button" role="tab" class="tab" aria-selected="false" data-tab="wgsl">WGSL</button>
</div>
<div class="tab-panel" data-panel="ts">${codeBlock(ts, 'typescript', `${kernel.name} in TypeScript`)}</div>
<div class="tab-panel" data-panel="wgsl" hidden>${wgsl}</div>
</article>`;
}

/**
 * The function of one kernel, with its doc comment, cut from the emitted module: the text
 * from the comment before `function <name>(` to the brace that closes it at column 0.
 */
export function kernelSource(module: string, kernel: Kernel, plan: Schedule): string {
  // An elementwise kernel runs inside the one before it, whose function shows both.
  const host = fuseElementwise(plan.kernels).find((k) => k.fused?.includes(kernel.name)) ?? kernel;
  const start = module.indexOf(`function ${kernelFunction(host)}(`);
  if (start < 0) throw new Error(`the emitted module has no function for kernel ${kernel.name}`);
  const comment = module.lastIndexOf('/**', start);
  const from = comment >= 0 && !module.slice(comment, start).includes('\n}\n') ? comment : start;
  const end = module.indexOf('\n}\n', start);
  return module.slice(from, end < 0 ? undefined : end + 2);
}
