import type { HivePartition } from '../layout/partitions.js';
import type { ObjectInfo } from './object-store.js';

/**
 * One Parquet file of a silver table, with what its path says: the audit's inventory lists them, the engines read
 * them, the fill and the repair place and move them.
 */
export interface LakeFile extends ObjectInfo {
  table: string;
  partitions: HivePartition[];
  /** `season/date`, `season/asof`, `season`, `asof`, `` … */
  shape: string;
  /** From the `season=` partition; undefined when the path has none. */
  season: number | undefined;
}
