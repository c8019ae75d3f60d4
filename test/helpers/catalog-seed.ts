import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { takeInventory } from '../../src/audit/inventory.js';
import type { LakeFile } from '../../src/lake/lake-file.js';
import {
  parquetStorageDescriptor,
  type GlueColumn,
  type GluePartition,
} from '../../src/catalog/glue-shapes.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import type { FakeGlue } from '../fakes/glue.js';

/** Glue's type for each Parquet physical type the lake writes. */
const GLUE_TYPES: Record<string, string> = {
  INT64: 'bigint',
  INT32: 'int',
  DOUBLE: 'double',
  FLOAT: 'float',
  BOOLEAN: 'boolean',
  BYTE_ARRAY: 'string',
};
/** When files disagree, the type that reads both. */
const WIDER: Record<string, string> = {
  'bigint|int': 'bigint',
  'int|bigint': 'bigint',
  'double|float': 'double',
  'float|double': 'double',
};

/** What the seeding registered, for tests that reason about it. */
export interface SeededCatalog {
  tables: { table: string; partitionKeys: string[]; partitions: number; columns: GlueColumn[] }[];
}

/**
 * Registers a file lake's silver tables in the fake Glue the way a complete catalog would hold them, so Athena
 * reads exactly the files a scan of the lake reads:
 * - fact tables whose files are `season=/date=` get keys (`season`, `date`); a `season=S/asof=D` file of such a
 *   table is registered as partition [S, D] with its real `asof=` location, so Athena reads it;
 * - `season=`-only tables get key `season`;
 * - `dim_*` tables are unpartitioned: Athena then reads every file under the location, subdirectories included,
 *   which takes in both the `asof=` snapshot and a stray `season=` directory, as the scan does;
 * - columns are the union of the readable files' columns, minus the path's partition names, typed for Glue.
 */
export async function seedCatalogFromLake(
  glue: FakeGlue,
  lake: { root: string; store: ObjectStore },
  opts: { database?: string; lakeUri?: string } = {},
): Promise<SeededCatalog> {
  const database = opts.database ?? 'cbbd_silver';
  const lakeUri = (opts.lakeUri ?? 's3://cbbd-test-lake').replace(/\/+$/, '');
  const { tables } = await takeInventory(lake.store, 'silver');
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  const seeded: SeededCatalog = { tables: [] };
  try {
    for (const [table, files] of [...tables].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const names = new Set(files.flatMap((f) => f.partitions.map((p) => p.name)));
      const keys = table.startsWith('dim_')
        ? []
        : names.has('date')
          ? ['season', 'date']
          : names.has('season')
            ? ['season']
            : [];
      const columns = await unionColumns(conn, lake.root, files, names);
      glue.seedTable(database, {
        Name: table,
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet' },
        PartitionKeys: keys.map((Name) => ({ Name, Type: 'string' })),
        StorageDescriptor: parquetStorageDescriptor(`${lakeUri}/silver/${table}/`, columns),
      });
      const partitions = partitionsOf(files, keys, lakeUri);
      if (partitions.length > 0) glue.seedPartitions(database, table, partitions);
      seeded.tables.push({ table, partitionKeys: keys, partitions: partitions.length, columns });
    }
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
  return seeded;
}

/** One partition per directory holding files: values from the path (`asof` standing in for `date`). */
function partitionsOf(files: readonly LakeFile[], keys: readonly string[], lakeUri: string): GluePartition[] {
  if (keys.length === 0) return [];
  const byValues = new Map<string, GluePartition>();
  for (const f of files) {
    const value = (name: string) =>
      f.partitions.find((p) => p.name === name)?.value ??
      (name === 'date' ? f.partitions.find((p) => p.name === 'asof')?.value : undefined);
    const values = keys.map(value);
    if (values.some((v) => v === undefined)) continue;
    const location = `${lakeUri}/${f.key.slice(0, f.key.lastIndexOf('/') + 1)}`;
    byValues.set(JSON.stringify(values), {
      Values: values as string[],
      StorageDescriptor: parquetStorageDescriptor(location),
    });
  }
  return [...byValues.values()];
}

/** The data columns of the table's files that DuckDB can read, in first-seen order, with Glue types. */
async function unionColumns(
  conn: Awaited<ReturnType<DuckDBInstance['connect']>>,
  root: string,
  files: readonly LakeFile[],
  partitionNames: ReadonlySet<string>,
): Promise<GlueColumn[]> {
  const columns = new Map<string, string>();
  for (const f of files) {
    let rows: Record<string, unknown>[];
    try {
      const local = path.join(root, ...f.key.split('/')).replace(/'/g, "''");
      const reader = await conn.runAndReadAll(
        `SELECT name, type FROM parquet_schema('${local}') WHERE num_children IS NULL`,
      );
      rows = reader.getRowObjectsJson();
    } catch {
      continue; // a corrupt file: a crawler skips it too
    }
    for (const row of rows) {
      const name = String(row.name);
      if (partitionNames.has(name)) continue;
      const type = GLUE_TYPES[String(row.type)] ?? 'string';
      const seen = columns.get(name);
      columns.set(name, seen === undefined || seen === type ? type : (WIDER[`${seen}|${type}`] ?? seen));
    }
  }
  return [...columns].map(([Name, Type]) => ({ Name, Type }));
}
