import { GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, CatalogTable } from '../../src/catalog/catalog.js';
import { createGlueCatalog } from '../../src/catalog/glue-catalog.js';
import { parquetStorageDescriptor, type GluePartition } from '../../src/catalog/glue-shapes.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';

const LOCATION = 's3://cbbd-lake/silver/fct_plays/';
const at = (season: string, date: string) => `${LOCATION}season=${season}/date=${date}/`;
/** `n` distinct partition values: 2024, days numbered from 0. */
const days = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ['2024', `2024-d${String(from + i).padStart(5, '0')}`]);

describe('Glue catalog over the fake Glue', () => {
  let glue: FakeGlue;
  let client: GlueClient;
  let catalog: Catalog;
  let db = '';
  let n = 0;
  let table: CatalogTable;

  beforeAll(async () => {
    glue = await startFakeGlue();
    client = new GlueClient({
      endpoint: glue.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    catalog = createGlueCatalog(client);
  });
  afterAll(async () => {
    client.destroy();
    await glue.close();
  });
  beforeEach(async () => {
    db = `cbbd_silver_${n++}`;
    glue.seedTable(db, {
      Name: 'fct_plays',
      TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [
        { Name: 'season', Type: 'string' },
        { Name: 'date', Type: 'string' },
      ],
      StorageDescriptor: parquetStorageDescriptor(LOCATION, [{ Name: 'id', Type: 'bigint' }]),
    });
    table = (await catalog.getTable(db, 'fct_plays'))!;
    for (const op of Object.keys(glue.counters) as (keyof FakeGlue['counters'])[]) glue.counters[op] = 0;
  });

  it('reads a table, and answers undefined for a missing table or database', async () => {
    expect(table).toMatchObject({
      database: db,
      name: 'fct_plays',
      partitionKeys: ['season', 'date'],
      location: LOCATION,
    });
    expect(table.glue.StorageDescriptor?.Columns).toEqual([{ Name: 'id', Type: 'bigint' }]);
    expect(await catalog.getTable(db, 'fct_nope')).toBeUndefined();
    expect(await catalog.getTable('no_such_db', 'fct_plays')).toBeUndefined();
  });

  it('lists more than 1,000 partitions a page of 1,000 at a time', async () => {
    const seeded: GluePartition[] = days(2345).map((v) => ({
      Values: v,
      StorageDescriptor: parquetStorageDescriptor(at(v[0]!, v[1]!)),
    }));
    glue.seedPartitions(db, 'fct_plays', seeded);
    const listed = [];
    for await (const p of catalog.listPartitions(table)) listed.push(p);
    expect(listed).toHaveLength(2345);
    expect(listed[2344]).toEqual({ values: days(1, 2344)[0], location: at('2024', '2024-d02344') });
    expect(glue.counters.GetPartitions).toBe(3);
  });

  it('registers partitions 100 a call, with the table storage descriptor and the partition location', async () => {
    const wanted = days(250).map((values) => ({ values, location: at(values[0]!, values[1]!) }));
    const result = await catalog.createPartitions(table, wanted);
    expect(result).toEqual({ done: 250, failed: [] });
    expect(glue.counters.BatchCreatePartition).toBe(3);
    const stored = glue.partitions(db, 'fct_plays');
    expect(stored).toHaveLength(250);
    expect(stored[7]?.StorageDescriptor).toMatchObject({
      Location: at('2024', '2024-d00007'),
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      Columns: [{ Name: 'id', Type: 'bigint' }],
    });
  });

  it('reports every per-entry failure of a batch instead of dropping it', async () => {
    await catalog.createPartitions(
      table,
      days(3).map((values) => ({ values, location: at(values[0]!, values[1]!) })),
    );
    const result = await catalog.createPartitions(table, [
      ...days(4).map((values) => ({ values, location: at(values[0]!, values[1]!) })),
      { values: ['2024'], location: `${LOCATION}season=2024/` },
    ]);
    expect(result.done).toBe(1);
    expect(result.failed).toEqual([
      ...days(3).map((values) => ({ values, reason: 'AlreadyExistsException: Partition already exists.' })),
      { values: ['2024'], reason: expect.stringMatching(/^InvalidInputException: .*partition keys/) },
    ]);
  });

  it('deletes partitions 25 a call and names the ones that were not there', async () => {
    await catalog.createPartitions(
      table,
      days(60).map((values) => ({ values, location: at(values[0]!, values[1]!) })),
    );
    glue.counters.BatchDeletePartition = 0;
    const result = await catalog.deletePartitions(table, [...days(58), ...days(2, 900)]);
    expect(glue.counters.BatchDeletePartition).toBe(3);
    expect(result).toEqual({
      done: 58,
      failed: days(2, 900).map((values) => ({
        values,
        reason: 'EntityNotFoundException: Partition not found.',
      })),
    });
    expect(glue.partitions(db, 'fct_plays').map((p) => p.Values)).toEqual(days(2, 58));
  });
});
