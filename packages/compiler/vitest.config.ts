import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'compiler',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The gradient suites interpret and difference whole networks in float64: seconds each on
    // a busy 2-core machine, which vitest's 5 s default does not allow for.
    testTimeout: 60_000,
  },
});
