import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetStorageDescriptor } from '../../src/catalog/glue-shapes.js';
import { startFakeAthena, type FakeAthena } from './athena.js';
import { startFakeGlue, type FakeGlue } from './glue.js';

const BUCKET = 's3://fake-lake/';
const DB = 'lake';

/**
 * A small lake: `games` partitioned by season (2024 registered twice over one file each, 2025 on disk but not
 * registered, a corrupt file in 2026), `teams` unpartitioned with a subdirectory and hidden files, `big` for paging.
 */
async function writeLake(root: string) {
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  const write = async (key: string, select: string) => {
    await mkdir(path.dirname(path.join(root, key)), { recursive: true });
    await conn.run(`COPY (${select}) TO '${path.join(root, key)}' (FORMAT parquet)`);
  };
  // The file's own season column says 1999: the partition key must win.
  await write(
    'games/season=2024/part-a.parquet',
    `SELECT range AS id, 1999 AS season, CASE WHEN range = 1 THEN NULL ELSE 'g' || range END AS name FROM range(3)`,
  );
  await write('games/season=2025/part-b.parquet', `SELECT 100 AS id, 1999 AS season, 'x' AS name`);
  await write('games/season=2026/part-c.parquet', `SELECT 200 AS id, 1999 AS season, 'y' AS name`);
  await write('games/season=2026/part-d.parquet', `SELECT 201 AS id, 1999 AS season, 'z' AS name`);
  const whole = await readFile(path.join(root, 'games/season=2026/part-c.parquet'));
  await writeFile(path.join(root, 'games/season=2026/part-c.parquet'), whole.subarray(0, 200));
  await write(
    'teams/asof=2026-01-15/part-1.parquet',
    `SELECT 1 AS teamId, 'A' AS school UNION ALL SELECT 2, 'B'`,
  );
  await write('teams/season=2026/part-2.parquet', `SELECT 3 AS teamId, 'C' AS school`);
  await write('teams/_tmp/part-3.parquet', `SELECT 4 AS teamId, 'D' AS school`);
  await write('teams/.part-4.parquet', `SELECT 5 AS teamId, 'E' AS school`);
  await write('big/part-0.parquet', `SELECT range AS n FROM range(2500)`);
  await write('typed/part-0.parquet', `SELECT 'not a number' AS n`);
  conn.closeSync();
  duck.closeSync();
}

