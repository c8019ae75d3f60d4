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
  type DuplicateKey,
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
        request.onRead?.();
        opts.facts?.record(scanned.facts);
        if (opts.facts) opts.facts.stats.read++;
        if (scanned.keys) keys.set(file.key, scanned.keys);
        return scanned.facts;
      });
      const facts = mergeFacts(request, files);
      if (facts.duplicatesBySeason) {
        const found = await findDuplicates(request, files, keys, opts.concurrency, async (file) => {
          if (opts.facts) opts.facts.stats.candidatesRead++;
          return (await scanFile(store, file, request, reads)).keys;
        });
        facts.duplicatesBySeason = found.bySeason;
        facts.duplicateKeys = found.keys;
      }
      return facts;
    },
    filesToRead(request) {
      const signature = requestSignature(request);
      return request.files.filter((f) => !opts.facts?.lookup(f, signature)).length;
    },
    async close() {},
  };
}

/**
 * Duplicates by season and up to 20 duplicated keys per season with their files. Every duplicate row is in a
 * file that shares a key with another file (a candidate: key ranges overlap) or repeats a key of its own; a key
 * tracker over just those files, in file order, sees every duplicate a tracker over all files sees, in the same
 * order, so counts and listed keys are equal. A full read has every key in memory and tracks all files, as before
 * the manifest existed (the property test checks the shortcut against it); files without keys in memory (answered
 * by the manifest) are read again for their keys.
 */
async function findDuplicates(
  request: TableRequest,
  files: readonly FileFacts[],
  inMemory: ReadonlyMap<string, FileKeys>,
  concurrency: number,
  readKeys: (file: LakeFile) => Promise<FileKeys | undefined>,
): Promise<{ bySeason: Map<number, number>; keys: Map<number, DuplicateKey[]> }> {
  const readable = files.filter((f) => f.error === undefined);
  const numeric =
    readable.every((f) => f.keys?.numeric || f.rows === 0) && readable.every((f) => !f.perRowSeason);
  const keyed = readable.filter((f) => f.keys !== undefined);
  const candidates = keyed.every((f) => inMemory.has(f.key))
    ? new Set(keyed.map((f) => f.key))
    : duplicateCandidates(readable);
  for (const f of keyed) if (f.keys!.own.length > 0) candidates.add(f.key);
  const byKey = new Map(request.files.map((f) => [f.key, f]));
  const chosen = keyed.filter((f) => candidates.has(f.key));
  const scans = await mapLimit(chosen, concurrency, async (f) => ({
    file: byKey.get(f.key)!,
    keys: inMemory.get(f.key) ?? (await readKeys(byKey.get(f.key)!)),
  }));
  const tracker: KeyTracker = numeric ? createNumericKeyTracker() : createStringKeyTracker();
  for (const { keys } of scans) {
    if (!keys) continue;
    if (Array.isArray(keys.season)) {
      for (let i = 0; i < keys.values.length; i++) tracker.add(keys.season[i], [keys.values[i]]);
    } else tracker.add(keys.season, keys.values);
  }
  const bySeason = tracker.duplicatesBySeason();
  return {
    bySeason,
    keys: filesHolding(
      tracker.duplicateKeys(),
      scans.map((s) => ({ file: s.file, ...(s.keys ? { keys: s.keys.values } : {}) })),
    ),
  };
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
    const at = columnIndex(file.types);
    for (const column of facts.columns) {
      const i = at.get(column);
      const n = i === undefined ? file.rows : file.nullCounts[i];
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

/**
 * Each column's place in a file's column list. Files answered by the audit manifest share one list per distinct
 * schema, so a table of thousands of files builds a handful of these.
 */
const columnIndexes = new WeakMap<FileFacts['types'], Map<string, number>>();
function columnIndex(types: FileFacts['types']): Map<string, number> {
  let at = columnIndexes.get(types);
  if (!at) {
    at = new Map();
    for (const [i, [c]] of types.entries()) if (!at.has(c)) at.set(c, i);
    columnIndexes.set(types, at);
  }
  return at;
}

/** The readable files grouped by their exact column list and types, for the audit's schema check. */
function schemaGroups(files: readonly FileFacts[]): SchemaGroup[] {
  const groups = new Map<string, SchemaGroup>();
  const ids = new Map<FileFacts['types'], string>();
  for (const file of files) {
    const id = ids.get(file.types) ?? JSON.stringify(file.types);
    ids.set(file.types, id);
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
