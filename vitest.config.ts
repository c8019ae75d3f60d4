import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/stack/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores: a single worker on a 2-core runner. Most files spend their
    // time waiting (fake servers' latency, lease expiries, child processes), so one worker per core, and at least two.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
