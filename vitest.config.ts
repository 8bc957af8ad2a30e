import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Fixtures are real child processes; two cores, so keep the pool small.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
