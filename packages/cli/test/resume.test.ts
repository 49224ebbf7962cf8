import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, type Run, symgrad } from './run-cli.js';
import { type TensorJson, temporaryFolder } from './small-graph.js';
import { skipWithoutAdapter, symgradOnWebGpu } from './webgpu-cli.js';

const EPOCHS = 3;

/**
 * Training sizes to try the kill with, smallest first: a run that finishes before the kill
 * lands (a slow machine polling late) is tried again with more digits per epoch.
 */
const TRAIN_SIZES = [512, 2048, 8000];

const folder = temporaryFolder();
const path = (name: string) => join(folder.path, name);

/** The fields of a checkpoint this test reads. */
interface Checkpoint {
  readonly graph: string;
  readonly epoch: number;
  readonly weights: Record<string, TensorJson>;
}

/** A `symgrad` run in the background, and how it ended. */
interface Background {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

function start(...args: string[]): Background {
  const child = spawn(process.execPath, ['packages/cli/dist/bin.js', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stderr: () => stderr };
}

/**
 * Reads the checkpoint if there is one yet. Written atomically, it is whole whenever it
 * exists: a parse failure here is a torn write.
 */
function readCheckpoint(file: string): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Checkpoint;
  } catch (error) {
    throw new Error(`checkpoint '${file}' was read half-written (${String(error)})`);
  }
}

/**
 * Reads the run's checkpoint every few milliseconds until the run ends, or until `stop` says
 * so of a checkpoint read; returns how many reads found one.
 */
async function watchCheckpoint(
  run: Background,
  file: string,
  stop: (checkpoint: Checkpoint) => boolean = () => false,
): Promise<number> {
  let ended = false;
  void run.exit.then(() => {
    ended = true;
  });
  let reads = 0;
  while (!ended) {
    const checkpoint = readCheckpoint(file);
    if (checkpoint !== undefined) reads += 1;
    if (checkpoint !== undefined && stop(checkpoint)) break;
    await sleep(5);
  }
  return reads;
}

function trainArgs(size: number, name: string, ...more: string[]): string[] {
  const common = ['--epochs', String(EPOCHS), '--train-size', String(size)];
  return ['train', ...common, '--checkpoint', path(`${name}.ck`), ...more];
}

/**
 * Run B: kills training with SIGKILL as soon as its first checkpoint appears, and returns
 * the training size at which the kill landed before the run finished.
 */
async function killAfterFirstCheckpoint(): Promise<number> {
  for (const size of TRAIN_SIZES) {
    rmSync(path('b.ck'), { force: true });
    rmSync(path('b.json'), { force: true });
    const run = start(...trainArgs(size, 'b', '--save', path('b.json')));
    await watchCheckpoint(run, path('b.ck'), () => true);
    run.child.kill('SIGKILL');
    const { signal } = await run.exit;

    const checkpoint = readCheckpoint(path('b.ck'));
    const interrupted = signal === 'SIGKILL' && !existsSync(path('b.json'));
    if (interrupted && checkpoint !== undefined && checkpoint.epoch < EPOCHS) return size;
  }
  throw new Error(
    `every run finished before it was killed, up to --train-size ${TRAIN_SIZES.at(-1)}`,
  );
}

/** The weights of a weights file, by name, in the order the file lists them. */
function weightsIn(file: string): Record<string, TensorJson> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, TensorJson>;
}

/** The weights in `resumedFile` are those of `uninterruptedFile`, bit for bit. */
function expectSameWeights(resumedFile: string, uninterruptedFile: string): void {
  const uninterrupted = weightsIn(uninterruptedFile);
  const resumed = weightsIn(resumedFile);
  expect(Object.keys(resumed)).toEqual(Object.keys(uninterrupted));
  for (const [name, tensor] of Object.entries(uninterrupted)) {
    const other = resumed[name]!;
    expect(other.shape, name).toEqual(tensor.shape);
    expect(other.data.length, name).toBe(tensor.data.length);
    const first = tensor.data.findIndex((value, k) => !Object.is(value, other.data[k]));
    if (first >= 0) {
      expect.fail(`${name}[${first}] is ${other.data[first]}, uninterrupted ${tensor.data[first]}`);
    }
  }
}

