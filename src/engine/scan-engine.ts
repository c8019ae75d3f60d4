import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { createFooterSizer } from '../parquet/read.js';
import { mapLimit } from '../util/pool.js';
import { duplicateCandidates } from './duplicate-candidates.js';
import { scanFile, type FileKeys, type ScanReads } from './file-scan.js';
import { createNumericKeyTracker, createStringKeyTracker, type KeyTracker } from './key-tracker.js';
import {
  emptyFacts,
  NO_SEASON,
  partitionKeyNames,
  requestSignature,
  SCHEMA_SAMPLE,
  type FileFacts,
  type FileFactsCache,
  type QueryEngine,
  type SchemaGroup,
  type TableFacts,
  type TableRequest,
} from './query-engine.js';

/**
 * Objects up to this size are read with one whole GET: a one-game file (4–30 KiB) then costs one request, not a
 * footer read plus a column read. On S3 a request costs far more than its bytes.
 */
export const WHOLE_OBJECT_BYTES = 64 * 1024;

/** The scan engine's settings; `facts` is the audit manifest, when the audit keeps one. */
export interface ScanEngineOptions {
  concurrency: number;
  /** Defaults to `WHOLE_OBJECT_BYTES`; 0 reads every file as a footer tail plus column chunks. */
  wholeObjectBytes?: number;
  facts?: FileFactsCache;
}

/**
 * The default engine: pure TypeScript over the object store with hyparquet. Row counts and null counts come from
 * footers; a column is read (by byte range) only when its statistics cannot answer: `gameId` of a one-game
 * file has min = max, so only the key column of most files is ever fetched. With a manifest (`facts`), a file
 * whose key, size and ETag it remembers is not read at all; duplicates across files are counted among the files
 * whose key ranges overlap, whose keys alone are then read.
 */
export function createScanEngine(store: ObjectStore, opts: ScanEngineOptions): QueryEngine {
  return {
    name: 'scan',
    async tableFacts(request) {
      const reads: ScanReads = {
        sizer: createFooterSizer(),
        wholeObjectBytes: opts.wholeObjectBytes ?? WHOLE_OBJECT_BYTES,
      };
      const signature = requestSignature(request);
      const keys = new Map<string, FileKeys>();
      const files = await mapLimit(request.files, opts.concurrency, async (file) => {
        const known = opts.facts?.lookup(file, signature);
        if (known) {
          opts.facts!.stats.reused++;
          return known;
        }
        const scanned = await scanFile(store, file, request, reads);
        opts.facts?.record(scanned.facts);
        if (opts.facts) opts.facts.stats.read++;
        if (scanned.keys) keys.set(file.key, scanned.keys);
        return scanned.facts;
      });
      const facts = mergeFacts(request, files);
      if (facts.duplicatesBySeason)
        facts.duplicatesBySeason = await countDuplicates(request, files, keys, async (file) => {
          if (opts.facts) opts.facts.stats.candidatesRead++;
          return (await scanFile(store, file, request, reads)).keys;
        });
      return facts;
    },
    async close() {},
  };
}

/**
 * Duplicates by season: each file's own, plus those across the candidate files (whose key ranges overlap),
 * counted by a tracker over their keys in file order. Only candidates without keys in memory are read again.
 */
