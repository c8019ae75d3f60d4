import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import { SEVERITIES, severityRank } from '../../src/audit/severity.js';
import type { AuditResult } from '../../src/audit/types.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { createCountingStore } from '../../src/lake/counting-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { createDuckDbEncoder } from '../helpers/duckdb-writer.js';
import { shippedConfig, SMALL_LAKE, tempLake } from '../helpers/lakes.js';
import { expectedGaps } from './expected-gaps.js';

const config = shippedConfig();

describe.each([
  ['hyparquet-writer', false],
  ['DuckDB (snappy and zstd, dictionary pages)', true],
])('scan audit of a lake written by %s', (_writer, useDuckDb) => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let result: AuditResult;
  let counters: ReturnType<typeof createCountingStore>['counters'];
  beforeAll(async () => {
    const duck = useDuckDb ? await createDuckDbEncoder() : undefined;
    lake = await tempLake({ ...SMALL_LAKE, ...(duck ? { encode: duck.encode } : {}) });
    await duck?.close();
    const store = createCountingStore(lake.store);
    counters = store.counters;
    result = await runAudit(
      { config, seasons: lake.manifest.seasons },
      {
        store,
        engine: createScanEngine(store, { concurrency: 8 }),
        logger: createMemoryLogger(),
        now: () => new Date('2026-11-21T00:00:00Z'),
      },
    );
  });
  afterAll(() => lake.cleanup());

  it('finds exactly the injected gaps, and no others', () => {
    const expected = expectedGaps(lake.manifest);
    expect(result.gaps.map((g) => g.key).sort()).toEqual([...expected.keys()].sort());
    for (const gap of result.gaps) expect(gap).toMatchObject(expected.get(gap.key)!);
  });

  it('gives every gap a severity and lists the most serious first', () => {
    const ranks = result.gaps.map((g) => severityRank(g.severity));
    expect(ranks.every((r) => r < SEVERITIES.length)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const corrupt = result.gaps.find((g) => g.kind === 'unreadable_file');
    expect(corrupt?.severity).toBe('high');
    expect(result.gaps.find((g) => g.kind === 'mixed_partition_layout')?.severity).toBe('low');
  });

  it('names the duplicated keys of a duplicates gap and the files holding each', () => {
    const dups = result.gaps.filter((g) => g.kind === 'duplicates' && g.table === 'dim_teams');
    expect(dups.length).toBeGreaterThan(0);
    for (const gap of dups) {
      expect(gap.keys?.length).toBe(Math.min(20, gap.count));
      // The stray season= snapshot repeats the asof= one: each key sits in both files.
      for (const k of gap.keys!) {
        expect(k.files).toHaveLength(2);
        expect(k.files.some((f) => f.includes('/asof='))).toBe(true);
        expect(k.files.some((f) => f.includes('/season='))).toBe(true);
      }
    }
  });

  it('reports the exact missing ids per table and season, none that is not missing', () => {
    for (const [table, bySeason] of Object.entries(lake.manifest.missing)) {
      for (const [season, ids] of Object.entries(bySeason)) {
        const gap = result.gaps.find((g) => g.key === `missing_children:${table}:${season}`);
        expect(gap?.ids ?? []).toEqual(ids);
      }
    }
  });

  it('counts known-empty games as covered, not missing', () => {
    for (const [table, bySeason] of Object.entries(lake.manifest.knownEmpty)) {
      for (const [season, ids] of Object.entries(bySeason)) {
        const row = result.coverage.find((c) => c.table === table && c.season === Number(season));
        expect(row?.knownEmpty).toBe(ids.length);
      }
    }
  });

  it('does not look for substitutions or lineups before 2024', () => {
    const early = result.coverage.filter((c) => c.table !== 'fct_plays' && c.season < 2024);
    expect(early).toEqual([]);
    expect(result.coverage.filter((c) => c.table === 'fct_lineups').map((c) => c.season)).toEqual([
      2024, 2025, 2026,
    ]);
  });

  it('counts rows by season from footers', () => {
    for (const [table, bySeason] of Object.entries(lake.manifest.rows)) {
      const audited = result.tables.find((t) => t.table === table)!;
      for (const [season, rows] of Object.entries(bySeason))
        expect(audited.bySeason[season]?.rows, `${table} ${season}`).toBe(rows);
    }
  });

  it('rates tables like the pipeline does', () => {
    const status = Object.fromEntries(result.tables.map((t) => [t.table, t.status]));
    expect(status).toMatchObject({
      fct_team_season_shooting: 'FAIL',
      fct_plays: 'WARN',
      fct_games: 'WARN',
      dim_conferences: 'PASS',
      fct_rankings: 'PASS',
    });
    expect(result.tables.find((t) => t.table === 'fct_team_season_shooting')?.issues).toEqual(['NO DATA']);
  });

  it('lists once and reads each small file with one whole GET: at most 1.1 reads a file, each byte once', async () => {
    let parquetFiles = 0;
    let deadletters = 0;
    for await (const o of lake.store.list('')) {
      if (o.key.endsWith('.parquet')) parquetFiles++;
      if (o.key.startsWith('deadletter/')) deadletters++;
    }
    expect(counters.lists).toBe(1 + 3); // silver/ once, then each child endpoint's deadletter prefix
    expect(counters.gets).toBeLessThanOrEqual(Math.ceil(parquetFiles * 1.1) + deadletters);
    expect(counters.bytesRead).toBeLessThanOrEqual(lake.manifest.bytes * 1.05);
  });

  it('without whole-object reads, reads footers and key columns only: at most two ranged reads a file', async () => {
    const store = createCountingStore(lake.store);
    const again = await runAudit(
      { config, seasons: lake.manifest.seasons },
      {
        store,
        engine: createScanEngine(store, { concurrency: 8, wholeObjectBytes: 0 }),
        logger: createMemoryLogger(),
        now: () => new Date('2026-11-21T00:00:00Z'),
      },
    );
    expect(again).toEqual(result);
    let parquetFiles = 0;
    for await (const o of lake.store.list('silver/')) if (o.key.endsWith('.parquet')) parquetFiles++;
    expect(store.counters.gets).toBeGreaterThan(parquetFiles * 1.1);
    expect(store.counters.bytesRead).toBeLessThan(lake.manifest.bytes * 0.75);
  });
});
