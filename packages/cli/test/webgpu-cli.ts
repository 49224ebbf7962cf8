import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT, type Run } from './run-cli.js';

/** SwiftShader, the software Vulkan driver of Debian's chromium: WebGPU without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The environment `symgrad --backend webgpu` needs on a machine without a GPU: the Vulkan
 * loader reads VK_ICD_FILENAMES from the child's own environment, and Dawn wants a private
 * runtime folder (mode 700), the one the runtime-webgpu tests use.
 */
function webGpuEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER;
  }
  if (env.XDG_RUNTIME_DIR === undefined) {
    const folder = join(tmpdir(), `symgrad-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = folder;
  }
  return env;
}

/** Runs the built `symgrad` with `args` and `--backend webgpu`, from the repository root. */
export function symgradOnWebGpu(...args: string[]): Run {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    ['packages/cli/dist/bin.js', ...args, '--backend', 'webgpu'],
    { cwd: ROOT, encoding: 'utf8', env: webGpuEnvironment() },
  );
  return { status, stdout, stderr };
}

/**
 * Skips the test when the run found no WebGPU adapter, on a developer's machine; in CI
 * (CI=true), where SwiftShader is installed, a missing adapter fails it.
 */
export function skipWithoutAdapter(run: Run, skip: (note: string) => never): void {
  if (!run.stderr.includes('no WebGPU adapter found')) return;
  if (process.env.CI === 'true') {
    expect.fail(`CI must have a WebGPU adapter, but symgrad says: ${run.stderr.trim()}`);
  }
  skip('no WebGPU adapter here: install chromium and libvulkan1 for SwiftShader');
}
