import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeGaps } from '../../src/audit/table-checks.js';
import type { AuditOutcome } from '../../src/commands/audit.js';
import { demoCommand } from '../../src/commands/demo.js';
import { emptyFacts } from '../../src/engine/query-engine.js';
import { seasonInProgress } from '../../src/audit/volume.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig } from '../helpers/lakes.js';

describe('the season in progress', () => {
  it.each([
    ['2025-12-01', 2026],
    ['2026-03-20', 2026],
    ['2026-06-15', undefined],
    ['2026-08-01', 2027],
  ])('on %s is %s', (day, season) => {
    expect(seasonInProgress(new Date(`${day}T12:00:00Z`))).toBe(season);
  });

  it('is neither flagged nor used as a neighbour by the volume check', () => {
    const facts = emptyFacts();
    for (const [s, n] of [
      [2023, 1000],
      [2024, 1000],
      [2025, 1000],
      [2026, 150],
    ])
      facts.rowsBySeason.set(s!, n!);
    expect(volumeGaps('fct_games', facts, 0.5).map((g) => g.key)).toEqual(['volume_anomaly:fct_games:2026']);
    expect(volumeGaps('fct_games', facts, 0.5, 2026)).toEqual([]);
  });
});

describe('the demo dated 1 December', () => {
  let dir: string;
  let outcome: AuditOutcome;
  const writes: [number, number][] = [];
  const reads: [number, number][] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-demo-'));
    const config = shippedConfig();
    config.seasons = { ...config.seasons, start: 2022, end: 2026 };
    outcome = await demoCommand(
      { config, dir, gamesPerSeason: 24 },
      {
        logger: createMemoryLogger(),
        env: {},
        now: () => new Date('2025-12-01T06:00:00Z'),
        writeProgress: (written, total) => writes.push([written, total]),
        progress: (p) => reads.push([p.read, p.total]),
      },
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('holds a season in progress, and raises no volume anomaly for it', () => {
    const games = outcome.result.tables.find((t) => t.table === 'fct_games')!;
    expect(games.bySeason['2026']!.rows).toBeLessThan(games.bySeason['2025']!.rows / 2);
    expect(outcome.result.gaps.filter((g) => g.kind === 'volume_anomaly')).toEqual([]);
  });

  it('reports its progress: every object written, then every file read', () => {
    const [wrote, ofWrites] = writes.at(-1)!;
    expect(wrote).toBe(ofWrites);
    expect(writes.map(([w]) => w)).toEqual(Array.from({ length: ofWrites }, (_, i) => i + 1));
    const [read, ofReads] = reads.at(-1)!;
    expect(read).toBe(ofReads);
    expect(ofReads).toBeGreaterThan(0);
  });

  it('says in the report that the season in progress was not compared', async () => {
    const md = await readFile(outcome.files.markdown, 'utf8');
    expect(md).toContain('season 2026 is in progress (today 2025-12-01), so it is not compared');
  });
});
