import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineProject } from 'vitest/config';

/** SwiftShader, the software Vulkan driver of Debian's chromium: WebGPU without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

const env: Record<string, string> = {};
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) {
  env.VK_ICD_FILENAMES = SWIFTSHADER;
}
// Dawn warns on every start without a private runtime directory; one per user, mode 700,
// reused by every run.
if (process.env.XDG_RUNTIME_DIR === undefined) {
  const directory = join(tmpdir(), `symgrad-xdg-${process.getuid?.() ?? 'user'}`);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  env.XDG_RUNTIME_DIR = directory;
}

export default defineProject({
  test: {
    name: 'runtime-webgpu',
    // Processes, not threads: the Vulkan loader reads VK_ICD_FILENAMES from the real environment.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    env,
    // A software adapter compiles every shader on the CPU: a graph takes seconds, not ms.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
