import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Hostile-source tests hold sockets open on purpose; forks isolate them best.
    pool: 'forks',
  },
});
