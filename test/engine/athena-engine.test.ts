import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeInventory } from '../../src/audit/inventory.js';
import type { LakeFile } from '../../src/lake/lake-file.js';
import { createGlueCatalog } from '../../src/catalog/glue-catalog.js';
import { parquetStorageDescriptor } from '../../src/catalog/glue-shapes.js';
import { createAthenaEngine } from '../../src/engine/athena-engine.js';
import type { QueryEngine } from '../../src/engine/query-engine.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { startFakeAthena, type FakeAthena } from '../fakes/athena.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';

const LAKE = 's3://athena-engine-lake';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('Athena engine', () => {
  let root: string;
  let glue: FakeGlue;
  /** Refusals the fake Athena gives the next statements, one each. */
  const refusals: string[] = [];
  let athena: FakeAthena;
  let athenaClient: AthenaClient;
  let glueClient: GlueClient;
  let engine: QueryEngine;
  let files: Map<string, LakeFile[]>;
  let mapped = true;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'athena-engine-'));
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    const write = async (key: string, select: string) => {
      await mkdir(path.dirname(path.join(root, key)), { recursive: true });
      await conn.run(`COPY (${select}) TO '${path.join(root, key)}' (FORMAT parquet)`);
    };
    // 1,500 games in one registered partition: the ids come back over two result pages.
    await write(
      'silver/fct_x/season=2024/date=2024-01-01/part-a.parquet',
      'SELECT range AS gameId, 2024 AS season FROM range(1500)',
    );
    // A partition on disk that the catalog does not list: Athena never reads it.
    await write(
      'silver/fct_x/season=2024/date=2024-01-02/part-b.parquet',
      'SELECT 5000 AS gameId, 2024 AS season',
    );
    await write(
      'silver/fct_x/season=2025/date=2025-01-01/part-c.parquet',
      'SELECT 6000 AS gameId, 2025 AS season',
    );
    conn.closeSync();
    duck.closeSync();
    // Not Parquet, inside a registered partition: the listing skips it, Athena does not.
    await writeFile(
      path.join(root, 'silver/fct_x/season=2025/date=2025-01-01/manifest.json'),
      '{"files": 1}',
    );
    files = (await takeInventory(createFsStore(root), 'silver')).tables;

    glue = await startFakeGlue();
    glue.seedTable('cbbd_silver', {
      Name: 'fct_x',
      PartitionKeys: [
        { Name: 'season', Type: 'string' },
        { Name: 'date', Type: 'string' },
      ],
      StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/fct_x/`, [
        { Name: 'gameId', Type: 'bigint' },
      ]),
    });
    glue.seedPartitions('cbbd_silver', 'fct_x', [
      {
        Values: ['2024', '2024-01-01'],
        StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/fct_x/season=2024/date=2024-01-01/`),
      },
      {
        Values: ['2025', '2025-01-01'],
        StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/fct_x/season=2025/date=2025-01-01/`),
      },
    ]);
    athena = await startFakeAthena({
      glue,
      refuse: () => refusals.shift(),
      resolve: (uri) =>
        mapped && uri.startsWith(`${LAKE}/`) ? path.join(root, uri.slice(LAKE.length + 1)) : undefined,
    });
    athenaClient = new AthenaClient({ endpoint: athena.url, region: 'us-east-1', credentials });
    glueClient = new GlueClient({ endpoint: glue.url, region: 'us-east-1', credentials });
    engine = createAthenaEngine(athenaClient, createGlueCatalog(glueClient), {
      database: 'cbbd_silver',
      workgroup: 'primary',
      lakeUri: LAKE,
      pollMs: 1,
    });
  });
  afterAll(async () => {
    athenaClient.destroy();
    glueClient.destroy();
    await athena.close();
    await glue.close();
    await rm(root, { recursive: true, force: true });
  });

  const request = (table: string, seasons: number[]) => ({
    table,
    files: (files.get(table) ?? []).filter((f) => f.season !== undefined && seasons.includes(f.season)),
    key: ['gameId'],
    idColumn: 'gameId',
  });

  it('reads registered partitions only, pages ids past 1,000 rows, polls each statement to its end', async () => {
    const before = { ...athena.counters };
    const facts = await engine.tableFacts(request('fct_x', [2024]));
    expect(facts.rowsBySeason).toEqual(new Map([[2024, 1500]]));
    // The listing has two files for 2024; Athena read the registered one.
    expect(facts.filesBySeason).toEqual(new Map([[2024, 2]]));
    expect(facts.idsBySeason?.get(2024)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
    expect(facts.duplicatesBySeason).toEqual(new Map());
    expect(facts.columns).toEqual(['gameId']);
    const started = athena.counters.StartQueryExecution - before.StartQueryExecution;
    expect(started).toBe(4);
    // QUEUED, RUNNING, then the outcome: at least three polls a statement.
    expect(athena.counters.GetQueryExecution - before.GetQueryExecution).toBeGreaterThanOrEqual(3 * started);
    // Rows, nulls and duplicates fit one page each; 1,500 ids and the header take two.
    expect(athena.queries.at(-1)?.rows).toBe(1500);
    expect(athena.counters.GetQueryResults - before.GetQueryResults).toBe(5);
  });

  const slowDown = `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${LAKE}/silver/fct_x/season=2024/date=2024-01-01/part-a.parquet (offset=0, length=100): Slow Down (Service: Amazon S3; Status Code: 503)`;

  it('retries a statement S3 throttled through Athena, and sets no healthy file aside', async () => {
    const first = athena.queries.length;
    const clean = await engine.tableFacts(request('fct_x', [2024]));
    const statements = athena.queries.length - first;
    refusals.push(slowDown, slowDown);
    const before = athena.queries.length;
    const facts = await engine.tableFacts(request('fct_x', [2024]));
    expect(facts.unreadable).toEqual([]);
    expect(facts.rowsBySeason).toEqual(clean.rowsBySeason);
    // The two refused statements were asked again: two more than a clean run.
    expect(athena.queries.length - before).toBe(statements + 2);
    expect(refusals).toEqual([]);
  });

  it('fails the run (RunFailedError, exit 4) when the throttling persists, never a gap', async () => {
    refusals.push(slowDown, slowDown, slowDown, slowDown);
    await expect(engine.tableFacts(request('fct_x', [2024]))).rejects.toThrow(
      /^Athena: a statement failed 4 times with a transient error: HIVE_CANNOT_OPEN_SPLIT: .*likely remedy: /,
    );
    expect(refusals).toEqual([]);
  });

  it('sets aside an object Athena cannot read inside a partition, and counts the rest', async () => {
    const facts = await engine.tableFacts(request('fct_x', [2025]));
    expect(facts.unreadable).toEqual([
      {
        key: 'silver/fct_x/season=2025/date=2025-01-01/manifest.json',
        reason: expect.stringMatching(/^HIVE_BAD_DATA: /),
      },
    ]);
    expect(facts.rowsBySeason).toEqual(new Map([[2025, 1]]));
  });

  it('answers empty facts for a table with no catalog entry, without asking Athena', async () => {
    files.set('fct_uncatalogued', files.get('fct_x')!);
    const started = athena.counters.StartQueryExecution;
    const facts = await engine.tableFacts(request('fct_uncatalogued', [2024]));
    expect(facts.rowsBySeason.size).toBe(0);
    expect(facts.readableFiles).toBe(0);
    expect(athena.counters.StartQueryExecution).toBe(started);
  });

  it('throws a failed statement with its StateChangeReason', async () => {
    mapped = false;
    try {
      await expect(engine.tableFacts(request('fct_x', [2024]))).rejects.toThrow(
        /^GENERIC_INTERNAL_ERROR: the fake Athena cannot map s3:\/\/athena-engine-lake\/silver\/fct_x\/season=2024\/date=2024-01-01\/ to a local path \(query [0-9a-f-]+\)$/,
      );
    } finally {
      mapped = true;
    }
  });
});
