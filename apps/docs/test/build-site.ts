import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = join(root, 'apps/docs');

/** What the site is built from: its own sources, the examples, and the packages' builds. */
const SOURCES = [
  'apps/docs/src',
  'apps/docs/scripts',
  'apps/docs/vite.config.ts',
  'examples',
  ...['compiler', 'runtime-cpu', 'runtime-webgpu', 'datasets'].map((p) => `packages/${p}/dist`),
];

/**
 * Builds the site when a source is newer than its build, from the packages as `pnpm build`
 * left them (the tests also run the built CLI); in CI, `pnpm build` has built the site too.
 */
export default function setup(): void {
  const built = modified(join(docs, 'dist/index.html'));
  if (SOURCES.every((source) => newest(join(root, source)) < built)) return;
  try {
    execFileSync('pnpm', ['--filter', '@symgrad/docs', 'run', 'build'], {
      cwd: root,
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`building the docs site for its tests failed:\n${stdout}${stderr}`);
  }
}

/** The modification time of `path`, or of the newest file under it. */
function newest(path: string): number {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return modified(path);
  let latest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, modified(join(entry.parentPath, entry.name)));
  }
  return latest;
}

function modified(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}
