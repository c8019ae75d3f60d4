import { availableParallelism } from 'node:os';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that take a minute or so. They start first even when vitest has no timings of its own yet (a fresh CI
 * checkout, where it orders by file size and would start the short dist test near the end), so none of them runs
 * alone while the other worker has finished.
 */
const LONG_FILES = [
  'test/crash/crash-resume.test.ts',
  'test/build/dist.test.ts',
  'test/fill/shared-budget.test.ts',
  'test/action/action-e2e.test.ts',
  'test/faults/dynamodb-faults.test.ts',
];

/** Vitest's order (failed first, then longest by its cache, else largest), with LONG_FILES ahead of the rest. */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONG_FILES.indexOf(
        path.relative(f.project.config.root, f.moduleId).split(path.sep).join('/'),
      );
      return i < 0 ? LONG_FILES.length : i;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

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
    sequence: { sequencer: LongFilesFirst },
  },
});
