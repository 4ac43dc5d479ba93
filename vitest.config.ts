import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: the tracer provider is a per-process singleton, as in a Lambda sandbox.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
