import type { Catalog, CatalogTable } from '../catalog/catalog.js';
import { partitionPath, type HivePartition } from '../layout/partitions.js';

/** A partition a fill wrote into: its catalog table and the directories of its path (`season=S/date=D`). */
export interface WrittenPartition {
  database: string;
  table: string;
  partitions: HivePartition[];
}

/** What registering did, per table. */
export interface RegisterResult {
  registered: number;
  failed: { table: string; values: string[]; reason: string }[];
  notes: string[];
}

/**
 * Registers the partitions a fill created and the catalog lacks (bronze in its database, silver in its own),
 * listing each table's partitions once and creating the rest in batches. Without this Athena would not see
 * the filled games and the gap would stay open. Each partition takes the keys the catalog table declares, whatever
 * its layout, and the table's columns (`Catalog.createPartitions` copies its storage descriptor).
 */
export async function registerPartitions(
  catalog: Catalog,
  written: readonly WrittenPartition[],
): Promise<RegisterResult> {
  const result: RegisterResult = { registered: 0, failed: [], notes: [] };
  const byTable = new Map<string, WrittenPartition[]>();
  for (const w of written)
    byTable.set(`${w.database}.${w.table}`, [...(byTable.get(`${w.database}.${w.table}`) ?? []), w]);
  for (const [name, parts] of byTable) {
    const { database, table } = parts[0]!;
    const catalogTable = await catalog.getTable(database, table);
    if (!catalogTable) {
      result.notes.push(
        `no catalog table ${name}: its new partitions were not registered (create the table, then run repair --apply)`,
      );
      continue;
    }
    if (catalogTable.partitionKeys.length === 0) continue; // unpartitioned: Athena reads everything under it
    const wanted = new Map<string, { values: string[]; location: string }>();
    for (const p of parts) {
      const entry = catalogEntry(catalogTable, p.partitions);
      if (entry) wanted.set(JSON.stringify(entry.values), entry);
    }
    if (wanted.size === 0) {
      result.notes.push(
        `${name} is partitioned by (${catalogTable.partitionKeys.join(', ')}), which the fill's season=/date= paths do not give: new partitions not registered`,
      );
      continue;
    }
    for await (const p of catalog.listPartitions(catalogTable)) wanted.delete(JSON.stringify(p.values));
    if (wanted.size === 0) continue;
    const r = await catalog.createPartitions(catalogTable, [...wanted.values()]);
    result.registered += r.done;
    result.failed.push(
      ...r.failed
        .filter((f) => !f.reason.startsWith('AlreadyExistsException'))
        .map((f) => ({ table: name, ...f })),
    );
  }
  return result;
}

/**
 * A written `season=S/date=D` directory as a partition of the catalog table: values in the order of the table's
 * keys (`asof` takes the date, as the pipeline's `season=/asof=` tables hold both kinds) at the deepest directory
 * a key names (`season=S/` for a table partitioned by season only: Athena reads a partition's subdirectories).
 * Undefined when a key has no value in the path.
 */
export function catalogEntry(
  table: CatalogTable,
  written: readonly HivePartition[],
): { values: string[]; location: string } | undefined {
  const levels = table.partitionKeys.map((key) => {
    const at = written.findIndex((p) => p.name === key);
    return at >= 0 || key !== 'asof' ? at : written.findIndex((p) => p.name === 'date');
  });
  if (levels.some((i) => i < 0)) return undefined;
  const base = (table.location ?? '').replace(/\/?$/, '/');
  return {
    values: levels.map((i) => written[i]!.value),
    location: `${base}${partitionPath(written.slice(0, Math.max(...levels) + 1))}/`,
  };
}
