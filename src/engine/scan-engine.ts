import type { FileMetaData } from 'hyparquet';
import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { createRangeCacheStore } from '../lake/range-cache-store.js';
import { keyColumns, resolveColumn, rowKey } from '../layout/row-key.js';
import { columnTypes } from '../parquet/column-types.js';
import { createFooterSizer, readColumns, readFooter, UnreadableFileError } from '../parquet/read.js';
import { mapLimit } from '../util/pool.js';
import { createNumericKeyTracker, createStringKeyTracker, type KeyTracker } from './key-tracker.js';
import {
  emptyFacts,
  NO_SEASON,
  partitionKeyNames,
  SCHEMA_SAMPLE,
  type DuplicateKey,
  type QueryEngine,
  type SchemaGroup,
  type TableFacts,
  type TableRequest,
} from './query-engine.js';

/**
 * The default engine: pure TypeScript over the object store with hyparquet. Row counts and null counts come from
 * footers; a column is read (by byte range) only when its statistics cannot answer: `gameId` of a one-game
 * file has min = max, so only the key column of most files is ever fetched.
 */
export function createScanEngine(store: ObjectStore, opts: { concurrency: number }): QueryEngine {
  return {
    name: 'scan',
    async tableFacts(request) {
      const sizer = createFooterSizer();
      const scans = await mapLimit(request.files, opts.concurrency, async (file) => {
        const scan = await scanFile(store, file, request, sizer);
        request.onRead?.();
        return scan;
      });
      return mergeScans(request, scans);
    },
    async close() {},
  };
}

/** What one file contributes. Seasons are per row only when they come from a `season` column. */
interface FileScan {
  file: LakeFile;
  error?: string;
  rows: number;
  columns: string[];
  /** Each column with its Parquet type label, from the footer. */
  types: [string, string][];
  season: number | undefined | number[];
  keys?: ArrayLike<unknown>;
  ids?: ArrayLike<unknown>;
  nulls: Map<string, number | undefined>;
  numericKey: boolean;
}

async function scanFile(
  lake: ObjectStore,
  file: LakeFile,
  request: TableRequest,
  sizer: ReturnType<typeof createFooterSizer>,
): Promise<FileScan> {
  // Per file: when the footer read took the whole (small) file, the key column comes from those bytes.
  const store = createRangeCacheStore(lake);
  const base: FileScan = {
    file,
    rows: 0,
    columns: [],
    types: [],
    season: file.season,
    nulls: new Map(),
    numericKey: false,
  };
  try {
    const metadata = await readFooter(store, file, sizer.next());
    sizer.saw(metadata.metadata_length);
    const types = columnTypes(metadata);
    const columns = types.map(([name]) => name);
    const scan: FileScan = {
      ...base,
      rows: Number(metadata.num_rows),
      columns,
      types,
      nulls: nullCounts(metadata, columns),
    };
    const wanted = new Set<string>();
    const seasonColumn = file.season === undefined ? resolveColumn(columns, 'season') : undefined;
    if (seasonColumn) {
      const single = singleValue(metadata, seasonColumn);
      if (single !== undefined) scan.season = single;
      else wanted.add(seasonColumn);
    }
    const idColumn = request.idColumn ? resolveColumn(columns, request.idColumn) : undefined;
    const singleId = idColumn ? singleValue(metadata, idColumn) : undefined;
    if (idColumn && singleId === undefined) wanted.add(idColumn);
    const keyCols = request.key ? keyColumns(columns, request.key) : undefined;
    if (keyCols) for (const c of keyCols) wanted.add(c);
    scan.numericKey =
      keyCols !== undefined &&
      request.key!.length === 1 &&
      !request.key![0]!.includes('.') &&
      isIntegerColumn(metadata, keyCols[0]!);

    const values =
      wanted.size > 0 ? await readColumns(store, file, metadata, [...wanted]) : new Map<string, unknown[]>();
    if (seasonColumn && scan.season === undefined)
      scan.season = (values.get(seasonColumn) ?? []).map((v) => (typeof v === 'number' ? v : NO_SEASON));
    if (idColumn)
      scan.ids =
        singleId !== undefined
          ? new Array<number>(Math.min(1, scan.rows)).fill(singleId)
          : values.get(idColumn);
    if (keyCols) {
      if (scan.numericKey) scan.keys = values.get(keyCols[0]!);
      else {
        const cols = keyCols.map((c) => values.get(c) ?? []);
        scan.keys = Array.from({ length: scan.rows }, (_, i) => {
          const row: Record<string, unknown> = {};
          keyCols.forEach((c, k) => (row[c] = cols[k]![i]));
          return rowKey(row, request.key!, keyCols);
        });
      }
    }
    return scan;
  } catch (e) {
    if (e instanceof UnreadableFileError) return { ...base, error: e.message.slice(file.key.length + 2) };
    throw e;
  }
}

