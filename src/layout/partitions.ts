/** One `name=value` directory of a hive-partitioned path. */
export interface HivePartition {
  name: string;
  value: string;
}

/** A lake key split into its parts: `silver/fct_plays/season=2024/date=2024-01-03/part-93edef5d.parquet`. */
export interface LakePath {
  key: string;
  layer: string;
  /** The directories between the layer and the first partition: `fct_plays`, or `plays/game` under raw. */
  table: string;
  partitions: HivePartition[];
  /** Directories after the first partition that are not `name=value` (the path is then odd, not unreadable). */
  strays: string[];
  file: string;
}

/** Why a key cannot be taken apart safely; the key is then reported, never read or written. */
export class LakePathError extends Error {
  override name = 'LakePathError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses hive partitions at any depth: `season=2024/date=2024-01-03`, `season=2022/asof=2026-01-15`, `asof=…`,
 * `season=…` alone. Values are percent-decoded as Hive writes them; a decoded value holding `/`, `\` or a `..`
 * segment is refused, so a crafted key never turns into a path outside the lake.
 */
export function parseLakeKey(key: string): LakePath {
  if (key.startsWith('/') || key.includes('//'))
    throw new LakePathError(`odd key "${key}": empty path segment`);
  const segments = key.split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') throw new LakePathError(`odd key "${key}": "${s}" segment`);
  }
  if (segments.length < 3) throw new LakePathError(`odd key "${key}": expected layer/table/…/file`);
  const file = segments.pop() as string;
  const layer = segments.shift() as string;
  const firstPartition = segments.findIndex((s) => s.includes('='));
  const tableSegments = firstPartition === -1 ? segments : segments.slice(0, firstPartition);
  if (tableSegments.length === 0) throw new LakePathError(`odd key "${key}": no table before the partitions`);
  const partitions: HivePartition[] = [];
  const strays: string[] = [];
  for (const s of firstPartition === -1 ? [] : segments.slice(firstPartition)) {
    const p = parsePartitionSegment(s, key);
    if (p) partitions.push(p);
    else strays.push(s);
  }
  return { key, layer, table: tableSegments.join('/'), partitions, strays, file };
}

function parsePartitionSegment(segment: string, key: string): HivePartition | undefined {
  const eq = segment.indexOf('=');
  if (eq <= 0) return undefined;
  const name = segment.slice(0, eq);
  if (!NAME.test(name)) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(segment.slice(eq + 1));
  } catch {
    throw new LakePathError(`odd key "${key}": bad percent-encoding in "${segment}"`);
  }
  if (value.includes('/') || value.includes('\\') || value === '..' || value === '.') {
    throw new LakePathError(`odd key "${key}": partition value "${value}" would leave its directory`);
  }
  return { name, value };
}

/** The names of a path's partitions in order: `season/date`, `season/asof`, `asof`, or `` when unpartitioned. */
export function partitionShape(partitions: readonly HivePartition[]): string {
  return partitions.map((p) => p.name).join('/');
}

/** The value of one partition, if the path has it. */
export function partitionValue(partitions: readonly HivePartition[], name: string): string | undefined {
  return partitions.find((p) => p.name === name)?.value;
}

/** Renders partitions as a path, percent-encoding what Hive would. */
export function partitionPath(partitions: readonly HivePartition[]): string {
  return partitions.map((p) => `${p.name}=${encodeURIComponent(p.value)}`).join('/');
}
