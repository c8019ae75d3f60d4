import type { FileMetaData } from 'hyparquet';
import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { createRangeCacheStore } from '../lake/range-cache-store.js';
import { keyColumns, resolveColumn, rowKey } from '../layout/row-key.js';
import { columnTypes } from '../parquet/column-types.js';
import type { createFooterSizer } from '../parquet/read.js';
import { readColumns, readFooter, UnreadableFileError } from '../parquet/read.js';
import { createStringKeyTracker } from './key-tracker.js';
import { nestedField } from './nested-field.js';
import {
  NO_SEASON,
  requestSignature,
  type FileFacts,
  type KeyFacts,
  type TableRequest,
} from './query-engine.js';

/** A file's key values with the season of each row (one season for the file, or one per row). */
export interface FileKeys {
  values: ArrayLike<unknown>;
  season: number | undefined | number[];
}

/** How the scan reads one file: the table's footer sizer, and the size up to which an object is read whole. */
export interface ScanReads {
  sizer: ReturnType<typeof createFooterSizer>;
  /** Objects up to this many bytes cost one whole GET instead of a tail read plus column reads (0: never). */
  wholeObjectBytes: number;
}

/**
 * Reads one file's facts: the footer (row count, columns, types, null counts) and, where statistics cannot
 * answer, the season, id and key columns. The key values come back beside the facts, for duplicates across files.
 */
export async function scanFile(
  lake: ObjectStore,
  file: LakeFile,
  request: TableRequest,
  reads: ScanReads,
): Promise<{ facts: FileFacts; keys?: FileKeys }> {
  // Per file: once the whole (small) object or a tail holding the key column is fetched, later reads hit memory.
  const store = createRangeCacheStore(lake);
  const base: FileFacts = {
    key: file.key,
    size: file.size,
    etag: file.etag,
    table: file.table,
    partitions: file.partitions.map((p) => [p.name, p.value]),
    request: requestSignature(request),
    rows: 0,
    types: [],
    perRowSeason: false,
    nullCounts: [],
  };
  try {
    if (file.size >= 12 && file.size <= reads.wholeObjectBytes) await store.get(file.key);
    const metadata = await readFooter(store, file, reads.sizer.next());
    reads.sizer.saw(metadata.metadata_length);
    return await factsOf(store, file, request, metadata, base);
  } catch (e) {
    if (e instanceof UnreadableFileError)
      return { facts: { ...base, error: e.message.slice(file.key.length + 2) } };
    throw e;
  }
}

async function factsOf(
  store: ObjectStore,
  file: LakeFile,
  request: TableRequest,
  metadata: FileMetaData,
  base: FileFacts,
): Promise<{ facts: FileFacts; keys?: FileKeys }> {
  const types = columnTypes(metadata);
  const columns = types.map(([name]) => name);
  const rows = Number(metadata.num_rows);
  const wanted = new Set<string>();
  let season: number | undefined | number[] = file.season;
  const seasonColumn = file.season === undefined ? resolveColumn(columns, 'season') : undefined;
  if (seasonColumn) {
    const single = singleValue(metadata, seasonColumn);
    if (single !== undefined) season = single;
    else wanted.add(seasonColumn);
  }
  const idColumn = request.idColumn ? resolveColumn(columns, request.idColumn) : undefined;
  const singleId = idColumn ? singleValue(metadata, idColumn) : undefined;
  if (idColumn && singleId === undefined) wanted.add(idColumn);
  const keyCols = request.key ? keyColumns(columns, request.key) : undefined;
  if (keyCols) for (const c of keyCols) wanted.add(c);
  const numericKey =
    keyCols !== undefined &&
    request.key!.length === 1 &&
    !request.key![0]!.includes('.') &&
    isIntegerColumn(metadata, keyCols[0]!);

  const values =
    wanted.size > 0 ? await readColumns(store, file, metadata, [...wanted]) : new Map<string, unknown[]>();
  if (seasonColumn && season === undefined)
    season = (values.get(seasonColumn) ?? []).map((v) => (typeof v === 'number' ? v : NO_SEASON));
  const seasonOf = (i: number) => (Array.isArray(season) ? season[i] : season);
  const facts: FileFacts = {
    ...base,
    rows,
    types,
    perRowSeason: Array.isArray(season),
    nullCounts: footerNullCounts(metadata, columns),
  };
  const seasons = seasonRows(season, rows);
  if (seasons) facts.seasons = seasons;
  if (idColumn) {
    const ids =
      singleId !== undefined
        ? new Array<number>(Math.min(1, rows)).fill(singleId)
        : (values.get(idColumn) ?? []);
    facts.ids = idsBySeason(ids, seasonOf);
  }
  if (!keyCols) return { facts };
  const keyValues = numericKey
    ? (values.get(keyCols[0]!) ?? [])
    : rowKeys(values, keyCols, request.key!, rows);
  facts.keys = keyFacts(numericKey, keyValues, seasonOf);
  return { facts, keys: { values: keyValues, season } };
}

