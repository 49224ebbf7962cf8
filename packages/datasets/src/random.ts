/**
 * mulberry32: a 32-bit generator, small and fast, whose whole state is one integer. The
 * split of a data set depends only on the seed, on every machine and Node version.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** The indices `0..count-1` in an order drawn by Fisher-Yates from `random`. */
export function shuffledIndices(count: number, random: () => number): Uint32Array {
  const order = new Uint32Array(count);
  for (let k = 0; k < count; k += 1) order[k] = k;
  for (let k = count - 1; k > 0; k -= 1) {
    const other = Math.floor(random() * (k + 1));
    const held = order[k] as number;
    order[k] = order[other] as number;
    order[other] = held;
  }
  return order;
}
