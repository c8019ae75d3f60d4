import { compareWithCatalog, type CatalogComparison } from '../audit/catalog-checks.js';
import type { LakeFile } from '../lake/lake-file.js';
import type { Catalog } from '../catalog/catalog.js';
import { partitionPath } from '../layout/partitions.js';

/** What `repair` would do, computed without changing anything. */
export interface RepairPlan {
  /** Storage partitions to register, per table, with their locations. */
  register: { comparison: CatalogComparison; partitions: { values: string[]; location: string }[] }[];
  /** Catalog partitions without data (removed only with --confirm-delete). */
  stale: CatalogComparison[];
  /** `season=/asof=` files whose rows would be copied into `season=/date=` (with --normalize). */
  normalize: { table: string; files: LakeFile[] }[];
  /** Tables the catalog has no entry for. */
  uncatalogued: string[];
}

/** Plans a repair from the lake's listing and the catalog. Pure apart from reading the catalog. */
export async function planRepair(
  tables: ReadonlyMap<string, LakeFile[]>,
  catalog: Catalog,
  database: string,
  keyOfLocation: (location: string) => string | undefined,
  tableLocation: (table: string) => string,
): Promise<RepairPlan> {
  const plan: RepairPlan = { register: [], stale: [], normalize: [], uncatalogued: [] };
  for (const [table, files] of [...tables].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const asof = files.filter((f) => f.shape === 'season/asof');
    if (asof.length > 0 && !table.startsWith('dim_')) plan.normalize.push({ table, files: asof });
    const c = await compareWithCatalog(table, files, catalog, database, keyOfLocation);
    if (!c) {
      plan.uncatalogued.push(table);
      continue;
    }
    if (c.missing.length > 0) {
      const base = withSlash(c.catalogTable.location ?? tableLocation(table));
      const keys = c.catalogTable.partitionKeys;
      plan.register.push({
        comparison: c,
        partitions: c.missing.map((m) => ({
          values: m.values,
          location: `${base}${partitionPath(m.values.map((value, i) => ({ name: keys[i]!, value })))}/`,
        })),
      });
    }
    if (c.stale.length > 0) plan.stale.push(c);
  }
  return plan;
}

function withSlash(s: string): string {
  return s.endsWith('/') ? s : `${s}/`;
}
