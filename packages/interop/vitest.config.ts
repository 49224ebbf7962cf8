import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'interop',
    include: ['test/**/*.test.ts'],
    // Each round trip compiles a graph and trains it with TensorFlow.js's plain-JS backend.
    testTimeout: 60_000,
  },
});
