import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeInventory } from '../../src/audit/inventory.js';
import { createGlueCatalog } from '../../src/catalog/glue-catalog.js';
import { parquetStorageDescriptor } from '../../src/catalog/glue-shapes.js';
import { createAthenaEngine } from '../../src/engine/athena-engine.js';
import { createDuckDbEngine } from '../../src/engine/duckdb-engine.js';
import { nestedField } from '../../src/engine/nested-field.js';
import type { TableFacts, TableRequest } from '../../src/engine/query-engine.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { sqlLiteral } from '../../src/engine/sql-facts.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { startFakeAthena, type FakeAthena } from '../fakes/athena.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';

const LAKE = 's3://engine-agreement-lake';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * fct_substitutions as the pipeline writes it: `subIn` is Python repr (`None`, `True`, quotes as Python picks
 * them), now and then JSON. The key reaches into it: [gameId, athleteId, subIn.period, subIn.secondsRemaining].
 */
const FILES: [string, [number, number, string, string | null][]][] = [
  [
    'part-1',
    [
      [1, 10, "{'period': 1, 'secondsRemaining': 100, 'starter': None, 'x': True}", 'A'],
      // Same key, other fields: a duplicate.
      [1, 10, "{'period': 1, 'secondsRemaining': 100, 'starter': True, 'x': False}", null],
      [
        1,
        10,
        "{'id': 5, 'name': 'X', 'starter': None, 'x': True, 'period': 2, 'secondsRemaining': 100}",
        'B',
      ],
      // JSON text of the same key: a duplicate.
      [1, 10, '{"period": 2, "secondsRemaining": 100, "starter": null}', null],
      // A string holding a quote: Python writes it in double quotes; no engine reads it, all say NULL.
      [1, 11, `{'id': 5, 'name': "O'Neil", 'period': 3}`, 'C'],
    ],
  ],
  [
    'part-2',
    [
      [1, 11, `{'id': 6, 'name': "D'Angelo", 'period': 4}`, null],
      [1, 12, "{'period': None, 'secondsRemaining': 100}", 'D'],
      [1, 12, "{'period': None, 'secondsRemaining': 100, 'x': False}", 'E'],
      // 2 and 2.0 are different text, as json_extract_scalar returns them.
      [1, 13, "{'period': 2, 'secondsRemaining': 5}", null],
      [1, 13, "{'period': 2.0, 'secondsRemaining': 5}", 'F'],
      // The words inside a string change alike everywhere.
      [1, 14, "{'period': 1, 'secondsRemaining': 5, 'note': 'None of them'}", null],
      [1, 14, "{'period': 1, 'secondsRemaining': 5, 'note': 'True story'}", 'G'],
      // Different keys beside None and True: no duplicate (replacing quotes alone reads neither).
      [1, 15, "{'period': 3, 'secondsRemaining': 7, 'starter': None}", 'H'],
      [1, 15, "{'period': 4, 'secondsRemaining': 7, 'starter': True}", 'I'],
    ],
  ],
];

const COLUMNS = [
  { Name: 'gameId', Type: 'bigint' },
  { Name: 'athleteId', Type: 'bigint' },
  { Name: 'subIn', Type: 'string' },
  { Name: 'teamName', Type: 'string' },
];

