/**
 * A seeded generator, mulberry32, whose whole state is one 32-bit integer: a checkpoint
 * stores it, and a resumed run draws exactly the numbers the uninterrupted run would have.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  get state(): number {
    return this.#state;
  }

  set state(value: number) {
    this.#state = value >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(this.#state ^ (this.#state >>> 15), 1 | this.#state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  /** Puts `order` into the identity, then into a Fisher-Yates order drawn from this generator. */
  permute(order: Uint32Array): void {
    for (let k = 0; k < order.length; k += 1) order[k] = k;
    for (let k = order.length - 1; k > 0; k -= 1) {
      const other = Math.floor(this.next() * (k + 1));
      const held = order[k] as number;
      order[k] = order[other] as number;
      order[other] = held;
    }
  }
}
