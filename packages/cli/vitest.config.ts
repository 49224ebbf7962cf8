import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The tests run the built `symgrad`, as users do; this builds it when it is out of date.
    globalSetup: ['test/build-cli.ts'],
  },
});
