import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Hostile-source tests hold sockets open on purpose; forks isolate them best.
    pool: 'forks',
    // Files share a worker's module cache: loading src/ (and kysely, fastify, mjml…) once per
    // worker instead of once per file halved the suite's CPU time. Tests keep no state in
    // modules: each builds its own store, servers and clock, and restores any env it sets.
    isolate: false,
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ['test/support/pg-schemas.ts', 'test/support/cli-build.ts'],
    // Most files wait on child processes, sockets and Telegram's rate windows rather than the
    // CPU; vitest's default (cores − 1, so one on a 2-core machine) ran them one by one. On two
    // cores 4 workers finished in 298 s where 3 took 306 s (quiet machine, same commit).
    maxWorkers: 4,
  },
});
