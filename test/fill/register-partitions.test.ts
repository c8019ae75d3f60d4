import { mkdtemp, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetStorageDescriptor, type GluePartition } from '../../src/catalog/glue-shapes.js';
import { createLocalCatalog } from '../../src/catalog/local-catalog.js';
import { registerPartitions } from '../../src/fill/register-partitions.js';

const LAKE = 's3://hoops-edge';
const COLUMNS = [
  { Name: 'id', Type: 'bigint' },
  { Name: 'teamSeed', Type: 'string' },
];
const written = [
  { name: 'season', value: '2025' },
  { name: 'date', value: '2025-01-04' },
];

describe("registering a fill's partitions under the keys the catalog table declares", () => {
  let root: string;
  const tables: Record<string, string[]> = {
    by_date: ['season', 'date'],
    by_asof: ['season', 'asof'],
    by_season: ['season'],
    unpartitioned: [],
    by_week: ['season', 'week'],
  };
  const partitionsOf = async (table: string) =>
    (
      JSON.parse(await readFile(path.join(root, '_catalog', 'cbbd_silver', `${table}.json`), 'utf8')) as {
        Partitions: GluePartition[];
      }
    ).Partitions;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-register-'));
    await mkdir(path.join(root, '_catalog', 'cbbd_silver'), { recursive: true });
    for (const [name, keys] of Object.entries(tables)) {
      const Table = {
        Name: name,
        PartitionKeys: keys.map((Name) => ({ Name, Type: 'string' })),
        StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/${name}/`, COLUMNS),
      };
      await writeFile(
        path.join(root, '_catalog', 'cbbd_silver', `${name}.json`),
        JSON.stringify({ Table, Partitions: [] }),
      );
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('gives each table values in its key order, a location its layout reads, and the table columns', async () => {
    const result = await registerPartitions(
      createLocalCatalog(root),
      Object.keys(tables).map((table) => ({ database: 'cbbd_silver', table, partitions: written })),
    );
    expect(result.registered).toBe(3);
    expect(result.failed).toEqual([]);
    expect(result.notes).toEqual([
      "cbbd_silver.by_week is partitioned by (season, week), which the fill's season=/date= paths do not give: new partitions not registered",
    ]);
    const registered = async (table: string) =>
      (await partitionsOf(table)).map((p) => [p.Values, p.StorageDescriptor?.Location]);
    expect(await registered('by_date')).toEqual([
      [['2025', '2025-01-04'], `${LAKE}/silver/by_date/season=2025/date=2025-01-04/`],
    ]);
    // The pipeline's season=/asof= tables: the date stands in for asof, the files' own directory is the location.
    expect(await registered('by_asof')).toEqual([
      [['2025', '2025-01-04'], `${LAKE}/silver/by_asof/season=2025/date=2025-01-04/`],
    ]);
    expect(await registered('by_season')).toEqual([[['2025'], `${LAKE}/silver/by_season/season=2025/`]]);
    expect(await partitionsOf('unpartitioned')).toEqual([]);
    for (const table of ['by_date', 'by_asof', 'by_season'])
      expect((await partitionsOf(table))[0]?.StorageDescriptor?.Columns).toEqual(COLUMNS);
  });

  it('registers nothing twice', async () => {
    const result = await registerPartitions(createLocalCatalog(root), [
      { database: 'cbbd_silver', table: 'by_season', partitions: written },
      {
        database: 'cbbd_silver',
        table: 'by_season',
        partitions: [written[0]!, { name: 'date', value: '2025-01-05' }],
      },
    ]);
    expect(result.registered).toBe(0);
    expect(await partitionsOf('by_season')).toHaveLength(1);
  });
});
