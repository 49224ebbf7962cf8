import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts'],
    // The tests read the built site; this builds it when a source is newer than the build.
    globalSetup: ['test/build-site.ts'],
    // Processes, not threads: Chromium is a child process of the test.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
