import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { LakePathError, parseLakeKey, partitionShape, partitionValue } from '../layout/partitions.js';

/** What a listing of `silver/` found, table by table. */
export interface Inventory {
  tables: Map<string, LakeFile[]>;
  /** Keys that cannot be taken apart safely (`..`, encoded slashes): never read, always reported. */
  oddKeys: { key: string; reason: string }[];
  listedObjects: number;
}

/**
 * Lists every object under the silver prefix once (pages of 1,000 on S3) and groups the Parquet files by table.
 * Marker objects (`.keep`, `_SUCCESS`) are skipped; hive partitions are read at any depth.
 */
export async function takeInventory(store: ObjectStore, silverPrefix: string): Promise<Inventory> {
  const tables = new Map<string, LakeFile[]>();
  const oddKeys: Inventory['oddKeys'] = [];
  let listedObjects = 0;
  for await (const object of store.list(`${silverPrefix}/`)) {
    listedObjects++;
    if (!object.key.endsWith('.parquet')) continue;
    let parsed;
    try {
      parsed = parseLakeKey(object.key);
    } catch (e) {
      if (e instanceof LakePathError) {
        oddKeys.push({ key: object.key, reason: e.message });
        continue;
      }
      throw e;
    }
    const seasonText = partitionValue(parsed.partitions, 'season');
    const season = seasonText !== undefined && /^\d{4}$/.test(seasonText) ? Number(seasonText) : undefined;
    const file: LakeFile = {
      ...object,
      table: parsed.table,
      partitions: parsed.partitions,
      shape: partitionShape(parsed.partitions),
      season,
    };
    const list = tables.get(parsed.table) ?? [];
    list.push(file);
    tables.set(parsed.table, list);
  }
  return { tables, oddKeys, listedObjects };
}

/** Keeps the files an audit of `seasons` needs: files of those seasons, and files whose path has no season. */
export function filesForSeasons(files: readonly LakeFile[], seasons: ReadonlySet<number>): LakeFile[] {
  return files.filter((f) => f.season === undefined || seasons.has(f.season));
}
