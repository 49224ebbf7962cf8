import { NoAdapterError } from './errors.js';

export interface DeviceOptions {
  /** The WebGPU entry point; `navigator.gpu`, or in Node the `webgpu` package, by default. */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
}

/** What the `webgpu` package (Dawn for Node) exports. */
interface DawnModule {
  create(flags: string[]): GPU;
  readonly globals: Record<string, unknown>;
}

/** The package that brings WebGPU to Node, at the version known to run on Debian 12. */
const NODE_PACKAGE = 'webgpu';

const HOW_TO_GET_ONE =
  "in Node, install the npm package webgpu@0.6.2, and on a machine without a GPU Debian's chromium and libvulkan1 (apt-get install --no-install-recommends chromium libvulkan1) with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json set, for the SwiftShader software adapter; in a browser, use one with WebGPU enabled";

let nodeGpu: Promise<GPU> | undefined;

/**
 * A WebGPU device for running models: from `navigator.gpu` in a browser, from the `webgpu`
 * package in Node. It asks for the adapter's largest storage buffers and most storage
 * bindings per shader, which large batches and many-weight layers need. Rejects with
 * `NoAdapterError`, saying how to get an adapter, when there is none.
 *
 * @example
 * const device = await requestDevice();
 * const model = await WebGpuModel.compile(graph, device, { maxBatch: 64 });
 */
export async function requestDevice(options: DeviceOptions = {}): Promise<GPUDevice> {
  const gpu = options.gpu ?? (await findGpu());
  const adapter = await gpu.requestAdapter(
    options.powerPreference === undefined ? {} : { powerPreference: options.powerPreference },
  );
  if (adapter === null) throw new NoAdapterError(`no WebGPU adapter found: ${HOW_TO_GET_ONE}`);
  const { limits } = adapter;
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
}

async function findGpu(): Promise<GPU> {
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browserGpu !== undefined) return browserGpu;
  nodeGpu ??= loadNodeGpu();
  return nodeGpu;
}

/** Dawn's WebGPU for Node, created once per process. */
async function loadNodeGpu(): Promise<GPU> {
  let dawn: DawnModule;
  try {
    dawn = (await import(NODE_PACKAGE)) as DawnModule;
  } catch (error) {
    nodeGpu = undefined;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new NoAdapterError(`WebGPU is not available (${reason}): ${HOW_TO_GET_ONE}`);
  }
  // The constants (GPUBufferUsage, ...) that WebGPU code expects as globals; a page's own stay.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  }
  return dawn.create([]);
}
