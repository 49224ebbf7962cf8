/**
 * `pnpm bench [--json <file>] [--rounds N] [--steps N]`: training-step times at batch 64 for
 * the MLP and LeNet-5 examples on symgrad's CPU runtime and on TensorFlow.js (cpu and wasm
 * backends), and on WebGPU, symgrad's runtime beside TensorFlow.js's webgpu backend on the
 * same adapter. Each configuration runs in a process of its own, rounds alternating between
 * systems so that a busy machine slows all of them alike. Prints medians, min-max and the
 * ratio of each peer to symgrad on the same device from the same run. The WebGPU rows need
 * `pnpm build` first (the runtime loads the compiler's build) and an adapter: without a GPU,
 * Debian's chromium and libvulkan1, whose SwiftShader runs WebGPU on the CPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

interface Record {
  readonly model: string;
  readonly system: string;
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  readonly error?: string;
  readonly ratioToSymgrad?: number;
}

const models = ['mlp', 'lenet'];
const cpuSystems = ['symgrad-cpu', 'tfjs-cpu', 'tfjs-wasm'];
const webGpuSystems = ['symgrad-webgpu', 'tfjs-webgpu'];
const systems = [...cpuSystems, ...webGpuSystems];
/** Each peer is compared with symgrad on the same device. */
const baseline = (system: string) =>
  webGpuSystems.includes(system) ? 'symgrad-webgpu' : 'symgrad-cpu';
/** A configuration that has not answered after this long is reported as failed. */
const CHILD_TIMEOUT_MS = 10 * 60_000;
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const rounds = Number(option('--rounds', '3'));
const steps = Number(option('--steps', '5'));
const jsonFile = args.includes('--json') ? option('--json', 'bench.json') : undefined;

/** SwiftShader, the software Vulkan driver of Debian's chromium: WebGPU without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

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

/** The adapter the WebGPU rows ran on, as the first WebGPU process reported it. */
let adapter: string | undefined;

/** The steps of one configuration, one process per round. */
function measure(model: string, system: string): number[] | string {
  const onWebGpu = webGpuSystems.includes(system);
  const script = onWebGpu ? 'scripts/bench-webgpu-step.ts' : 'scripts/bench-step.ts';
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', script, `examples/${model}.json`, system, String(stepsFor(model, system))],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      timeout: CHILD_TIMEOUT_MS,
      ...(onWebGpu ? { env: webGpuEnv } : {}),
    },
  );
  if (child.error !== undefined) return child.error.message;
  const line = child.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line || '{"error":"no output"}') as {
    times?: number[];
    adapter?: string;
    error?: string;
  };
  adapter ??= parsed.adapter;
  return parsed.times ?? parsed.error ?? 'no output';
}

/**
 * TensorFlow.js's LeNet step takes seconds on the cpu backend, and on the webgpu backend over
 * a software adapter: fewer steps there.
 */
function stepsFor(model: string, system: string): number {
  const slow = system === 'tfjs-cpu' || system === 'tfjs-webgpu';
  return model === 'lenet' && slow ? Math.min(steps, 2) : steps;
}

const times = new Map<string, number[]>();
const errors = new Map<string, string>();
for (let round = 0; round < rounds; round++) {
  for (const model of models) {
    for (const system of systems) {
      const key = `${model} ${system}`;
      if (errors.has(key)) continue;
      const result = measure(model, system);
      if (typeof result === 'string') errors.set(key, result);
      else times.set(key, [...(times.get(key) ?? []), ...result]);
      process.stderr.write('.');
    }
  }
}
process.stderr.write('\n');
rmSync(runtimeDirectory, { recursive: true, force: true });

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const records: Record[] = models.flatMap((model) => {
  return systems.map((system) => {
    const ours = times.get(`${model} ${baseline(system)}`);
    const key = `${model} ${system}`;
    const xs = times.get(key);
    if (xs === undefined) return { model, system, error: errors.get(key) ?? 'not measured' };
    const record = {
      model,
      system,
      medianMs: median(xs),
      minMs: Math.min(...xs),
      maxMs: Math.max(...xs),
    };
    return ours === undefined ? record : { ...record, ratioToSymgrad: median(xs) / median(ours) };
  });
});

const rows = records.map((r) =>
  r.error !== undefined
    ? `| ${r.model} | ${r.system} | cannot train: ${r.error} | | |`
    : `| ${r.model} | ${r.system} | ${r.medianMs?.toFixed(1)} | ${r.minMs?.toFixed(1)}-${r.maxMs?.toFixed(1)} | ${r.ratioToSymgrad?.toFixed(1)}x |`,
);
const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`;
const webGpuAdapter = adapter ?? 'none found';
const software = /swiftshader|llvmpipe|lavapipe/i.test(webGpuAdapter)
  ? ', a software adapter on the CPU, whose times say nothing about a GPU'
  : '';
process.stdout.write(
  [
    `Training step, batch 64, ${rounds} rounds x ${steps} steps after warm-up; ${machine}`,
    `WebGPU adapter: ${webGpuAdapter}${software}. Time / symgrad: against symgrad on the same device (symgrad-cpu or symgrad-webgpu).`,
    '| model | system | median ms | min-max ms | time / symgrad |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
if (jsonFile !== undefined) {
  const temporary = `${jsonFile}.tmp-${process.pid}`;
  writeFileSync(
    temporary,
    `${JSON.stringify(
      { date: new Date().toISOString(), machine, webGpuAdapter, records },
      null,
      2,
    )}\n`,
  );
  renameSync(temporary, jsonFile);
}
