/**
 * The ceiling for emitted TypeScript: a 256 x 256 x 256 float32 matrix product in plain
 * JavaScript with 4 x 4 register blocking (16 accumulators, operands loaded once per
 * multiply-add row), the best this machine's V8 does on one core without WebAssembly.
 * Prints `{ "gflops": [...] }`, one figure per timed run, as the other bench processes do.
 * Usage: tsx scripts/bench-matmul.ts <runs>
 */
const N = 256;
const runs = Number(process.argv[2] ?? '5');

// biome-ignore format: the 4 x 4 block of accumulators reads best as a grid
function multiplyBlocked(a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < N; i += 4) {
    const rowA = i * N;
    for (let j = 0; j < N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < N; k++) {
        const a0 = a[rowA + k] as number;
        const a1 = a[rowA + N + k] as number;
        const a2 = a[rowA + 2 * N + k] as number;
        const a3 = a[rowA + 3 * N + k] as number;
        const at = k * N + j;
        const b0 = b[at] as number;
        const b1 = b[at + 1] as number;
        const b2 = b[at + 2] as number;
        const b3 = b[at + 3] as number;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const out = i * N + j;
      c[out] = c00; c[out + 1] = c01; c[out + 2] = c02; c[out + 3] = c03;
      c[out + N] = c10; c[out + N + 1] = c11; c[out + N + 2] = c12; c[out + N + 3] = c13;
      c[out + 2 * N] = c20; c[out + 2 * N + 1] = c21;
      c[out + 2 * N + 2] = c22; c[out + 2 * N + 3] = c23;
      c[out + 3 * N] = c30; c[out + 3 * N + 1] = c31;
      c[out + 3 * N + 2] = c32; c[out + 3 * N + 3] = c33;
    }
  }
}

const a = Float32Array.from({ length: N * N }, (_, k) => ((k * 7919) % 1000) / 1000);
const b = Float32Array.from({ length: N * N }, (_, k) => ((k * 104729) % 1000) / 1000);
const c = new Float32Array(N * N);
for (let warmUp = 0; warmUp < 5; warmUp++) multiplyBlocked(a, b, c);
const gflops = Array.from({ length: runs }, () => {
  const start = performance.now();
  multiplyBlocked(a, b, c);
  return (2 * N * N * N) / ((performance.now() - start) * 1e6);
});
process.stdout.write(`${JSON.stringify({ gflops })}\n`);
