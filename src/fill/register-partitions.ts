import type { Catalog } from '../catalog/catalog.js';
import { partitionPath } from '../layout/partitions.js';

/** A partition a fill wrote into: its catalog table and the values of `season=S/date=D`. */
export interface WrittenPartition {
  database: string;
  table: string;
  values: [string, string];
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
 * the filled games and the gap would stay open.
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
    if (catalogTable.partitionKeys.join('/') !== 'season/date') {
      result.notes.push(
        `${name} is partitioned by (${catalogTable.partitionKeys.join(', ')}), not (season, date): new partitions not registered`,
      );
      continue;
    }
    const known = new Set<string>();
    for await (const p of catalog.listPartitions(catalogTable)) known.add(JSON.stringify(p.values));
    const base = (catalogTable.location ?? '').replace(/\/?$/, '/');
    const fresh = [...new Map(parts.map((p) => [JSON.stringify(p.values), p.values])).entries()]
      .filter(([id]) => !known.has(id))
      .map(([, values]) => ({
        values: [...values],
        location: `${base}${partitionPath([
          { name: 'season', value: values[0] },
          { name: 'date', value: values[1] },
        ])}/`,
      }));
    if (fresh.length === 0) continue;
    const r = await catalog.createPartitions(catalogTable, fresh);
    result.registered += r.done;
    result.failed.push(
      ...r.failed
        .filter((f) => !f.reason.startsWith('AlreadyExistsException'))
        .map((f) => ({ table: name, ...f })),
    );
  }
  return result;
}
