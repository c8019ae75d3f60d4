import type { Catalog, CatalogPartition, CatalogTable } from '../catalog/catalog.js';
import type { GlueColumn } from '../catalog/glue-shapes.js';
import { partitionPath } from '../layout/partitions.js';
import type { LakeFile } from '../lake/lake-file.js';
import { gapKey, type Gap } from './types.js';

/** A table's storage and catalog side by side, as the check and `repair` both need them. */
export interface CatalogComparison {
  table: string;
  catalogTable: CatalogTable;
  /** Storage partitions (of the catalog's key shape) the catalog lacks, with the prefix each lives at. */
  missing: { values: string[]; prefix: string }[];
  /** Catalog partitions with no objects in storage, by values or at their location. */
  stale: CatalogPartition[];
  /** Set when the catalog's partition keys are not the keys the table's paths use. */
  keyMismatch: { catalog: string[]; paths: string[] } | undefined;
}

/**
 * Compares one table's storage partitions with its catalog entry by partition values (never by location
 * strings). A catalog partition is stale only when no storage partition has its values and nothing is stored at
 * its location either (a `season=/asof=` directory can be registered under `season, date` values).
 */
export async function compareWithCatalog(
  table: string,
  files: readonly LakeFile[],
  catalog: Catalog,
  database: string,
  keyOfLocation: (location: string) => string | undefined,
): Promise<CatalogComparison | undefined> {
  const catalogTable = await catalog.getTable(database, table);
  if (!catalogTable) return undefined;
  const keys = catalogTable.partitionKeys;
  const shape = keys.join('/');
  const storage = new Map<string, { values: string[]; prefix: string }>();
  for (const f of files) {
    if (f.shape !== shape || keys.length === 0) continue;
    const values = f.partitions.map((p) => p.value);
    const prefix = f.key.slice(0, f.key.lastIndexOf('/') + 1);
    storage.set(JSON.stringify(values), { values, prefix });
  }
  const registered = new Set<string>();
  const stale: CatalogPartition[] = [];
  for await (const p of catalog.listPartitions(catalogTable)) {
    const id = JSON.stringify(p.values);
    registered.add(id);
    if (storage.has(id)) continue;
    const at = p.location ? keyOfLocation(p.location) : undefined;
    const prefix = at === undefined ? undefined : at.endsWith('/') ? at : `${at}/`;
    if (prefix === undefined || !files.some((f) => f.key.startsWith(prefix))) stale.push(p);
  }
  const shapes = new Set(files.filter((f) => f.season !== undefined || f.shape !== '').map((f) => f.shape));
  const pathKeys =
    [...shapes]
      .sort((a, b) => count(files, b) - count(files, a))[0]
      ?.split('/')
      .filter(Boolean) ?? [];
  return {
    table,
    catalogTable,
    missing: [...storage].filter(([id]) => !registered.has(id)).map(([, v]) => v),
    stale,
    keyMismatch:
      files.length > 0 && pathKeys.join('/') !== shape ? { catalog: keys, paths: pathKeys } : undefined,
  };
}

function count(files: readonly LakeFile[], shape: string): number {
  return files.filter((f) => f.shape === shape).length;
}

/** What the catalog says of the tables found under silver/: gaps, notes, and each table's declared columns. */
export interface CatalogFindings {
  gaps: Gap[];
  notes: string[];
  /** The data columns each catalogued table declares, for the schema check. */
  declared: Map<string, GlueColumn[]>;
}

/** The catalog findings of every table found under silver/, as audit gaps and notes. */
export async function checkCatalog(
  tables: ReadonlyMap<string, LakeFile[]>,
  catalog: Catalog,
  database: string,
  keyOfLocation: (location: string) => string | undefined,
): Promise<CatalogFindings> {
  const gaps: Gap[] = [];
  const declared = new Map<string, GlueColumn[]>();
  const uncatalogued: string[] = [];
  for (const [table, files] of [...tables].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const c = await compareWithCatalog(table, files, catalog, database, keyOfLocation);
    if (!c) {
      uncatalogued.push(table);
      continue;
    }
    declared.set(table, c.catalogTable.columns);
    gaps.push(...comparisonGaps(c));
  }
  const notes =
    uncatalogued.length > 0
      ? [
          `no ${catalog.kind === 'glue' ? 'Glue' : 'local catalog'} entry in ${database} for ${uncatalogued.join(', ')}: catalog checks skipped for them`,
        ]
      : [];
  return { gaps, notes, declared };
}

/** Gaps of one comparison: missing partitions, stale partitions, and keys that do not match the paths. */
export function comparisonGaps(c: CatalogComparison): Gap[] {
  const gaps: Gap[] = [];
  const keys = c.catalogTable.partitionKeys;
  if (c.keyMismatch) {
    gaps.push({
      key: gapKey('catalog_partition_keys', c.table),
      kind: 'catalog_partition_keys',
      table: c.table,
      count: 1,
      ids: [],
      detail: `the catalog partitions ${c.table} by (${c.keyMismatch.catalog.join(', ') || 'nothing'}) but its paths use (${c.keyMismatch.paths.join(', ') || 'nothing'})`,
    });
  }
  if (c.missing.length > 0) {
    const values = c.missing.map((m) => m.values).sort(compareValues);
    gaps.push({
      key: gapKey('catalog_missing_partition', c.table),
      kind: 'catalog_missing_partition',
      table: c.table,
      count: values.length,
      ids: [],
      partitions: values,
      detail: `${values.length} partition(s) in storage are not in the catalog, so Athena returns no rows for them: ${sample(keys, values)}`,
    });
  }
  if (c.stale.length > 0) {
    const values = c.stale.map((s) => s.values).sort(compareValues);
    gaps.push({
      key: gapKey('catalog_stale_partition', c.table),
      kind: 'catalog_stale_partition',
      table: c.table,
      count: values.length,
      ids: [],
      partitions: values,
      detail: `${values.length} catalog partition(s) have no objects in storage: ${sample(keys, values)}`,
    });
  }
  return gaps;
}

function sample(keys: readonly string[], values: readonly string[][]): string {
  const shown = values
    .slice(0, 3)
    .map((v) => partitionPath(v.map((value, i) => ({ name: keys[i] ?? `k${i}`, value }))));
  return shown.join(', ') + (values.length > 3 ? `, … (${values.length - 3} more)` : '');
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  const x = a.join('/');
  const y = b.join('/');
  return x < y ? -1 : x > y ? 1 : 0;
}
