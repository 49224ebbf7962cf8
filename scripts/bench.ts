/**
 * `pnpm bench [--json <file>] [--rounds N] [--steps N] [--cpu-only]`: training-step times at
 * batch 64 for the MLP and LeNet-5 examples on symgrad's CPU runtime (one thread and two) and
 * on TensorFlow.js (cpu and wasm backends), and on WebGPU, symgrad's runtime beside
 * TensorFlow.js's webgpu backend on the same adapter; compile times (derive plus emit) for
 * every example; GFLOP/s of each step beside a register-blocked JavaScript matrix product
 * measured in the same run, the ceiling for emitted TypeScript; and the two-thread speed-up
 * once more, paired: one process alternating steps of a one-thread and a two-thread model
 * (scripts/bench-threads.ts), which a machine whose speed drifts between processes skews less.
 *
 * Each configuration runs in a process of its own, rounds alternating between systems so that
 * a busy machine slows all of them alike; the table gives medians, min-max and ratios from the
 * same run. Needs `pnpm build` first (the runtimes load the packages' build); the WebGPU rows
 * need an adapter: without a GPU, Debian's chromium and libvulkan1, whose SwiftShader runs
 * WebGPU on the CPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGraphText } from '../packages/compiler/src/index.js';
import { trainingStepFlops } from './bench-flops.js';
import { BATCH } from './bench-shared.js';

interface StepRecord {
  readonly model: string;
  readonly system: string;
  readonly device: 'cpu' | 'webgpu';
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  readonly gflops?: number;
  /** Why the system has no figures: it failed, or cannot train the model. */
  readonly error?: string;
  /** Each peer's median time over this one's, on the same device: above 1, this is faster. */
  readonly speedup?: Readonly<Record<string, number>>;
}

/** Step times of the one-thread and the two-thread model of one process, taking turns. */
interface PairedTimes {
  readonly oneThread: number[];
  readonly twoThreads: number[];
}

/** Two threads against one, both models in one process taking turns (bench-threads.ts). */
interface PairedThreadsRecord {
  readonly model: string;
  readonly oneThreadMedianMs: number;
  readonly twoThreadsMedianMs: number;
  /** The one-thread median over the two-thread one: above 1, two threads are faster. */
  readonly speedup: number;
}

interface CompileRecord {
  readonly model: string;
  /** The first compile of a fresh process, to JavaScript as the runtimes compile. */
  readonly coldJavaScriptMs: number;
  /** The first TypeScript compile after it, which loads ts-morph. */
  readonly coldTypeScriptMs: number;
  readonly typeScriptMs: number;
  readonly javaScriptMs: number;
  readonly wgslMs: number;
}

const MODELS = ['mlp', 'lenet'];
const EXAMPLES = ['paper-dense', 'paper-conv', 'mlp', 'lenet'];
const CPU_SYSTEMS = ['symgrad-cpu', 'symgrad-cpu-2threads', 'tfjs-cpu', 'tfjs-wasm'];
const WEBGPU_SYSTEMS = ['symgrad-webgpu', 'tfjs-webgpu'];
/** A configuration that has not answered after this long is reported as failed. */
const CHILD_TIMEOUT_MS = 10 * 60_000;
/** SwiftShader, the software Vulkan driver of Debian's chromium: WebGPU without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const rounds = Number(option('--rounds', '3'));
const steps = Number(option('--steps', '5'));
const jsonFile = args.includes('--json') ? option('--json', 'bench.json') : undefined;
const systems = args.includes('--cpu-only') ? CPU_SYSTEMS : [...CPU_SYSTEMS, ...WEBGPU_SYSTEMS];
const deviceOf = (system: string) => (WEBGPU_SYSTEMS.includes(system) ? 'webgpu' : 'cpu');

/**
 * The WebGPU processes' environment: the Vulkan loader pointed at SwiftShader unless a driver
 * is chosen already, and a private runtime directory (mode 700), without which Dawn warns.
 */
const runtimeDirectory = mkdtempSync(join(tmpdir(), 'symgrad-bench-xdg-'));
const webGpuEnv: NodeJS.ProcessEnv = { ...process.env };
webGpuEnv.XDG_RUNTIME_DIR ??= runtimeDirectory;
if (webGpuEnv.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) {
  webGpuEnv.VK_ICD_FILENAMES = SWIFTSHADER;
}

