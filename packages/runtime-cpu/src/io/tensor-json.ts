import { elementCount, formatShape, type Tensor } from '../tensor.js';

/** A tensor as read from JSON: a plain array of numbers. */
export interface JsonTensor {
  readonly shape: number[];
  readonly data: number[];
}

/**
 * Tensors by name as JSON, one tensor per line so that a file of many weights stays easy to
 * look through: `{\n  "out/kernel": {"shape":[3,2],"data":[...]},\n ...}`. Float32 values
 * print as the shortest decimal that reads back to the same float, so a round trip is exact.
 */
export function tensorRecordJson(tensors: Readonly<Record<string, Tensor>>, indent = ''): string {
  const lines = Object.entries(tensors).map(([name, tensor]) => {
    const value = { shape: [...tensor.shape], data: Array.from(tensor.data) };
    return `${indent}  ${JSON.stringify(name)}: ${JSON.stringify(value)}`;
  });
  return lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n${indent}}`;
}

/** How a reader names the record and each entry in messages, and the error it throws. */
export interface RecordContext {
  /** `weights file 'w.json'`. */
  readonly where: string;
  /** `weight 'conv1/kernel'`, or a JSON path such as `weights["conv1/kernel"]`. */
  readonly entry: (name: string) => string;
  readonly fail: (message: string) => never;
}

/**
 * Reads `value` as an object from name to `{ shape, data }`, each with as many finite numbers
 * as its shape holds.
 */
export function readTensorRecord(
  value: unknown,
  context: RecordContext,
): Record<string, JsonTensor> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.fail(
      `${context.where} must hold an object from weight name to { "shape": [...], "data": [...] }`,
    );
  }
  const tensors: Record<string, JsonTensor> = {};
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    tensors[name] = readTensor(entry, `${context.where}: ${context.entry(name)}`, context.fail);
  }
  return tensors;
}

function readTensor(value: unknown, path: string, fail: (message: string) => never): JsonTensor {
  const { shape, data } = (value ?? {}) as { shape?: unknown; data?: unknown };
  const isShape =
    Array.isArray(shape) && shape.every((size) => Number.isInteger(size) && size >= 0);
  if (!isShape || !Array.isArray(data)) {
    fail(`${path} must be { "shape": [...], "data": [...] } with whole-number sizes`);
  }
  const size = elementCount(shape as number[]);
  if (data.length !== size) {
    fail(
      `${path} has ${data.length} values, its shape ${formatShape(shape as number[])} holds ${size}`,
    );
  }
  const bad = data.findIndex((entry) => typeof entry !== 'number' || !Number.isFinite(entry));
  if (bad >= 0) fail(`${path} holds ${valueText(data[bad])} at index ${bad}, not a finite number`);
  return { shape: shape as number[], data: data as number[] };
}

/** A value as the file wrote it: `Infinity` for an overflowing number, which JSON would print as null. */
export function valueText(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
