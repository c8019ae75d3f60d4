import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import type { AuditResult } from '../../src/audit/types.js';
import { createGlueCatalog } from '../../src/catalog/glue-catalog.js';
import { createAthenaEngine } from '../../src/engine/athena-engine.js';
import { createDuckDbEngine } from '../../src/engine/duckdb-engine.js';
import type { QueryEngine } from '../../src/engine/query-engine.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { startFakeAthena, type FakeAthena } from '../fakes/athena.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';
import { seedCatalogFromLake } from '../helpers/catalog-seed.js';
import { createDuckDbEncoder } from '../helpers/duckdb-writer.js';
import { shippedConfig, SMALL_LAKE, tempLake } from '../helpers/lakes.js';
import { expectedGaps } from './expected-gaps.js';

const config = shippedConfig();
const LAKE_URI = 's3://cbbd-test-lake';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The note of an engine that reads no footers: the schema check did not run. */
const NOT_CHECKED = /^schema_drift not checked: the (duckdb|athena) engine reads no Parquet footers/;

/** What must not depend on the engine: everything but the engine's name and whether it could check schemas. */
function comparable(r: AuditResult) {
  return {
    tables: r.tables,
    coverage: r.coverage,
    // Only the scan engine names the duplicated keys and their files (`keys`); the SQL engines count them.
    gaps: r.gaps.map(({ keys: _keys, ...g }) => g),
    notes: r.notes.filter((n) => !NOT_CHECKED.test(n)),
  };
}

describe('scan, duckdb and athena agree on the same lake', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let glue: FakeGlue;
  let athena: FakeAthena;
  let athenaClient: AthenaClient;
  let glueClient: GlueClient;
  const results = new Map<string, AuditResult>();
  /** What the full-range Athena audit cost, taken before later tests add to the counters. */
  let cost: { getTable: number; getPartitions: number; statements: number; failed: (string | undefined)[] };
  const athenaEngine = () =>
    createAthenaEngine(athenaClient, createGlueCatalog(glueClient), {
      database: 'cbbd_silver',
      workgroup: 'primary',
      lakeUri: LAKE_URI,
      pollMs: 1,
    });
  beforeAll(async () => {
    // Another writer's files (DuckDB, snappy and zstd, dictionary pages), with every kind of injected gap.
    const duck = await createDuckDbEncoder();
    lake = await tempLake({ ...SMALL_LAKE, encode: duck.encode });
    await duck.close();
    // Athena over the same files: a complete Glue catalog of the lake, s3://cbbd-test-lake/<key> = <root>/<key>.
    glue = await startFakeGlue();
    await seedCatalogFromLake(glue, lake, { database: 'cbbd_silver', lakeUri: LAKE_URI });
    athena = await startFakeAthena({
      glue,
      resolve: (uri) =>
        uri.startsWith(`${LAKE_URI}/`)
          ? path.join(lake.root, ...uri.slice(LAKE_URI.length + 1).split('/'))
          : undefined,
    });
    athenaClient = new AthenaClient({ endpoint: athena.url, region: 'us-east-1', credentials });
    glueClient = new GlueClient({ endpoint: glue.url, region: 'us-east-1', credentials });
    const engines: [string, () => Promise<QueryEngine>][] = [
      ['scan', async () => createScanEngine(lake.store, { concurrency: 8 })],
      ['duckdb', () => createDuckDbEngine(lake.root)],
      ['athena', async () => athenaEngine()],
    ];
    for (const [name, make] of engines) {
      const engine = await make();
      try {
        results.set(
          name,
          await runAudit(
            { config, seasons: lake.manifest.seasons },
            { store: lake.store, engine, logger: createMemoryLogger(), now: () => new Date(0) },
          ),
        );
      } finally {
        await engine.close();
      }
    }
    cost = {
      getTable: glue.counters.GetTable,
      getPartitions: glue.counters.GetPartitions,
      statements: athena.counters.StartQueryExecution,
      failed: athena.queries.filter((q) => q.state === 'FAILED').map((q) => q.reason),
    };
  });
  afterAll(async () => {
    athenaClient.destroy();
    glueClient.destroy();
    await athena.close();
    await glue.close();
    await lake.cleanup();
  });

  it('duckdb finds exactly the injected gaps', () => {
    const expected = expectedGaps(lake.manifest);
    const duck = results.get('duckdb')!;
    expect(duck.gaps.map((g) => g.key).sort()).toEqual([...expected.keys()].sort());
    for (const gap of duck.gaps) expect(gap).toMatchObject(expected.get(gap.key)!);
  });

  it.each(['duckdb', 'athena'])(
    '%s: every table, coverage row, gap and note is identical to scan',
    (engine) => {
      expect(comparable(results.get(engine)!)).toEqual(comparable(results.get('scan')!));
    },
  );

  it.each(['duckdb', 'athena'])('%s says the schema check was not run; scan ran it', (engine) => {
    expect(results.get(engine)!.notes.filter((n) => NOT_CHECKED.test(n))).toHaveLength(1);
    expect(results.get('scan')!.notes.filter((n) => n.startsWith('schema_drift'))).toEqual([]);
  });

  it.each(['duckdb', 'athena'])(
    '%s names the corrupt file as unreadable and audits the rest of its table',
    (engine) => {
      const gap = results.get(engine)!.gaps.find((g) => g.kind === 'unreadable_file')!;
      expect(gap.files).toEqual(lake.manifest.corruptKeys);
      expect(results.get(engine)!.tables.find((t) => t.table === 'fct_plays')!.rows).toBeGreaterThan(0);
    },
  );

  it('athena: Athena named the corrupt file by its s3:// path, and the retry left it out by "$path"', () => {
    const [corrupt] = lake.manifest.corruptKeys;
    expect(cost.failed).toEqual([
      expect.stringMatching(
        new RegExp(`^HIVE_BAD_DATA: Malformed Parquet file\\. .*\\[${LAKE_URI}/${corrupt}\\]$`),
      ),
    ]);
    expect(athena.queries.some((q) => q.sql.includes(`"$path" <> '${LAKE_URI}/${corrupt}'`))).toBe(true);
  });

  it('athena: agrees with scan on a subset of seasons (a stray season= file of a dimension left out)', async () => {
    const seasons = [2023, 2024];
    const audit = (engine: QueryEngine) =>
      runAudit(
        { config, seasons },
        { store: lake.store, engine, logger: createMemoryLogger(), now: () => new Date(0) },
      );
    const scan = await audit(createScanEngine(lake.store, { concurrency: 8 }));
    const viaAthena = await audit(athenaEngine());
    expect(comparable(viaAthena)).toEqual(comparable(scan));
  });

  it('athena: one GetTable per table with files, no partition listing, four statements per table at most', () => {
    const withFiles = results.get('scan')!.tables.filter((t) => t.files > 0).length;
    expect(cost.getTable).toBe(withFiles);
    expect(cost.getPartitions).toBe(0);
    // rows, nulls, duplicates, ids — plus the one statement that failed on the corrupt file.
    expect(cost.statements).toBeLessThanOrEqual(4 * withFiles + 1);
  });
});