function rowKeys(values: Map<string, unknown[]>, keyCols: string[], key: string[], rows: number): string[] {
  const cols = keyCols.map((c) => values.get(c) ?? []);
  return Array.from({ length: rows }, (_, i) => {
    const row: Record<string, unknown> = {};
    keyCols.forEach((c, k) => (row[c] = cols[k]![i]));
    return rowKey(row, key, keyCols, nestedField);
  });
}

/** Rows per season: the file's one season (even with no rows), or the seasons its rows name. */
function seasonRows(season: number | undefined | number[], rows: number): [number, number][] | undefined {
  if (season === undefined) return undefined;
  if (!Array.isArray(season)) return [[season, rows]];
  const counts = new Map<number, number>();
  for (const s of season) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]);
}

function idsBySeason(
  ids: ArrayLike<unknown>,
  seasonOf: (i: number) => number | undefined,
): [number, number[]][] {
  const out = new Map<number, Set<number>>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number') continue;
    const s = seasonOf(i) ?? NO_SEASON;
    const set = out.get(s) ?? new Set<number>();
    set.add(id);
    out.set(s, set);
  }
  return [...out].sort((a, b) => a[0] - b[0]).map(([s, set]) => [s, [...set].sort((a, b) => a - b)]);
}

/**
 * Duplicates inside the file and the key's range. Nulls compare equal to each other (a numeric key's NaN, a
 * string key's `null` part), as both key trackers count them.
 */
function keyFacts(
  numeric: boolean,
  keys: ArrayLike<unknown>,
  seasonOf: (i: number) => number | undefined,
): KeyFacts {
  const tracker = createStringKeyTracker();
  let ranges: [number | string, number | string][] | undefined;
  let nullKey = false;
  for (let i = 0; i < keys.length; i++) {
    tracker.add(seasonOf(i), [keys[i]]);
    const parts = keyParts(numeric, keys[i]);
    if (parts === undefined) {
      nullKey = true;
      continue;
    }
    ranges ??= parts.map((p) => [p, p]);
    parts.forEach((p, j) => {
      const r = ranges![j]!;
      if (p < r[0]) r[0] = p;
      if (p > r[1]) r[1] = p;
    });
  }
  const own = [...tracker.duplicatesBySeason()].sort((a, b) => a[0] - b[0]);
  return { numeric, own, nullKey, ...(ranges ? { ranges: ranges as KeyFacts['ranges'] } : {}) };
}

/** A numeric key as itself (undefined when null); any other key's parts as their JSON text. */
function keyParts(numeric: boolean, k: unknown): (number | string)[] | undefined {
  if (numeric) return typeof k === 'number' && !Number.isNaN(k) ? [k] : undefined;
  return (JSON.parse(String(k)) as unknown[]).map((p) => JSON.stringify(p));
}

/** Null values of each column from the footer's statistics, in column order; null where a chunk does not say. */
function footerNullCounts(metadata: FileMetaData, columns: readonly string[]): (number | null)[] {
  const out = new Map<string, number | undefined>(columns.map((c) => [c, 0]));
  for (const rg of metadata.row_groups) {
    for (const chunk of rg.columns) {
      const name = chunk.meta_data?.path_in_schema[0];
      if (name === undefined || !out.has(name) || chunk.meta_data!.path_in_schema.length > 1) continue;
      const n = chunk.meta_data?.statistics?.null_count;
      const prev = out.get(name);
      out.set(name, n === undefined || prev === undefined ? undefined : prev + Number(n));
    }
  }
  return columns.map((c) => out.get(c) ?? null);
}

/** The one value a column holds in the whole file, when statistics prove it (min = max, no nulls). */
function singleValue(metadata: FileMetaData, column: string): number | undefined {
  let value: number | undefined;
  for (const rg of metadata.row_groups) {
    const chunk = rg.columns.find(
      (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column,
    );
    const stats = chunk?.meta_data?.statistics;
    if (!stats || stats.null_count === undefined || Number(stats.null_count) !== 0) return undefined;
    const min = toNumber(stats.min_value ?? stats.min);
    const max = toNumber(stats.max_value ?? stats.max);
    if (min === undefined || min !== max || (value !== undefined && value !== min)) return undefined;
    value = min;
  }
  return value;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function isIntegerColumn(metadata: FileMetaData, column: string): boolean {
  const element = metadata.schema.find((e) => e.name === column);
  return element?.type === 'INT32' || element?.type === 'INT64';
}