describe('scan, duckdb and athena agree on keys inside repr text and on column names', () => {
  let root: string;
  let glue: FakeGlue;
  let athena: FakeAthena;
  let athenaClient: AthenaClient;
  let glueClient: GlueClient;
  let request: TableRequest;
  const facts = new Map<string, TableFacts>();

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'engine-agreement-'));
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    for (const [name, rows] of FILES) {
      const file = path.join(root, `silver/fct_substitutions/season=2024/${name}.parquet`);
      await mkdir(path.dirname(file), { recursive: true });
      const values = rows
        .map(
          ([g, a, s, t]) =>
            `(${g}::BIGINT, ${a}::BIGINT, ${sqlLiteral(s)}, ${t === null ? 'NULL' : sqlLiteral(t)})`,
        )
        .join(', ');
      await conn.run(
        `COPY (SELECT * FROM (VALUES ${values}) v(gameId, athleteId, subIn, teamName)) TO ${sqlLiteral(file)} (FORMAT parquet)`,
      );
    }
    conn.closeSync();
    duck.closeSync();
    const store = createFsStore(root);
    const files = (await takeInventory(store, 'silver')).tables.get('fct_substitutions')!;
    request = {
      table: 'fct_substitutions',
      files,
      key: ['gameId', 'athleteId', 'subIn.period', 'subIn.secondsRemaining'],
      idColumn: 'gameId',
    };

    // The same table in two Glue databases: as the bot's DDL writes it, and lower-cased as Athena DDL or a
    // crawler stores it.
    glue = await startFakeGlue();
    for (const [database, lower] of [
      ['camel', false],
      ['lower', true],
    ] as const) {
      const cols = COLUMNS.map((c) => ({ ...c, Name: lower ? c.Name.toLowerCase() : c.Name }));
      glue.seedTable(database, {
        Name: 'fct_substitutions',
        PartitionKeys: [{ Name: 'season', Type: 'string' }],
        StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/fct_substitutions/`, cols),
      });
      glue.seedPartitions(database, 'fct_substitutions', [
        {
          Values: ['2024'],
          StorageDescriptor: parquetStorageDescriptor(`${LAKE}/silver/fct_substitutions/season=2024/`),
        },
      ]);
    }
    athena = await startFakeAthena({
      glue,
      resolve: (uri) =>
        uri.startsWith(`${LAKE}/`) ? path.join(root, uri.slice(LAKE.length + 1)) : undefined,
    });
    athenaClient = new AthenaClient({ endpoint: athena.url, region: 'us-east-1', credentials });
    glueClient = new GlueClient({ endpoint: glue.url, region: 'us-east-1', credentials });
    const athenaOn = (database: string) =>
      createAthenaEngine(athenaClient, createGlueCatalog(glueClient), {
        database,
        workgroup: 'primary',
        lakeUri: LAKE,
        pollMs: 1,
        store,
      });
    const engines = [
      createScanEngine(store, { concurrency: 2 }),
      await createDuckDbEngine(root),
      athenaOn('camel'),
      athenaOn('lower'),
    ];
    const names = ['scan', 'duckdb', 'athena', 'athena-lower'];
    for (const [i, engine] of engines.entries()) {
      facts.set(names[i]!, await engine.tableFacts(request));
      await engine.close();
    }
  });
  afterAll(async () => {
    athenaClient.destroy();
    glueClient.destroy();
    await athena.close();
    await glue.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reads a field of repr text, None and True included, the same way as SQL does', () => {
    const text = "{'id': 5, 'name': 'X', 'starter': None, 'x': True, 'period': 2.0}";
    expect(['id', 'name', 'starter', 'x', 'period', 'absent'].map((f) => nestedField(text, [f]))).toEqual([
      '5',
      'X',
      null,
      'true',
      '2.0',
      null,
    ]);
    expect(nestedField('{"a": {"b": 1}}', ['a'])).toBeNull();
    expect(nestedField('{"a": {"b": 1}}', ['a', 'b'])).toBe('1');
    expect(nestedField(`{'name': "O'Neil", 'period': 3}`, ['period'])).toBeNull();
    expect(nestedField('not json', ['a'])).toBeNull();
  });

  it('counts the same duplicates on keys inside repr text in every engine', () => {
    const expected = new Map([[2024, 5]]);
    for (const [name, f] of facts) expect([name, f.duplicatesBySeason]).toEqual([name, expected]);
    expect(
      facts
        .get('scan')!
        .duplicateKeys?.get(2024)
        ?.map((k) => k.key),
    ).toEqual([
      '[1,10,"1","100"]',
      '[1,10,"2","100"]',
      '[1,11,null,null]',
      '[1,12,null,"100"]',
      '[1,14,"1","5"]',
    ]);
  });

  it('names the columns as the files do whatever the case of the Glue catalog', () => {
    const expectedNulls = new Map([
      ['athleteId', 0],
      ['gameId', 0],
      ['subIn', 0],
      ['teamName', 5],
    ]);
    for (const [name, f] of facts) {
      expect([name, f.columns]).toEqual([name, ['athleteId', 'gameId', 'subIn', 'teamName']]);
      expect([name, new Map([...f.nullCounts].sort())]).toEqual([name, expectedNulls]);
      expect([name, f.idsBySeason]).toEqual([name, new Map([[2024, [1]]])]);
      expect([name, f.rowsBySeason]).toEqual([name, new Map([[2024, 14]])]);
    }
  });
});
