import {
  boundNames,
  loadsIn,
  mentionedNames,
  offsetKey,
  renameStmts,
  replaceLoads,
} from './gpu-rewrite.js';
import type { Kernel, Stmt, Value } from './loops.js';

/**
 * A kernel as the GPU schedule sees it: one or more kernels of the schedule run as one
 * dispatch. A consumer is fused into its producer when it reads the producer's output only at
 * the element the same invocation has just computed (bias and activation after a weighted
 * sum, `delta = dL/dO * f'(x)` after the output's gradient), so no other invocation's result
 * is needed and the value passes in a register instead of through memory.
 */
export interface FusedKernel {
  /** The last kernel's name: what the fused kernel produces in the end. */
  readonly name: string;
  /** The schedule's kernels it computes, in order. */
  readonly kernels: readonly Kernel[];
  /** The tensors it stores, in order. */
  readonly writes: readonly string[];
  readonly phase: Kernel['phase'];
  readonly layer?: string;
  readonly grid: Kernel['grid'];
  readonly element: readonly Stmt[];
}

/**
 * Fuses each kernel into the one before it where that is safe (see `FusedKernel`).
 * `scratch(tensor)` says whether a tensor is needed only by the kernels that read it: a
 * fused-away store of such a tensor that no other kernel reads is dropped.
 *
 * @example
 * // conv1/preActivation then conv1/output = relu(conv1/preActivation): one kernel that
 * // stores both, the relu reading the weighted sum from a local.
 * fuseElementwise(plan.kernels, (t) => false);
 */
export function fuseElementwise(
  kernels: readonly Kernel[],
  scratch: (tensor: string) => boolean,
): FusedKernel[] {
  const fused: FusedKernel[] = [];
  for (const kernel of kernels) {
    const producer = fused.at(-1);
    if (producer !== undefined && canFuse(producer, kernel)) {
      const readElsewhere = kernels.some(
        (k) => k !== kernel && reads(k, producer.writes.at(-1) as string),
      );
      const keepStore = readElsewhere || !scratch(producer.writes.at(-1) as string);
      fused[fused.length - 1] = fuse(producer, kernel, keepStore);
    } else {
      fused.push(unfused(kernel));
    }
  }
  return fused;
}

/** A kernel of the schedule on its own. */
export function unfused(kernel: Kernel): FusedKernel {
  return {
    name: kernel.name,
    kernels: [kernel],
    writes: [kernel.writes],
    phase: kernel.phase,
    ...(kernel.layer === undefined ? {} : { layer: kernel.layer }),
    grid: kernel.grid,
    element: kernel.element,
  };
}

/**
 * Whether `consumer` can run in the invocations of `producer`: same phase, same grid, and
 * every load of what the producer wrote is of the element the producer just stored. The
 * producer must end with that store, and reach it on every path.
 */
function canFuse(producer: FusedKernel, consumer: Kernel): boolean {
  const store = finalStore(producer);
  if (store === undefined || producer.phase !== consumer.phase) return false;
  if (!sameGrid(producer.grid, consumer.grid)) return false;
  if (producer.element.some((s) => s.kind === 'skipUnless')) return false;

  const renamed = renameStmts(consumer.element, consumerNames(producer, consumer));
  const loads = loadsIn(renamed).filter((l) => producer.writes.includes(l.buffer));
  const key = offsetKey(store.offset);
  return (
    loads.length > 0 && loads.every((l) => l.buffer === store.buffer && offsetKey(l.offset) === key)
  );
}

function finalStore(kernel: FusedKernel): (Stmt & { kind: 'store' }) | undefined {
  const last = kernel.element.at(-1);
  return last?.kind === 'store' && last.buffer === kernel.writes.at(-1) ? last : undefined;
}

function sameGrid(a: Kernel['grid'], b: Kernel['grid']): boolean {
  return (
    a.examples === b.examples &&
    a.indices.length === b.indices.length &&
    a.indices.every((v, k) => v.extent === b.indices[k]?.extent)
  );
}

