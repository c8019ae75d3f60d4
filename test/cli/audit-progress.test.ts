import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepProgressReporter } from '../../src/util/progress.js';
import { runCli } from '../../src/cli/run.js';
import { SMALL_LAKE, tempLake } from '../helpers/lakes.js';

/** A clock that moves `stepMs` each time it is read. */
const steppingClock = (stepMs: number) => {
  let t = Date.parse('2026-12-01T05:00:00Z');
  return () => (t += stepMs);
};

describe('audit progress reporter', () => {
  it('in a log writes a line every 10 s and one at the end, with rate and ETA', () => {
    const lines: string[] = [];
    const report = stepProgressReporter((t) => lines.push(t), false, steppingClock(1_000));
    for (let read = 1; read <= 100; read++) report(read, 100);
    // 100 ticks a second apart: a line each ten seconds, and the last.
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('audit: 10/100 files read · 1.0/s · ETA 1m 30s\n');
    expect(lines.at(-1)).toBe('audit: 100/100 files read · 1.0/s · ETA 0s\n');
  });

  it('on a terminal rewrites one live line and ends it with a newline', () => {
    const lines: string[] = [];
    const report = stepProgressReporter((t) => lines.push(t), true, steppingClock(100));
    for (let read = 1; read <= 20; read++) report(read, 20);
    expect(lines.every((l) => l.startsWith('\raudit: '))).toBe(true);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.length).toBeLessThan(20);
    expect(lines.at(-1)).toMatch(/^\raudit: 20\/20 files read · .* · ETA 0s\n$/);
  });
});

describe('cbbd-gap-bot audit on a log', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let out: string;
  beforeAll(async () => {
    lake = await tempLake(SMALL_LAKE);
    out = await mkdtemp(path.join(os.tmpdir(), 'cbbd-progress-'));
  });
  afterAll(async () => {
    await lake.cleanup();
    await rm(out, { recursive: true, force: true });
  });

  it('shows files read of the total on stderr while it reads, and every file is counted', async () => {
    let parquet = 0;
    for await (const o of lake.store.list('silver/')) if (o.key.endsWith('.parquet')) parquet++;
    const err: string[] = [];
    const clock = steppingClock(500);
    const code = await runCli(['audit', '--lake', lake.root, '--out', out], {
      stdout: () => {},
      stderr: (t) => err.push(t),
      env: {},
      cwd: process.cwd(),
      now: () => new Date(clock()),
      isTty: false,
    });
    expect(code).toBe(0);
    const progress = err.filter((l) => l.startsWith('audit: '));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatch(new RegExp(`^audit: ${parquet}/${parquet} files read · `));
    const counts = progress.map((l) => Number(/^audit: (\d+)\//.exec(l)![1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
});