describe('symgrad train --resume after a killed run', () => {
  let size: number;
  let checkpointReads: number;
  let killedAt: number;
  let resumedNotes: string;
  beforeAll(async () => {
    size = await killAfterFirstCheckpoint();
    killedAt = readCheckpoint(path('b.ck'))!.epoch;

    const uninterrupted = start(...trainArgs(size, 'a', '--save', path('a.json')));
    checkpointReads = await watchCheckpoint(uninterrupted, path('a.ck'));
    expect(await uninterrupted.exit, uninterrupted.stderr()).toEqual({ code: 0, signal: null });

    const resumed = symgrad(
      ...trainArgs(size, 'b', '--resume', path('b.ck'), '--save', path('b.json')),
    );
    expect(resumed.status, resumed.stderr).toBe(0);
    resumedNotes = resumed.stderr;
  }, 120_000);

  it('was killed after a checkpoint and before the end', () => {
    expect(killedAt).toBeGreaterThanOrEqual(1);
    expect(killedAt).toBeLessThan(EPOCHS);
  });

  it('ends with the weights of a run never interrupted, bit for bit', () => {
    expectSameWeights(path('b.json'), path('a.json'));
  });

  it('leaves checkpoints that are whole JSON whenever they are read, with every epoch', () => {
    expect(checkpointReads).toBeGreaterThan(0);
    expect(readCheckpoint(path('a.ck'))?.epoch).toBe(EPOCHS);
    expect(readCheckpoint(path('b.ck'))?.epoch).toBe(EPOCHS);
  });

  it('records the thread count, and says which settings a resumed run changed', () => {
    const written = JSON.parse(readFileSync(path('a.ck'), 'utf8')) as { threads: number };
    expect(written.threads).toBe(1);
    expect(resumedNotes).not.toContain('note:');

    const changed = symgrad(
      ...trainArgs(size, 'c', '--resume', path('a.ck'), '--batch-size', '32', '--threads', '2'),
    );
    expect(changed.status, changed.stderr).toBe(0);
    const note = changed.stderr.split('\n').find((line) => line.startsWith('note:'));
    expect(note).toBe(
      `note: resuming '${path('a.ck')}' with batch size 64 -> 32, threads 1 -> 2: training goes on from its weights, but will not end where the run that wrote it would have`,
    );
  });

  it('refuses --weights beside --resume, which would silently lose one of them', () => {
    const run = symgrad(
      ...trainArgs(size, 'd', '--resume', path('a.ck'), '--weights', path('a.json')),
    );
    expectOneLineError(run, ['--weights and --resume both give the starting weights']);
  });

  it('refuses a checkpoint of another graph with one line naming both graphs', () => {
    const linear = folder.file('linear.json', {
      name: 'linear',
      input: { shape: [784] },
      layers: [{ type: 'dense', name: 'out', units: 10, activation: 'softmax' }],
      loss: 'softmaxCrossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.1 },
    });
    const run = symgrad('train', linear, '--epochs', '1', '--resume', path('a.ck'));
    expectOneLineError(run, [`checkpoint '${path('a.ck')}'`, "graph 'mlp'", "not 'linear'"]);
  });
});

describe('symgrad train --backend webgpu with --checkpoint and --resume', () => {
  /** `epochs` epochs of the built-in MLP on 256 digits, with a checkpoint named by `name`. */
  const quickArgs = (epochs: number, name: string, ...more: string[]) => [
    'train',
    ...['--epochs', String(epochs), '--train-size', '256', '--checkpoint', path(`${name}.ck`)],
    ...more,
  ];
  let uninterrupted: Run;
  let resumed: Run;
  beforeAll(() => {
    uninterrupted = symgradOnWebGpu(...quickArgs(2, 'gpu-a', '--save', path('gpu-a.json')));
    if (uninterrupted.status !== 0) return;
    const first = symgradOnWebGpu(...quickArgs(1, 'gpu-b'));
    expect(first.status, first.stderr).toBe(0);
    copyFileSync(path('gpu-b.ck'), path('gpu-first-epoch.ck'));
    resumed = symgradOnWebGpu(
      ...quickArgs(2, 'gpu-b', '--resume', path('gpu-b.ck'), '--save', path('gpu-b.json')),
    );
  }, 180_000);

  it("ends a run resumed after its first epoch on the uninterrupted run's weights", ({ skip }) => {
    skipWithoutAdapter(uninterrupted, skip);
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('epoch 1/2');
    expect(epochLine(resumed, 2)).toBe(epochLine(uninterrupted, 2));
    expectSameWeights(path('gpu-b.json'), path('gpu-a.json'));
  });

  it("records the backend and the CPU's batch order; a resume on the CPU trains on", ({ skip }) => {
    skipWithoutAdapter(uninterrupted, skip);
    type Written = Checkpoint & { backend: string; rngState: number; history: unknown[] };
    const written = JSON.parse(readFileSync(path('gpu-first-epoch.ck'), 'utf8')) as Written;
    expect(written).toMatchObject({ backend: 'webgpu', epoch: 1, graph: 'mlp' });
    const onCpu = symgrad(...quickArgs(1, 'cpu-first-epoch'));
    expect(onCpu.status, onCpu.stderr).toBe(0);
    const cpuWritten = JSON.parse(readFileSync(path('cpu-first-epoch.ck'), 'utf8')) as Written;
    expect(written.rngState).toBe(cpuWritten.rngState);

    const continued = symgrad(
      ...quickArgs(2, 'gpu-on-cpu', '--resume', path('gpu-first-epoch.ck')),
    );
    expect(continued.status, continued.stderr).toBe(0);
    expect(continued.stderr).toContain(
      `note: resuming '${path('gpu-first-epoch.ck')}' with backend webgpu -> cpu: training goes on`,
    );
    expect(epochLine(continued, 2)).toMatch(/^epoch 2\/2 {2}loss \d\.\d{4}/);
  });

  it('trains nothing when the checkpoint holds every epoch asked for, and says so', ({ skip }) => {
    skipWithoutAdapter(uninterrupted, skip);
    const again = symgradOnWebGpu(
      ...quickArgs(2, 'gpu-again', '--resume', path('gpu-a.ck'), '--save', path('again.json')),
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `note: '${path('gpu-a.ck')}' holds 2 epochs and --epochs is 2: no epoch left to train`,
    );
    expect(epochLine(again, 2)).toBeUndefined();
    expect(again.stdout).toMatch(/^held-out accuracy \d+\.\d\d% after 2 epochs/m);
    expectSameWeights(path('again.json'), path('gpu-a.json'));
  });
});

/** The `epoch n/m  loss ...  held-out ...` line of epoch `epoch`, without its timing. */
function epochLine(run: Run, epoch: number): string | undefined {
  const line = run.stderr.split('\n').find((text) => text.startsWith(`epoch ${epoch}/`));
  return line?.replace(/\s+\(.*\)$/, '');
}