describe('fake Athena', () => {
  let root: string;
  let glue: FakeGlue;
  let athena: FakeAthena;
  let client: AthenaClient;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fake-athena-'));
    await writeLake(root);
    glue = await startFakeGlue();
    athena = await startFakeAthena({
      glue,
      resolve: (uri) => (uri.startsWith(BUCKET) ? path.join(root, uri.slice(BUCKET.length)) : undefined),
    });
    client = new AthenaClient({
      endpoint: athena.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const col = (Name: string, Type: string) => ({ Name, Type });
    glue.seedTable(DB, {
      Name: 'games',
      PartitionKeys: [col('season', 'string')],
      StorageDescriptor: parquetStorageDescriptor(`${BUCKET}games/`, [
        col('id', 'bigint'),
        col('name', 'string'),
      ]),
    });
    glue.seedPartitions(DB, 'games', [
      { Values: ['2024'], StorageDescriptor: parquetStorageDescriptor(`${BUCKET}games/season=2024/`) },
      { Values: ['2026'], StorageDescriptor: parquetStorageDescriptor(`${BUCKET}games/season=2026/`) },
    ]);
    glue.seedTable(DB, {
      Name: 'teams',
      StorageDescriptor: parquetStorageDescriptor(`${BUCKET}teams/`, [
        col('teamId', 'bigint'),
        col('school', 'string'),
      ]),
    });
    glue.seedTable(DB, {
      Name: 'big',
      StorageDescriptor: parquetStorageDescriptor(`${BUCKET}big/`, [col('n', 'bigint')]),
    });
    glue.seedTable(DB, {
      Name: 'typed',
      StorageDescriptor: parquetStorageDescriptor(`${BUCKET}typed/`, [col('n', 'bigint')]),
    });
  });
  afterAll(async () => {
    client.destroy();
    await athena.close();
    await glue.close();
    await rm(root, { recursive: true, force: true });
  });

  /** Starts a statement and polls it to the end, returning the states seen. */
  async function run(sql: string) {
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: DB },
        WorkGroup: 'primary',
      }),
    );
    const states: string[] = [];
    for (;;) {
      const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      states.push(QueryExecution!.Status!.State!);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(states[states.length - 1]!)) {
        return { id: QueryExecutionId!, states, reason: QueryExecution!.Status!.StateChangeReason };
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Every row of a finished statement, header first, NULL as null. */
  async function rows(id: string) {
    const out: (string | null)[][] = [];
    let token: string | undefined;
    do {
      const page: GetQueryResultsCommandOutput = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
      );
      out.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null)));
      token = page.NextToken;
    } while (token);
    return out;
  }

  it('goes QUEUED, RUNNING, SUCCEEDED over successive polls and logs the statement', async () => {
    const { id, states } = await run('SELECT 1 AS one');
    expect(states.slice(0, 3)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(athena.queries.find((q) => q.id === id)).toMatchObject({
      sql: 'SELECT 1 AS one',
      state: 'SUCCEEDED',
      rows: 1,
    });
  });

  it('refuses a statement over 262,144 bytes as Athena does (InvalidRequestException), and takes one of exactly that', async () => {
    // 262,145 bytes in 262,144 characters: the limit is on bytes.
    const padded = (bytes: number) => `SELECT 1 AS one -- é${'x'.repeat(bytes - 21)}`;
    expect(padded(262_145).length).toBe(262_144);
    await expect(
      client.send(new StartQueryExecutionCommand({ QueryString: padded(262_145) })),
    ).rejects.toThrow(
      /^1 validation error detected: Value '262145 bytes' at 'queryString' failed to satisfy constraint: Member must have length less than or equal to 262144$/,
    );
    expect((await run(padded(262_144))).states.at(-1)).toBe('SUCCEEDED');
  });

  it('refuses results before the query has finished', async () => {
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }),
    );
    await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId }))).rejects.toThrow(
      /Query has not yet finished. Current state: QUEUED/,
    );
  });

  it('returns the header row first, strings for values, and NULL as a Datum without VarCharValue', async () => {
    const { id } = await run(`SELECT id, name, season FROM "lake"."games" WHERE season = '2024' ORDER BY id`);
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(page.ResultSet!.Rows![0]).toEqual({
      Data: [{ VarCharValue: 'id' }, { VarCharValue: 'name' }, { VarCharValue: 'season' }],
    });
    expect(page.ResultSet!.Rows![2]).toEqual({ Data: [{ VarCharValue: '1' }, {}, { VarCharValue: '2024' }] });
    expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type])).toEqual([
      ['id', 'bigint'],
      ['name', 'varchar'],
      ['season', 'varchar'],
    ]);
  });

  it('pages results 1,000 rows at a time, the header counting as one, and refuses MaxResults above 1000', async () => {
    const { id } = await run('SELECT n FROM big ORDER BY n');
    const first = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    expect(first.ResultSet!.Rows).toHaveLength(1000);
    expect(first.ResultSet!.Rows![999]!.Data![0]!.VarCharValue).toBe('998');
    const all = await rows(id);
    expect(all).toHaveLength(2501);
    expect(all[2500]).toEqual(['2499']);
    await expect(
      client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 })),
    ).rejects.toThrow(/less than or equal to 1000/);
  });

  it('reads only registered partitions, with the partition value shadowing the file column, and "$path"', async () => {
    const { id } = await run(
      `SELECT season, count(*) AS n, min("$path") AS p FROM "lake"."games" WHERE "$path" <> 's3://fake-lake/games/season=2026/part-c.parquet' GROUP BY 1 ORDER BY 1`,
    );
    expect(await rows(id)).toEqual([
      ['season', 'n', 'p'],
      ['2024', '3', 's3://fake-lake/games/season=2024/part-a.parquet'],
      ['2026', '1', 's3://fake-lake/games/season=2026/part-d.parquet'],
    ]);
  });

  it('keeps "$path" out of SELECT *', async () => {
    const { id } = await run(`SELECT * FROM lake.games WHERE season = '2024' AND id = 0`);
    expect(await rows(id)).toEqual([
      ['id', 'name', 'season'],
      ['0', 'g0', '2024'],
    ]);
  });

  it('reads every file under an unpartitioned location, subdirectories included, hidden files excluded', async () => {
    const { id } = await run(`SELECT teamId, "$path" FROM teams ORDER BY 1`);
    expect(await rows(id)).toEqual([
      ['teamid', '$path'],
      ['1', 's3://fake-lake/teams/asof=2026-01-15/part-1.parquet'],
      ['2', 's3://fake-lake/teams/asof=2026-01-15/part-1.parquet'],
      ['3', 's3://fake-lake/teams/season=2026/part-2.parquet'],
    ]);
  });

  it('fails a corrupt file with HIVE_BAD_DATA naming its s3:// path, and skips it when "$path" excludes it', async () => {
    const bad = await run(`SELECT count(*) FROM "lake"."games"`);
    expect(bad.states[bad.states.length - 1]).toBe('FAILED');
    expect(bad.reason).toBe(
      `HIVE_BAD_DATA: Malformed Parquet file. Expected magic number: PAR1 got: ${await lastFour(path.join(root, 'games/season=2026/part-c.parquet'))} [s3://fake-lake/games/season=2026/part-c.parquet]`,
    );
    await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId: bad.id }))).rejects.toThrow(
      /HIVE_BAD_DATA/,
    );
    const pruned = await run(`SELECT count(*) FROM "lake"."games" WHERE season IN ('2024')`);
    expect(pruned.states[pruned.states.length - 1]).toBe('SUCCEEDED');
  });

  it('fails a Parquet column the Glue type cannot read as Athena does', async () => {
    const { reason } = await run('SELECT n FROM typed');
    expect(reason).toBe(
      "HIVE_BAD_DATA: Malformed Parquet file. Field n's type BYTE_ARRAY in parquet file s3://fake-lake/typed/part-0.parquet is incompatible with type bigint defined in table schema",
    );
  });

  it('words syntax errors, missing tables and schemas, missing columns and DuckDB-only functions as Athena does', async () => {
    expect((await run('SELECT 1 FORM games')).reason).toBe(
      "SYNTAX_ERROR: line 1:15: mismatched input 'games'",
    );
    expect((await run('SELECT id FROM\n  lake.nope')).reason).toBe(
      "TABLE_NOT_FOUND: line 2:3: Table 'awsdatacatalog.lake.nope' does not exist",
    );
    expect((await run('SELECT id FROM nodb.games')).reason).toBe(
      "SCHEMA_NOT_FOUND: line 1:16: Schema 'nodb' does not exist",
    );
    expect((await run('SELECT nope FROM teams')).reason).toMatch(
      /^COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved/,
    );
    expect((await run(`SELECT json_extract_string('{}', '$.a')`)).reason).toBe(
      "FUNCTION_NOT_FOUND: line 1:8: Function 'json_extract_string' not registered",
    );
  });

  it("has Trino's json_extract_scalar: scalars as text, NULL for objects and for text that is not JSON", async () => {
    const { id } = await run(
      `SELECT json_extract_scalar('{"a": 1, "b": {"c": 2}}', '$.a') AS a, json_extract_scalar('{"b": {"c": 2}}', '$.b') AS b, json_extract_scalar('None', '$.a') AS c`,
    );
    expect((await rows(id))[1]).toEqual(['1', null, null]);
  });

  it("has Trino's regexp_replace: every match replaced, groups written $1", async () => {
    const { id } = await run(
      `SELECT regexp_replace('None, None, Nonesuch', '\\bNone\\b', 'null') AS a, regexp_replace('a1 b2', '([a-z])(\\d)', '$2$1') AS b`,
    );
    expect((await rows(id))[1]).toEqual(['null, null, Nonesuch', '1a 2b']);
  });

  it('counts calls per operation', () => {
    // One start was refused for its length and never became a query.
    expect(athena.counters.StartQueryExecution).toBe(athena.queries.length + 1);
    expect(athena.counters.GetQueryExecution).toBeGreaterThanOrEqual(3 * (athena.queries.length - 1));
    expect(athena.counters.GetQueryResults).toBeGreaterThan(0);
  });
});

async function lastFour(file: string): Promise<string> {
  const bytes = await readFile(file);
  return bytes
    .subarray(bytes.length - 4)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '?');
}