/** Runs one bench script in a fresh Node process and returns the JSON of its last line. */
function child(script: string, argv: readonly string[], env?: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: CHILD_TIMEOUT_MS,
    ...(env === undefined ? {} : { env }),
  });
  if (run.error !== undefined) return { error: run.error.message };
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (line === '') return { error: `no output (${run.stderr.trim().split('\n').pop() ?? ''})` };
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { error: `not JSON: ${line.slice(0, 120)}` };
  }
}

/** TensorFlow.js takes seconds for a LeNet step on cpu and on a software adapter: fewer steps. */
function stepsFor(model: string, system: string): number {
  const slow = system === 'tfjs-cpu' || system === 'tfjs-webgpu';
  return model === 'lenet' && slow ? Math.min(steps, 2) : steps;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Every round runs each configuration once, and the ceiling, in a fixed alternating order. */
function measureSteps() {
  const times = new Map<string, number[]>();
  const errors = new Map<string, string>();
  const ceiling: number[] = [];
  const paired = new Map<string, PairedTimes>();
  let adapter: string | undefined;
  for (let round = 0; round < rounds; round++) {
    ceiling.push(...((child('scripts/bench-matmul.ts', ['3']).gflops as number[]) ?? []));
    for (const model of MODELS) measurePairedThreads(model, paired);
    for (const model of MODELS) {
      for (const system of systems) {
        const key = `${model} ${system}`;
        if (errors.has(key)) continue;
        const onWebGpu = deviceOf(system) === 'webgpu';
        const script = onWebGpu ? 'scripts/bench-webgpu-step.ts' : 'scripts/bench-step.ts';
        const argv = [`examples/${model}.json`, system, String(stepsFor(model, system))];
        const result = child(script, argv, onWebGpu ? webGpuEnv : undefined);
        adapter ??= result.adapter as string | undefined;
        if (Array.isArray(result.times))
          times.set(key, [...(times.get(key) ?? []), ...result.times]);
        else {
          // A system that fails in any round is reported as failed, not from fewer rounds.
          times.delete(key);
          errors.set(key, String(result.error ?? 'no output'));
        }
        process.stderr.write('.');
      }
    }
  }
  return { times, errors, ceiling, adapter, paired };
}

/** One round of the paired thread measurement of `model`, added to `paired`. */
function measurePairedThreads(model: string, paired: Map<string, PairedTimes>): void {
  const result = child('scripts/bench-threads.ts', [`examples/${model}.json`, String(steps)]);
  process.stderr.write('.');
  if (!Array.isArray(result.oneThread) || !Array.isArray(result.twoThreads)) return;
  const sofar = paired.get(model) ?? { oneThread: [], twoThreads: [] };
  sofar.oneThread.push(...(result.oneThread as number[]));
  sofar.twoThreads.push(...(result.twoThreads as number[]));
  paired.set(model, sofar);
}

function pairedRecords(paired: Map<string, PairedTimes>): PairedThreadsRecord[] {
  return [...paired].map(([model, times]) => {
    const [oneThreadMedianMs, twoThreadsMedianMs] = [
      median(times.oneThread),
      median(times.twoThreads),
    ];
    return {
      model,
      oneThreadMedianMs,
      twoThreadsMedianMs,
      speedup: oneThreadMedianMs / twoThreadsMedianMs,
    };
  });
}

function pairedTable(records: readonly PairedThreadsRecord[]): string[] {
  return [
    '| model | paired: 1 thread median ms | 2 threads median ms | speed-up |',
    '| --- | ---: | ---: | ---: |',
    ...records.map(
      (r) =>
        `| ${r.model} | ${r.oneThreadMedianMs.toFixed(1)} | ${r.twoThreadsMedianMs.toFixed(1)} | ${r.speedup.toFixed(2)}x |`,
    ),
  ];
}

function measureCompiles(): CompileRecord[] {
  return EXAMPLES.flatMap((model) => {
    const result = child('scripts/bench-compile.ts', [`examples/${model}.json`, '10']);
    process.stderr.write('.');
    if (result.error !== undefined) {
      process.stderr.write(`\ncompiling ${model} failed: ${String(result.error)}\n`);
      return [];
    }
    return {
      model,
      coldJavaScriptMs: result.coldJavaScriptMs as number,
      coldTypeScriptMs: result.coldTypeScriptMs as number,
      typeScriptMs: median(result.typeScriptMs as number[]),
      javaScriptMs: median(result.javaScriptMs as number[]),
      wgslMs: median(result.wgslMs as number[]),
    };
  });
}

/** One record per model and system, with the speed-up over every peer on its device. */
function stepRecords(times: Map<string, number[]>, errors: Map<string, string>): StepRecord[] {
  return MODELS.flatMap((model) => {
    const graph = parseGraphText(readFileSync(`examples/${model}.json`, 'utf8'), model);
    const flops = trainingStepFlops(graph, BATCH);
    return systems.map((system): StepRecord => {
      const device = deviceOf(system);
      const xs = times.get(`${model} ${system}`);
      if (xs === undefined) {
        return { model, system, device, error: errors.get(`${model} ${system}`) ?? 'not run' };
      }
      const medianMs = median(xs);
      const peers = systems.filter((s) => s !== system && deviceOf(s) === device);
      const speedup: Record<string, number> = {};
      for (const peer of peers) {
        const theirs = times.get(`${model} ${peer}`);
        if (theirs !== undefined) speedup[peer] = median(theirs) / medianMs;
      }
      const gflops = flops / (medianMs * 1e6);
      return {
        model,
        system,
        device,
        medianMs,
        minMs: Math.min(...xs),
        maxMs: Math.max(...xs),
        gflops,
        speedup,
      };
    });
  });
}

function stepTable(records: readonly StepRecord[]): string[] {
  const ratio = (r: StepRecord, peer: string) => {
    const x = r.speedup?.[peer];
    return x === undefined ? '' : `${x.toFixed(x < 10 ? 2 : 0)}x`;
  };
  const rows = records.map((r) => {
    if (r.error !== undefined)
      return `| ${r.model} | ${r.system} | cannot train: ${r.error} | | | |`;
    const base = r.device === 'cpu' ? 'symgrad-cpu' : 'symgrad-webgpu';
    const figures = `${r.medianMs?.toFixed(1)} | ${r.minMs?.toFixed(1)}-${r.maxMs?.toFixed(1)}`;
    const versus =
      r.system === base ? '1' : records.find((o) => o.model === r.model && o.system === base);
    const against = typeof versus === 'object' ? ratio(versus, r.system) : versus;
    return `| ${r.model} | ${r.system} | ${figures} | ${r.gflops?.toFixed(2)} | ${against} |`;
  });
  return [
    '| model | system | median ms | min-max ms | GFLOP/s | its time / symgrad |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

function compileTable(records: readonly CompileRecord[]): string[] {
  return [
    '| example | cold: JavaScript ms | then TypeScript (loads ts-morph) ms | warm: TypeScript ms | JavaScript ms | WGSL ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...records.map(
      (r) =>
        `| ${r.model} | ${r.coldJavaScriptMs.toFixed(0)} | ${r.coldTypeScriptMs.toFixed(0)} | ${r.typeScriptMs.toFixed(1)} | ${r.javaScriptMs.toFixed(1)} | ${r.wgslMs.toFixed(1)} |`,
    ),
  ];
}

function writeJsonAtomically(file: string, document: unknown): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(document, null, 2)}\n`);
  renameSync(temporary, file);
}

function main(): void {
  const compiles = measureCompiles();
  const { times, errors, ceiling, adapter, paired } = measureSteps();
  process.stderr.write('\n');
  rmSync(runtimeDirectory, { recursive: true, force: true });

  const records = stepRecords(times, errors);
  const threads = pairedRecords(paired);
  const ceilingGflops = median(ceiling);
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`;
  const webGpuAdapter = adapter ?? 'none found';
  const software = /swiftshader|llvmpipe|lavapipe/i.test(webGpuAdapter)
    ? ', a software adapter on the CPU, whose times say nothing about a GPU'
    : '';
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${machine}. Training step, batch ${BATCH}, ${rounds} rounds x ${steps} steps after warm-up.`,
    ceiling.length === 0
      ? 'Ceiling: the JavaScript matmul failed to run, so there is no ceiling in this run.'
      : `Ceiling: a 4x4 register-blocked JavaScript matmul 256 reaches ${ceilingGflops.toFixed(2)} GFLOP/s on one core in this run.`,
    `WebGPU adapter: ${webGpuAdapter}${software}. Ratios compare systems on the same device.`,
    '',
    ...stepTable(records),
    '',
    ...pairedTable(threads),
    '',
    ...compileTable(compiles),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (jsonFile !== undefined) {
    const date = new Date().toISOString();
    writeJsonAtomically(jsonFile, {
      date,
      machine,
      webGpuAdapter,
      ceilingGflops,
      steps: records,
      pairedThreads: threads,
      compiles,
    });
  }
}

main();
