import { NoAdapterError, requestDevice } from '../src/index.js';

/**
 * The device the suite runs on. Without an adapter, the suite is skipped on a developer's
 * machine but fails in CI (CI=true), where one must be installed: `.ci/run` installs
 * SwiftShader, and `vitest.config.ts` points the Vulkan loader at it.
 */
export async function testDevice(): Promise<GPUDevice | undefined> {
  try {
    return await requestDevice();
  } catch (error) {
    if (error instanceof NoAdapterError && process.env.CI !== 'true') return undefined;
    throw error;
  }
}

/**
 * Compiles `code` on the device and returns its compiler messages, errors and warnings
 * alike, as `error at 12:5: ...` lines.
 */
export async function compilerMessages(device: GPUDevice, code: string): Promise<string[]> {
  const module = device.createShaderModule({ code });
  const { messages } = await module.getCompilationInfo();
  return messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
}
