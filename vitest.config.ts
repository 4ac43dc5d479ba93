import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: the tracer provider is a per-process singleton, as in a Lambda sandbox.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // `npm run coverage`. Only code run inside the test workers counts: handlers run by the local runner, built
    // bundles and other child processes are not measured.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      reportsDirectory: 'coverage',
    },
  },
});
