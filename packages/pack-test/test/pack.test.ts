import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from the registry: the tarballs `pnpm pack` makes, installed with npm into a
// folder that knows nothing of this repository.

const repoRoot = resolve(import.meta.dirname, '../../..');

interface Manifest {
  readonly private?: boolean;
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: { readonly '.'?: { readonly import?: string } };
}

/** Every package that is published, by folder, with the built files it must ship. */
const PUBLISHED = readdirSync(join(repoRoot, 'packages'))
  .map((folder) => {
    const manifestPath = join(repoRoot, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) return undefined;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.private) return undefined;
    const entry = manifest.exports?.['.']?.import ?? 'dist/index.js';
    return { folder, built: [entry, ...Object.values(manifest.bin ?? {})] };
  })
  .filter((published) => published !== undefined);

/** The packages the issue names; the list above must hold at least these. */
const REQUIRED = ['cli', 'compiler', 'datasets', 'runtime-cpu', 'runtime-webgpu'];

/** What `symgrad --version` must print: the version of the packed @symgrad/cli. */
const CLI_VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The Lemma 2.1 line that `symgrad derive examples/paper-dense.json` ends with. */
const LEMMA = 'dE/dw^1[i,j] = -e[j] * y[j] * (1 - y[j]) * x[i]';

// Compiles paper-dense from the installed packages, takes one training step and reports the
// loss with the files that every symgrad import resolved to.
const CONSUMER_SCRIPT = `
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseGraphText } from '@symgrad/compiler';
import { CpuModel } from '@symgrad/runtime-cpu';

const graph = parseGraphText(readFileSync('paper-dense.json', 'utf8'), 'paper-dense.json');
const model = CpuModel.compile(graph, { maxBatch: 2 });
model.initialize(1);
const inputs = new Float32Array([0.1, 0.5, 0.9, 0.3, 0.2, 0.7]);
const targets = new Float32Array([1, 0, 0, 1]);
const loss = model.trainStep(inputs, targets, 2);

const where = (specifier) => realpathSync(fileURLToPath(import.meta.resolve(specifier)));
const resolved = [
  '@symgrad/cli/package.json',
  '@symgrad/compiler',
  '@symgrad/datasets',
  '@symgrad/runtime-cpu',
  '@symgrad/runtime-webgpu',
].map(where);
console.log(JSON.stringify({ loss, resolved }));
`;

/** A copy of the environment without what pnpm or vitest set for the monorepo. */
function isolatedEnv(cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('npm_') || lower.startsWith('pnpm_') || name === 'NODE_PATH') continue;
    if (name === 'NODE_OPTIONS' || name.startsWith('VITEST')) continue;
    env[name] = value;
  }
  env.npm_config_cache = cache;
  env.npm_config_update_notifier = 'false';
  return env;
}

/** Runs a command to completion and returns its result; throws with its output if it failed. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const line = `${command} ${args.join(' ')}`;
    throw new Error(
      `\`${line}\` in ${options.cwd} exited with ${result.status ?? result.signal}` +
        `${result.error ? ` (${result.error.message})` : ''}\n` +
        `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return result;
}

function isInside(folder: string, file: string): boolean {
  const path = relative(folder, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

describe('the packed tarballs, installed outside the repository', () => {
  let root: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let packed: string[];

  const symgrad = (...args: string[]) =>
    run('npx', ['--no', '--', 'symgrad', ...args], { cwd: project, env });

  beforeAll(() => {
    expect(PUBLISHED.map(({ folder }) => folder)).toEqual(expect.arrayContaining(REQUIRED));
    const missing = PUBLISHED.flatMap(({ folder, built }) =>
      built.map((file) => join('packages', folder, file)),
    ).filter((file) => !existsSync(join(repoRoot, file)));
    if (missing.length > 0)
      throw new Error(
        `the pack test needs built packages, and ${missing.join(', ')} is missing; run \`pnpm build\` at the repository root first`,
      );

    root = realpathSync(mkdtempSync(join(tmpdir(), 'symgrad-pack-')));
    if (!relative(repoRoot, root).startsWith('..'))
      throw new Error(`the temporary folder ${root} lies inside the repository; set TMPDIR`);
    const tarballs = join(root, 'tarballs');
    project = join(root, 'project');
    mkdirSync(tarballs);
    mkdirSync(project);
    env = isolatedEnv(join(root, 'npm-cache'));

    for (const { folder } of PUBLISHED)
      run('pnpm', ['pack', '--pack-destination', tarballs], {
        cwd: join(repoRoot, 'packages', folder),
      });

    packed = readdirSync(tarballs)
      .filter((name) => name.endsWith('.tgz'))
      .map((name) => join(tarballs, name));
    expect(packed).toHaveLength(PUBLISHED.length);
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'symgrad-user', private: true, type: 'module' }, null, 2)}\n`,
    );
    run('npm', ['install', '--no-audit', '--no-fund', ...packed], {
      cwd: project,
      env,
      timeout: 240_000,
    });
    copyFileSync(join(repoRoot, 'examples/paper-dense.json'), join(project, 'paper-dense.json'));
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER_SCRIPT);
  });

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('packs a README and dist, with workspace ranges replaced by versions', () => {
    for (const tarball of packed) {
      const files = run('tar', ['-tzf', tarball], { cwd: root }).stdout.split('\n');
      expect(files, tarball).toContain('package/README.md');
      expect(files, tarball).toContain('package/dist/index.d.ts');
      const manifest = run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: root });
      expect(manifest.stdout, tarball).not.toContain('workspace:');
    }
  });

  it('ships the sources its source maps point at', () => {
    for (const tarball of packed) {
      const files = run('tar', ['-tzf', tarball], { cwd: root }).stdout.split('\n');
      const map = run('tar', ['-xzOf', tarball, 'package/dist/index.js.map'], { cwd: root });
      const { sources } = JSON.parse(map.stdout) as { sources: string[] };
      expect(sources.length, tarball).toBeGreaterThan(0);
      for (const source of sources) {
        expect(files, tarball).toContain(posix.join('package/dist', source));
      }
    }
  });

  it('names every command in `symgrad --help`', () => {
    const { stdout } = symgrad('--help');
    for (const command of ['derive', 'emit', 'grad', 'train']) expect(stdout).toContain(command);
  });

  it('prints the package version for `symgrad --version`', () => {
    expect(symgrad('--version').stdout.trim()).toBe(CLI_VERSION);
  });

  it('derives Lemma 2.1 with `symgrad derive`', () => {
    expect(symgrad('derive', 'paper-dense.json').stdout).toContain(LEMMA);
  });

  it('trains on the MNIST digits the installed `mnist` package ships', () => {
    const { stdout } = symgrad('train', '--epochs', '1', '--train-size', '500');
    expect(stdout).toMatch(/held-out accuracy \d+\.\d+% after 1 epochs/);
  });

  it('compiles and trains from a plain Node script, with nothing taken from the repository', () => {
    const { stdout } = run('node', ['consumer.mjs'], { cwd: project, env });
    const report = JSON.parse(stdout) as { loss: number; resolved: string[] };

    expect(Number.isFinite(report.loss)).toBe(true);
    for (const file of report.resolved) {
      expect(isInside(root, file), `${file} lies outside ${root}`).toBe(true);
      expect(isInside(repoRoot, file), `${file} lies in the repository`).toBe(false);
    }
  });
});
