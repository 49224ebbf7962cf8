/** The examples of a batch that one thread computes: `count` of them from `offset`. */
export interface Slice {
  readonly offset: number;
  readonly count: number;
}

/**
 * Splits `batch` examples over at most `threads` threads, in order and as evenly as whole
 * examples allow; the first slices take the remainder. A batch smaller than the thread count
 * leaves the surplus threads idle rather than giving them empty slices, whose mean loss
 * would be 0 / 0.
 */
export function splitBatch(batch: number, threads: number): Slice[] {
  const active = Math.min(batch, threads);
  const base = Math.floor(batch / active);
  const remainder = batch % active;
  const slices: Slice[] = [];
  let offset = 0;
  for (let thread = 0; thread < active; thread += 1) {
    const count = base + (thread < remainder ? 1 : 0);
    slices.push({ offset, count });
    offset += count;
  }
  return slices;
}
