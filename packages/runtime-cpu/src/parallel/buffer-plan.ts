import type { ModelManifest } from '@symgrad/compiler';

type State = Record<string, Float32Array>;

/**
 * How a buffer is shared between the threads of a data-parallel model.
 * - `shared`: one copy that every thread reads (the weights);
 * - `perExample`: one copy, each thread taking the rows of its own examples;
 * - `own`: one copy per thread (weight gradients, and anything else not per example).
 */
export type BufferKind = 'shared' | 'perExample' | 'own';

/** A buffer of the module's state, its kind and its floats per example (or in all). */
export interface PlannedBuffer {
  readonly name: string;
  readonly kind: BufferKind;
  readonly rowSize: number;
}

/**
 * The kind of every buffer of `state`, read off the module's manifest. A buffer the manifest
 * does not declare is given to each thread on its own: the safe choice when nothing says it
 * may be shared.
 */
export function planBuffers(manifest: ModelManifest, state: State): PlannedBuffer[] {
  const declared = new Map(manifest.buffers.map((buffer) => [buffer.name, buffer]));
  return Object.keys(state).map((name) => {
    const buffer = declared.get(name);
    if (buffer?.perExample) return { name, kind: 'perExample', rowSize: buffer.size };
    if (buffer?.role === 'weight') return { name, kind: 'shared', rowSize: buffer.size };
    return { name, kind: 'own', rowSize: buffer?.size ?? 0 };
  });
}

/** A copy of `state` whose every buffer lies in shared memory, so threads can view it. */
export function shareState(state: State): State {
  const shared: State = {};
  for (const [name, values] of Object.entries(state)) {
    const copy = new Float32Array(new SharedArrayBuffer(values.byteLength));
    copy.set(values);
    shared[name] = copy;
  }
  return shared;
}

/** Fresh shared buffers for one thread's `own` buffers, as long as the model's. */
export function ownBuffers(plan: readonly PlannedBuffer[], state: State): State {
  const own: State = {};
  for (const buffer of plan) {
    if (buffer.kind !== 'own') continue;
    const length = state[buffer.name]?.length ?? 0;
    own[buffer.name] = new Float32Array(new SharedArrayBuffer(length * 4));
  }
  return own;
}

/**
 * The state one thread computes a slice with: per-example buffers narrowed to the slice's
 * rows (a view cannot be written past, so a slice never touches its neighbour's rows),
 * `own` buffers from `own`, the rest as they are.
 */
export function sliceState(
  plan: readonly PlannedBuffer[],
  state: State,
  own: State,
  offset: number,
  count: number,
): State {
  const slice: State = {};
  for (const buffer of plan) {
    const whole = (buffer.kind === 'own' ? own : state)[buffer.name] as Float32Array;
    slice[buffer.name] =
      buffer.kind === 'perExample'
        ? whole.subarray(offset * buffer.rowSize, (offset + count) * buffer.rowSize)
        : whole;
  }
  return slice;
}