function mergeScans(request: TableRequest, scans: FileScan[]): TableFacts {
  const facts = emptyFacts();
  const readable = scans.filter((s) => s.error === undefined);
  facts.unreadable = scans
    .filter((s) => s.error !== undefined)
    .map((s) => ({ key: s.file.key, reason: s.error! }));
  facts.readableFiles = readable.length;
  const partitionKeys = partitionKeyNames(request.files);
  facts.columns = [...new Set(readable.flatMap((s) => s.columns))]
    .filter((c) => !partitionKeys.has(c))
    .sort();

  const keyReadable =
    request.key !== undefined && readable.every((s) => s.keys !== undefined || s.rows === 0);
  if (request.key && !keyReadable) {
    const without = readable.find((s) => s.keys === undefined && s.rows > 0);
    facts.keyProblem = `key column ${request.key.join(', ')} not found in ${without?.file.key ?? 'the files'}`;
  }
  const numeric =
    keyReadable &&
    readable.every((s) => s.numericKey || s.rows === 0) &&
    readable.every((s) => !Array.isArray(s.season));
  const tracker: KeyTracker | undefined = keyReadable
    ? numeric
      ? createNumericKeyTracker()
      : createStringKeyTracker()
    : undefined;
  const ids = request.idColumn ? new Map<number, Set<number>>() : undefined;
  let idColumnSeen = false;
  const unknownNulls = new Set<string>();

  for (const scan of readable) {
    const seasonOf = (i: number) => (Array.isArray(scan.season) ? scan.season[i] : scan.season);
    if (Array.isArray(scan.season)) {
      scan.season.forEach((s) => addCount(facts.rowsBySeason, s, 1));
      for (const s of new Set(scan.season)) addCount(facts.filesBySeason, s, 1);
    } else if (scan.season !== undefined) {
      addCount(facts.rowsBySeason, scan.season, scan.rows);
      addCount(facts.filesBySeason, scan.season, 1);
    } else facts.unseasonedRows += scan.rows;

    if (tracker && scan.keys) {
      if (Array.isArray(scan.season)) {
        for (let i = 0; i < scan.keys.length; i++) tracker.add(seasonOf(i), [scan.keys[i]]);
      } else tracker.add(scan.season as number | undefined, scan.keys);
    }
    if (ids && scan.ids) {
      idColumnSeen = true;
      for (let i = 0; i < scan.ids.length; i++) {
        const id = scan.ids[i];
        if (typeof id !== 'number') continue;
        const s = seasonOf(i) ?? NO_SEASON;
        const set = ids.get(s) ?? new Set<number>();
        set.add(id);
        ids.set(s, set);
      }
    }
    // A column a file lacks is null in all its rows, as Athena and DuckDB's union_by_name read it.
    for (const column of facts.columns) {
      const n = scan.columns.includes(column) ? scan.nulls.get(column) : scan.rows;
      if (n === undefined) unknownNulls.add(column);
      else facts.nullCounts.set(column, (facts.nullCounts.get(column) ?? 0) + n);
    }
  }
  for (const c of unknownNulls) facts.nullCounts.delete(c);
  facts.schemas = schemaGroups(readable);
  facts.duplicatesBySeason = tracker?.duplicatesBySeason();
  if (tracker) facts.duplicateKeys = filesHolding(tracker.duplicateKeys(), readable);
  if (ids && idColumnSeen)
    facts.idsBySeason = new Map([...ids].map(([s, set]) => [s, [...set].sort((a, b) => a - b)]));
  return facts;
}

/** The readable files grouped by their exact column list and types, for the audit's schema check. */
function schemaGroups(scans: readonly FileScan[]): SchemaGroup[] {
  const groups = new Map<string, SchemaGroup>();
  for (const scan of scans) {
    const id = JSON.stringify(scan.types);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { columns: scan.types, files: 0, sample: [] }));
    group.files++;
    if (group.sample.length < SCHEMA_SAMPLE) group.sample.push(scan.file.key);
  }
  return [...groups.values()];
}

/** Null values per column from the footer's statistics; undefined where a chunk does not say. */
function nullCounts(metadata: FileMetaData, columns: readonly string[]): Map<string, number | undefined> {
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
  return out;
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

function addCount(map: Map<number, number>, key: number | undefined, n: number): void {
  const k = key ?? NO_SEASON;
  map.set(k, (map.get(k) ?? 0) + n);
}

/** The duplicated keys of each season with the files that hold them, in file order (a second look at the keys). */
function filesHolding(
  keys: Map<number, string[]>,
  scans: readonly { file: LakeFile; keys?: ArrayLike<unknown> }[],
): Map<number, DuplicateKey[]> {
  const wanted = new Set([...keys.values()].flat());
  const files = new Map<string, string[]>();
  if (wanted.size === 0) return new Map();
  for (const scan of scans) {
    if (!scan.keys) continue;
    for (let i = 0; i < scan.keys.length; i++) {
      const k = scan.keys[i];
      const text = k === null || k === undefined ? 'null' : String(k);
      if (!wanted.has(text)) continue;
      const list = files.get(text) ?? [];
      if (list[list.length - 1] !== scan.file.key) files.set(text, [...list, scan.file.key]);
    }
  }
  return new Map(
    [...keys].map(([season, list]) => [season, list.map((key) => ({ key, files: files.get(key) ?? [] }))]),
  );
}
