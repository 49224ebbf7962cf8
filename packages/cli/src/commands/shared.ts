import type { Tensor } from '@symgrad/runtime-cpu';
import { Option } from 'commander';
import { FileError, UsageError } from '../errors.js';
import { readText } from '../io.js';

export const BACKENDS = ['cpu', 'webgpu'] as const;
export type Backend = (typeof BACKENDS)[number];

/** `--backend cpu|webgpu`: emitted TypeScript in this process, or WGSL on a WebGPU device. */
export function backendOption(): Option {
  return new Option('--backend <backend>', `where to run, one of ${BACKENDS.join(', ')}`)
    .default('cpu')
    .argParser(parseBackend);
}

function parseBackend(value: string): Backend {
  if ((BACKENDS as readonly string[]).includes(value)) return value as Backend;
  throw new UsageError(`--backend '${value}' is not available; use one of ${BACKENDS.join(', ')}`);
}

/** A tensor file `{ "shape": [...], "data": [...] }`, with one-line errors naming the file. */
export function readTensor(file: string): Tensor {
  const fail = (what: string): never => {
    throw new FileError(
      'E_TENSOR',
      `${file}: ${what}; write it as { "shape": [batch, ...], "data": [...] }, row-major`,
    );
  };
  let json: unknown;
  try {
    json = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof FileError) throw error;
    fail(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const { shape, data } = (json ?? {}) as { shape?: unknown; data?: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    fail('"shape" must be a list of positive whole numbers');
  }
  if (!Array.isArray(data)) fail('"data" must be a list of numbers');
  const values = data as unknown[];
  const size = (shape as number[]).reduce((n, d) => n * d, 1);
  if (values.length !== size) fail(`"data" has ${values.length} values, its shape holds ${size}`);
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  // JSON.stringify would print an overflowing 1e999 (Infinity) as null.
  const text = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v));
  if (bad >= 0) fail(`"data"[${bad}] is ${text(values[bad])}, not a finite number`);
  return { shape: shape as number[], data: values as number[] };
}

/** `--threads <n>`: threads that share each batch on the CPU, the calling one included. */
export function threadsOption(): Option {
  return new Option('--threads <n>', 'threads that share each batch on the cpu backend')
    .default(1)
    .argParser(positiveInteger('--threads'));
}

/** The WebGPU backend computes on its device: more CPU threads there would only idle. */
export function checkThreadsBackend(threads: number, backend: Backend): void {
  if (threads > 1 && backend !== 'cpu') {
    throw new UsageError(
      `--threads ${threads} applies to --backend cpu only; drop it or train on the cpu`,
    );
  }
}

/** A positive whole number for `--epochs` and friends. */
export function positiveInteger(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed > 0) return parsed;
    throw new UsageError(
      `${flag} '${value}' is not a positive whole number; give one, such as ${flag} 3`,
    );
  };
}

/** A positive number for `--learning-rate`. */
export function positiveNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (Number.isFinite(parsed) && parsed > 0) return parsed;
    throw new UsageError(
      `${flag} '${value}' is not a positive number; give one, such as ${flag} 0.05`,
    );
  };
}
