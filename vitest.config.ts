import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Hostile-source tests hold sockets open on purpose; forks isolate them best.
    pool: 'forks',
    globalSetup: ['test/support/pg-schemas.ts', 'test/support/cli-build.ts'],
    // Most files wait on child processes, sockets and Telegram's rate windows rather than the
    // CPU; vitest's default (cores − 1, so one on a 2-core machine) ran them one by one.
    maxWorkers: 3,
  },
});
