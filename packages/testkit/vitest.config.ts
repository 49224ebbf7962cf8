import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'testkit',
    include: ['test/**/*.test.ts'],
    // The TensorFlow.js cpu backend is slow on convolution gradients; property runs add up.
    testTimeout: 60_000,
  },
});
