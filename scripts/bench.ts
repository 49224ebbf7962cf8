/**
 * `pnpm bench [--json <file>] [--rounds N] [--steps N]`: training-step times at batch 64 for
 * the MLP and LeNet-5 examples on symgrad's CPU runtime and on TensorFlow.js (cpu and wasm
 * backends), each configuration in a process of its own, rounds alternating between systems
 * so that a busy machine slows all of them alike. Prints medians, min-max and the ratio of
 * each peer to symgrad from the same run.
 */
import { spawnSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

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
const systems = ['symgrad-cpu', 'tfjs-cpu', 'tfjs-wasm'];
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const rounds = Number(option('--rounds', '3'));
const steps = Number(option('--steps', '5'));
const jsonFile = args.includes('--json') ? option('--json', 'bench.json') : undefined;

/** The steps of one configuration, one process per round. */
function measure(model: string, system: string): number[] | string {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench-step.ts',
      `examples/${model}.json`,
      system,
      String(stepsFor(model, system)),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line || '{"error":"no output"}') as {
    times?: number[];
    error?: string;
  };
  return parsed.times ?? parsed.error ?? 'no output';
}

/** TensorFlow.js's LeNet step takes seconds on the cpu backend: fewer steps there. */
function stepsFor(model: string, system: string): number {
  return model === 'lenet' && system === 'tfjs-cpu' ? Math.min(steps, 2) : steps;
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

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const records: Record[] = models.flatMap((model) => {
  const ours = times.get(`${model} symgrad-cpu`);
  return systems.map((system) => {
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
process.stdout.write(
  [
    `Training step, batch 64, ${rounds} rounds x ${steps} steps after warm-up; ${machine}`,
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
    `${JSON.stringify({ date: new Date().toISOString(), machine, records }, null, 2)}\n`,
  );
  renameSync(temporary, jsonFile);
}
