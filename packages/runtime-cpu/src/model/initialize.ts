import type { Random } from '../random.js';
import type { WeightSlot } from './layout.js';

/**
 * The fans of Glorot initialisation, as Keras computes them for its layouts:
 * dense kernel `[in, units]`: fan_in = in, fan_out = units;
 * conv kernel `[kh, kw, in, out]`: fan_in = kh*kw*in, fan_out = kh*kw*out;
 * einsum weight: fan_in = product of all but the last axis, fan_out = the last axis;
 * a one-axis weight `[n]`: both n, as Keras has it.
 */
export function glorotFans(weight: WeightSlot): { fanIn: number; fanOut: number } {
  const shape = weight.shape;
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };

  const last = shape[shape.length - 1] ?? 1;
  const leading = shape.slice(0, -1).reduce((product, dimension) => product * dimension, 1);
  if (weight.role === 'kernel' && shape.length > 2) {
    // Keras: the receptive field (all axes but the last two) scales both fans.
    const inChannels = shape[shape.length - 2] ?? 1;
    const receptiveField = leading / inChannels;
    return { fanIn: leading, fanOut: receptiveField * last };
  }
  return { fanIn: leading, fanOut: last };
}

/**
 * Glorot-uniform values for a kernel or einsum weight, zeros for a bias: each value uniform in
 * `[-limit, limit)` with `limit = sqrt(6 / (fan_in + fan_out))`, drawn in row-major order.
 */
export function initialWeight(weight: WeightSlot, random: Random, into: Float32Array): void {
  if (weight.role === 'bias') {
    into.fill(0, 0, weight.size);
    return;
  }
  const { fanIn, fanOut } = glorotFans(weight);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let k = 0; k < weight.size; k += 1) into[k] = (2 * random.next() - 1) * limit;
}
