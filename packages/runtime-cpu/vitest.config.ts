import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'runtime-cpu',
    include: ['test/**/*.test.ts'],
    // Each test compiles a graph first: derivation, scheduling and ts-morph take a while.
    testTimeout: 30_000,
  },
});
