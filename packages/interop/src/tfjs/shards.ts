import { GraphError } from '@symgrad/compiler';
import type { ManifestGroup } from './topology.js';

/** A weight as symgrad's weights files hold it: row-major values in the Keras layout. */
export interface WeightTensor {
  readonly shape: number[];
  readonly data: number[];
}

/** Bytes per value of the dtypes a manifest may list, so that later weights can be found. */
const BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  float16: 2,
  bool: 1,
  uint8: 1,
};

/**
 * Every float32 weight of the manifest, by its name there. A group's shard files, read in
 * order, hold its weights one after another as little-endian values.
 */
export function readShards(
  manifest: readonly ManifestGroup[],
  readShard: (path: string) => Uint8Array,
  file: string,
): Map<string, WeightTensor> {
  const weights = new Map<string, WeightTensor>();
  for (const group of manifest) {
    const bytes = concatenate(group.paths.map(readShard));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const weight of group.weights) {
      const count = weight.shape.reduce((n, d) => n * d, 1);
      const size = BYTES[weight.dtype];
      // Weights after one of unknown size cannot be located; they are reported missing.
      if (size === undefined || weight.quantization != null) break;
      if (offset + count * size > bytes.byteLength) {
        throw new GraphError(
          'E_TFJS_WEIGHTS',
          `${file}: weight '${weight.name}' runs past the end of shards ${group.paths.join(', ')}; re-save the model with all its shard files`,
        );
      }
      if (weight.dtype === 'float32') {
        const data = Array.from({ length: count }, (_, k) => view.getFloat32(offset + 4 * k, true));
        weights.set(weight.name, { shape: [...weight.shape], data });
      }
      offset += count * size;
    }
  }
  return weights;
}

/** One shard holding `tensors` back to back as little-endian float32. */
export function writeShard(tensors: readonly { data: ArrayLike<number> }[]): Uint8Array {
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const bytes = new Uint8Array(4 * total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const tensor of tensors) {
    for (let k = 0; k < tensor.data.length; k += 1) {
      view.setFloat32(offset, tensor.data[k] ?? 0, true);
      offset += 4;
    }
  }
  return bytes;
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}