async function countDuplicates(
  request: TableRequest,
  files: readonly FileFacts[],
  inMemory: ReadonlyMap<string, FileKeys>,
  readKeys: (file: LakeFile) => Promise<FileKeys | undefined>,
): Promise<Map<number, number>> {
  const readable = files.filter((f) => f.error === undefined);
  const numeric =
    readable.every((f) => f.keys?.numeric || f.rows === 0) && readable.every((f) => !f.perRowSeason);
  // A full read has every key in memory: the tracker then takes them all, as before the manifest existed, and
  // the candidate shortcut below (which an incremental audit needs) is checked against it by the property test.
  const candidates = readable.every((f) => f.keys === undefined || inMemory.has(f.key))
    ? new Set(readable.filter((f) => f.keys !== undefined).map((f) => f.key))
    : duplicateCandidates(readable);
  const out = new Map<number, number>();
  for (const f of readable)
    if (!candidates.has(f.key)) for (const [s, n] of f.keys?.own ?? []) out.set(s, (out.get(s) ?? 0) + n);
  if (candidates.size === 0) return out;
  const tracker: KeyTracker = numeric ? createNumericKeyTracker() : createStringKeyTracker();
  const byKey = new Map(request.files.map((f) => [f.key, f]));
  const chosen = readable.filter((f) => candidates.has(f.key));
  const keyed = await Promise.all(
    chosen.map(async (f) => inMemory.get(f.key) ?? (await readKeys(byKey.get(f.key)!))),
  );
  for (const keys of keyed) {
    if (!keys) continue;
    if (Array.isArray(keys.season)) {
      for (let i = 0; i < keys.values.length; i++) tracker.add(keys.season[i], [keys.values[i]]);
    } else tracker.add(keys.season, keys.values);
  }
  for (const [s, n] of tracker.duplicatesBySeason()) out.set(s, (out.get(s) ?? 0) + n);
  for (const [s, n] of out) if (n === 0) out.delete(s);
  return out;
}

/** A table's facts from its files' facts; duplicates are left as an empty map to count when the key is readable. */
function mergeFacts(request: TableRequest, files: readonly FileFacts[]): TableFacts {
  const facts = emptyFacts();
  const readable = files.filter((f) => f.error === undefined);
  facts.unreadable = files
    .filter((f) => f.error !== undefined)
    .map((f) => ({ key: f.key, reason: f.error! }));
  facts.readableFiles = readable.length;
  const partitionKeys = partitionKeyNames(request.files);
  facts.columns = [...new Set(readable.flatMap((f) => f.types.map(([c]) => c)))]
    .filter((c) => !partitionKeys.has(c))
    .sort();

  const keyReadable =
    request.key !== undefined && readable.every((f) => f.keys !== undefined || f.rows === 0);
  if (request.key && !keyReadable) {
    const without = readable.find((f) => f.keys === undefined && f.rows > 0);
    facts.keyProblem = `key column ${request.key.join(', ')} not found in ${without?.key ?? 'the files'}`;
  }
  if (keyReadable) facts.duplicatesBySeason = new Map();
  const ids = request.idColumn ? new Map<number, Set<number>>() : undefined;
  let idColumnSeen = false;
  const unknownNulls = new Set<string>();

  for (const file of readable) {
    if (file.seasons) {
      for (const [s, n] of file.seasons) {
        addCount(facts.rowsBySeason, s, n);
        addCount(facts.filesBySeason, s, 1);
      }
    } else facts.unseasonedRows += file.rows;
    if (ids && file.ids) {
      idColumnSeen = true;
      for (const [s, list] of file.ids) {
        const set = ids.get(s) ?? new Set<number>();
        for (const id of list) set.add(id);
        ids.set(s, set);
      }
    }
    // A column a file lacks is null in all its rows, as Athena and DuckDB's union_by_name read it.
    const nulls = new Map(file.nulls);
    for (const column of facts.columns) {
      const n = nulls.has(column) ? nulls.get(column) : file.rows;
      if (n === null || n === undefined) unknownNulls.add(column);
      else facts.nullCounts.set(column, (facts.nullCounts.get(column) ?? 0) + n);
    }
  }
  for (const c of unknownNulls) facts.nullCounts.delete(c);
  facts.schemas = schemaGroups(readable);
  if (ids && idColumnSeen)
    facts.idsBySeason = new Map([...ids].map(([s, set]) => [s, [...set].sort((a, b) => a - b)]));
  return facts;
}

/** The readable files grouped by their exact column list and types, for the audit's schema check. */
function schemaGroups(files: readonly FileFacts[]): SchemaGroup[] {
  const groups = new Map<string, SchemaGroup>();
  for (const file of files) {
    const id = JSON.stringify(file.types);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { columns: file.types, files: 0, sample: [] }));
    group.files++;
    if (group.sample.length < SCHEMA_SAMPLE) group.sample.push(file.key);
  }
  return [...groups.values()];
}

function addCount(map: Map<number, number>, key: number | undefined, n: number): void {
  const k = key ?? NO_SEASON;
  map.set(k, (map.get(k) ?? 0) + n);
}
