/** Digits decoded from `mnist.bin`: pixels in [0, 1], one-hot targets over the 10 classes. */
export interface Digits {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly labels: Uint8Array;
  readonly size: number;
}

const PIXELS = 784;
const CLASSES = 10;

/** Thrown when `mnist.bin` is not the file the site's build writes. */
export class DigitsFileError extends Error {
  readonly code = 'E_DIGITS_FILE';
}

/**
 * Reads the file written by `scripts/mnist-asset.ts`: `SGMN`, the train and test counts, the
 * pixels of every digit as bytes, then every label.
 */
export function decodeDigits(bytes: Uint8Array): { train: Digits; test: Digits } {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'SGMN' || bytes.length < 12) {
    throw new DigitsFileError(
      'mnist.bin does not start with SGMN; rebuild the site with pnpm docs:build',
    );
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, 12);
  const trainSize = header.getUint32(4, true);
  const testSize = header.getUint32(8, true);
  const total = trainSize + testSize;
  if (bytes.length !== 12 + total * (PIXELS + 1)) {
    throw new DigitsFileError(
      `mnist.bin holds ${bytes.length} bytes, not the ${12 + total * (PIXELS + 1)} its header promises; rebuild the site`,
    );
  }
  return {
    train: slice(bytes, 0, trainSize, total),
    test: slice(bytes, trainSize, testSize, total),
  };
}

function slice(bytes: Uint8Array, first: number, size: number, total: number): Digits {
  const pixels = bytes.subarray(12 + first * PIXELS, 12 + (first + size) * PIXELS);
  const labels = bytes.slice(12 + total * PIXELS + first, 12 + total * PIXELS + first + size);
  const inputs = Float32Array.from(pixels, (p) => p / 255);
  const targets = new Float32Array(size * CLASSES);
  labels.forEach((label, k) => {
    targets[k * CLASSES + label] = 1;
  });
  return { inputs, targets, labels, size };
}

/** Fetches the digits the site ships beside its pages. */
export async function loadDigits(): Promise<{ train: Digits; test: Digits }> {
  const response = await fetch(new URL('./mnist.bin', document.baseURI));
  if (!response.ok)
    throw new DigitsFileError(`mnist.bin: HTTP ${response.status}; rebuild the site`);
  return decodeDigits(new Uint8Array(await response.arrayBuffer()));
}