/**
 * How the consumer's names read inside the producer: its grid indices become the producer's,
 * and a name it binds that the producer already uses takes a free numbered one.
 */
function consumerNames(producer: FusedKernel, consumer: Kernel): (name: string) => string {
  const producerNames = new Set([
    ...producer.grid.indices.map((v) => v.name),
    ...mentionedNames(producer.element),
  ]);
  const taken = new Set([...producerNames, ...mentionedNames(consumer.element)]);
  const names = new Map<string, string>();
  consumer.grid.indices.forEach((v, k) => {
    names.set(v.name, (producer.grid.indices[k] as { name: string }).name);
  });
  for (const name of boundNames(consumer.element)) {
    if (producerNames.has(name)) names.set(name, freeName(name, taken));
  }
  return (name) => names.get(name) ?? name;
}

/** `sum1` -> `sum2`, `m` -> `m2`: the first numbered spelling nothing uses yet. */
function freeName(name: string, taken: Set<string>): string {
  const base = name.replace(/\d+$/, '');
  let counter = 2;
  while (taken.has(`${base}${counter}`)) counter += 1;
  const free = `${base}${counter}`;
  taken.add(free);
  return free;
}

/**
 * The producer's statements with its final store's value held in a local, then the
 * consumer's, reading that local instead of the stored element.
 */
function fuse(producer: FusedKernel, consumer: Kernel, keepStore: boolean): FusedKernel {
  const store = finalStore(producer) as Stmt & { kind: 'store' };
  const renamed = renameStmts(consumer.element, consumerNames(producer, consumer));
  const local = localName(store.buffer, [...producer.element, ...renamed]);
  const held: Value = { kind: 'local', name: local };
  const element: Stmt[] = [
    ...producer.element.slice(0, -1),
    { kind: 'declare', name: local, value: store.value, type: 'float' },
    ...(keepStore ? [{ ...store, value: held }] : []),
    ...replaceLoads(renamed, store.buffer, store.offset, held),
  ];
  return {
    ...producer,
    name: consumer.name,
    kernels: [...producer.kernels, consumer],
    writes: [...(keepStore ? producer.writes : producer.writes.slice(0, -1)), consumer.writes],
    element,
  };
}

/** `conv1/preActivation` -> `preActivation`, `grad(fc2/output)` -> `outputGrad`. */
function localName(tensor: string, around: readonly Stmt[]): string {
  const gradient = /^grad\((.*)\)$/.exec(tensor)?.[1];
  const base = (gradient ?? tensor).split('/').at(-1) ?? 'value';
  const name = gradient === undefined ? base : `${base}Grad`;
  const taken = mentionedNames(around);
  return taken.has(name) ? freeName(name, taken) : name;
}

function reads(kernel: Kernel, tensor: string): boolean {
  return loadsIn(kernel.element).some((l) => l.buffer === tensor);
}

/** A weight whose gradient descent step runs in the kernel that computes its gradient. */
export interface FusedUpdate {
  readonly weight: string;
  readonly gradient: string;
}

/**
 * The weights whose update can run in the kernel of their gradient, by that kernel: the
 * kernel ends by storing the gradient, reads nothing of the weight (so no invocation can see
 * another's update), and no later kernel reads the weight.
 */
export function fusibleUpdates(
  kernels: readonly FusedKernel[],
  weights: readonly FusedUpdate[],
): Map<FusedKernel, FusedUpdate> {
  const fusible = new Map<FusedKernel, FusedUpdate>();
  for (const update of weights) {
    const at = kernels.findIndex((k) => k.writes.includes(update.gradient));
    const kernel = kernels[at];
    if (kernel === undefined || kernel.grid.examples) continue;
    if (finalStore(kernel)?.buffer !== update.gradient) continue;
    const readers = kernels.slice(at).filter((k) => readsTensor(k, update.weight));
    if (readers.length === 0) fusible.set(kernel, update);
  }
  return fusible;
}

function readsTensor(kernel: FusedKernel, tensor: string): boolean {
  return loadsIn(kernel.element).some((l) => l.buffer === tensor);
}
