import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { parquetStorageDescriptor } from '../../src/catalog/glue-shapes.js';
import { takeInventory } from '../../src/audit/inventory.js';
import { generateDemoLake } from '../../src/demo/generate-lake.js';
import { onlyGaps } from '../helpers/lakes.js';
import type { RepairReport } from '../../src/repair/apply.js';
import { freshS3Lake, stackEnv } from '../helpers/aws.js';
import { cli } from '../helpers/fill-env.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';

/**
 * The partitions-and-catalog scenarios on an S3 lake (s3rver) with the Glue fake: more than 100 partitions to
 * register (two BatchCreatePartition calls), one stale, and the season=/asof= normalisation.
 */
describe('repair on an S3 lake with Glue', () => {
  let glue: FakeGlue;
  let lake: ReturnType<typeof freshS3Lake>;
  let env: Record<string, string>;
  let unregistered: string[][];
  const run = (args: string[]) => cli([...args, '--lake', lake.uri], env);
  let out: string;
  const audit = async () =>
    (await run(['audit', '--seasons', '2024-2025', '--out', out, '--json'])).json() as AuditResult;
  const gap = (r: AuditResult, key: string) => r.gaps.find((g) => g.key === key);

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'cbbd-glue-report-'));
    glue = await startFakeGlue();
    Object.assign(process.env, stackEnv(), { AWS_ENDPOINT_URL_GLUE: glue.url });
    env = {};
    lake = freshS3Lake();
    // 150 games a season spread over 150 days: 300 date partitions of fct_plays.
    await generateDemoLake(lake.store, {
      seasons: [2024, 2025],
      gamesPerSeason: 150,
      playsPerGame: [5, 8],
      withCatalog: false,
      gaps: onlyGaps({ asofSeason: 2025 }),
    });
    const { tables } = await takeInventory(lake.store, 'silver');
    for (const table of ['fct_plays', 'fct_games']) {
      const location = `${lake.uri}/silver/${table}/`;
      glue.seedTable('cbbd_silver', {
        Name: table,
        PartitionKeys: [
          { Name: 'season', Type: 'string' },
          { Name: 'date', Type: 'string' },
        ],
        StorageDescriptor: parquetStorageDescriptor(location),
      });
      const values = [
        ...new Set(
          tables
            .get(table)!
            .filter((f) => f.shape === 'season/date')
            .map((f) => JSON.stringify(f.partitions.map((p) => p.value))),
        ),
      ]
        .map((v) => JSON.parse(v) as string[])
        .sort();
      // fct_plays: leave the last 150 out of the catalog and register one that has no data.
      const registered = table === 'fct_plays' ? values.slice(0, -150) : values;
      if (table === 'fct_plays') unregistered = values.slice(-150);
      glue.seedPartitions('cbbd_silver', table, [
        ...registered.map((v) => ({
          Values: v,
          StorageDescriptor: parquetStorageDescriptor(`${location}season=${v[0]}/date=${v[1]}/`),
        })),
        ...(table === 'fct_plays'
          ? [
              {
                Values: ['2025', '2025-08-01'],
                StorageDescriptor: parquetStorageDescriptor(`${location}season=2025/date=2025-08-01/`),
              },
            ]
          : []),
      ]);
    }
  });
  afterAll(async () => {
    await glue.close();
    await rm(out, { recursive: true, force: true });
    delete process.env.AWS_ENDPOINT_URL_GLUE;
  });

  it('the audit reports the 150 missing and the 1 stale partition, paging Glue and S3', async () => {
    const before = { ...glue.counters };
    const r = await audit();
    expect(gap(r, 'catalog_missing_partition:fct_plays')).toMatchObject({
      count: 150,
      partitions: unregistered,
    });
    expect(gap(r, 'catalog_stale_partition:fct_plays')).toMatchObject({
      count: 1,
      partitions: [['2025', '2025-08-01']],
    });
    expect(glue.counters.GetPartitions - before.GetPartitions).toBeLessThanOrEqual(2);
  });

  it('repair without --apply changes nothing; --apply registers the 150 in two batches and keeps the stale one', async () => {
    const plan = (await run(['repair', '--json'])).json() as RepairReport;
    expect(plan.plan.register).toEqual([{ table: 'fct_plays', partitions: unregistered }]);
    expect(glue.counters.BatchCreatePartition).toBe(0);
    const applied = await run(['repair', '--apply', '--json']);
    expect(applied.code).toBe(0);
    expect((applied.json() as RepairReport).registered).toEqual({ done: 150, failed: [] });
    expect(glue.counters.BatchCreatePartition).toBe(2);
    expect(glue.counters.BatchDeletePartition).toBe(0);
    const r = await audit();
    expect(gap(r, 'catalog_missing_partition:fct_plays')).toBeUndefined();
    expect(gap(r, 'catalog_stale_partition:fct_plays')?.count).toBe(1);
  });

  it('--normalize --apply keeps the asof originals; --confirm-delete removes them with no game lost or doubled', async () => {
    const before = await audit();
    const games = before.tables.find((t) => t.table === 'fct_games')!;
    expect(gap(before, 'mixed_partition_layout:fct_games:2025')).toBeDefined();
    const copied = (await run(['repair', '--apply', '--normalize', '--json'])).json() as RepairReport;
    expect(copied.normalized[0]?.copied).toBe(150);
    expect(gap(await audit(), 'mixed_partition_layout:fct_games:2025')).toBeDefined();
    const deleted = await run(['repair', '--apply', '--normalize', '--confirm-delete', '--json']);
    expect(deleted.code).toBe(0);
    const report = deleted.json() as RepairReport;
    expect(report.deletedFiles.done).toHaveLength(1);
    expect(report.deletedPartitions.done).toBe(1);
    const after = await audit();
    expect(
      after.gaps.filter((g) => g.kind === 'mixed_partition_layout' || g.kind.startsWith('catalog_')),
    ).toEqual([]);
    const gamesAfter = after.tables.find((t) => t.table === 'fct_games')!;
    expect(gamesAfter.rows).toBe(games.rows);
    expect(gamesAfter.bySeason['2025']!.duplicates).toBe(0);
  });
});
