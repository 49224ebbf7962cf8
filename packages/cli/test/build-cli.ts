import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Sources of the built CLI and of the built workspace packages it imports, with outputs. */
const PACKAGES = [
  ...['compiler', 'runtime-cpu', 'runtime-webgpu', 'datasets', 'interop'].map((name) => ({
    sources: `packages/${name}/src`,
    output: `packages/${name}/dist/index.js`,
  })),
  { sources: 'packages/cli/src', output: 'packages/cli/dist/bin.js' },
];

/** Builds the CLI and what it imports where a source is newer than its output. */
export default function setup(): void {
  if (PACKAGES.every(({ sources, output }) => newest(join(root, sources)) < modified(output))) {
    return;
  }
  try {
    execFileSync('pnpm', ['--filter', '@symgrad/cli...', 'run', 'build'], {
      cwd: root,
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`building the CLI for its tests failed:\n${stdout}${stderr}`);
  }
}

/** The modification time of the newest file under `folder`. */
function newest(folder: string): number {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, modified(join(entry.parentPath, entry.name)));
  }
  return latest;
}

function modified(file: string): number {
  try {
    return statSync(resolve(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}
