import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FileFacts, FileFactsCache } from '../engine/query-engine.js';
import type { LakeFile } from '../lake/lake-file.js';
import type { Inventory } from './inventory.js';
import type { DeadletterCache } from './known-empty.js';
import { joinKey, type ObjectInfo, type ObjectStore } from '../lake/object-store.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** The manifest's format version: a manifest of another version is ignored and rebuilt. */
export const MANIFEST_SCHEMA_VERSION = 2; // 2: each column list once, not in every entry

/** Where the manifests live under the lake's `meta` prefix: the bot's own, never lake data. */
export const MANIFEST_DIR = 'cbbd-gap-bot/audit';

/** How many of the newest manifests an audit tries before it gives up and audits in full. */
const MANIFESTS_TRIED = 3;

/** First line of a manifest object; the last line is `{"end": entries}`, so a cut-short object is refused. */
interface ManifestHeader {
  manifest: 'cbbd-gap-bot audit';
  schemaVersion: number;
  lake: string;
  createdAt: string;
  /** When the last full audit in this manifest's line was taken: `audit.full_every_days` counts from it. */
  fullAt: string;
}

/**
 * A deadletter record as an earlier audit read it: a manifest line beside the file entries. `gameId` is the empty
 * game it records, null when it records something else.
 */
export interface DeadletterEntry {
  deadletter: string;
  size: number;
  etag: string;
  gameId: number | null;
}

/** Which kind of audit ran, and why. */
export interface AuditKind {
  kind: 'full' | 'incremental';
  reason: string;
  /** The manifest the audit started from, when it used one. */
  from?: string;
}

/** The audit manifest for one run: the engine's facts cache, the silver listing it keeps, and the save. */
export interface AuditManifest extends FileFactsCache, AuditKind {
  /** The audit's silver listing: the saved manifest holds exactly the Parquet files listed. */
  useListing(inventory: Inventory): void;
  /** Parquet files the silver listing found. */
  listedFiles(): number;
  /** The deadletter records' facts: unchanged records are not read again; the saved manifest holds those seen. */
  readonly deadletters: DeadletterCache;
  /** Writes this run's manifest as a new object (create-only); returns its key, or undefined when not written. */
  save(): Promise<string | undefined>;
}

/** What opening the manifest needs. */
export interface ManifestOptions {
  metaPrefix: string;
  /** `audit --full`: the old manifest is not read; a new one is written. */
  full: boolean;
  fullEveryDays: number;
  now: () => Date;
  logger: Logger;
}

/**
 * Opens the newest readable manifest of this lake: an incremental audit starts from it. An unreadable manifest,
 * one of another schema version or of another lake is skipped with a warning; with none, the audit is full.
 * Old manifests are never deleted (the bot deletes nothing): one accumulates per audit run.
 */
export async function openManifest(store: ObjectStore, opts: ManifestOptions): Promise<AuditManifest> {
  const dir = joinKey(opts.metaPrefix, MANIFEST_DIR);
  const now = opts.now();
  let previous: Awaited<ReturnType<typeof newestManifest>>;
  let kind: AuditKind = { kind: 'full', reason: 'audit --full' };
  if (!opts.full) {
    previous = await newestManifest(store, dir, opts.logger);
    kind = decideKind(previous, now, opts.fullEveryDays);
    if (kind.kind === 'full') previous = undefined;
  }
  const current = new Map<string, FileFacts>();
  let listed: ObjectInfo[] | undefined;
  let oddKeys = 0;
  const deadletters = new Map<string, DeadletterEntry>();
  const manifest: AuditManifest = {
    ...kind,
    stats: { read: 0, reused: 0, candidatesRead: 0 },
    lookup(file: LakeFile, request: string) {
      const e = previous?.entries.get(file.key);
      if (!e || e.etag === undefined || e.etag !== file.etag || e.size !== file.size || e.request !== request)
        return undefined;
      current.set(e.key, e);
      return e;
    },
    record: (facts) => void current.set(facts.key, facts),
    listedFiles: () => (listed?.length ?? 0) + oddKeys,
    deadletters: {
      lookup(o) {
        const e = previous?.deadletters.get(o.key);
        if (!e || o.etag === undefined || e.etag !== o.etag || e.size !== o.size) return undefined;
        deadletters.set(e.deadletter, e);
        return { gameId: e.gameId };
      },
      record(o, gameId) {
        if (o.etag !== undefined)
          deadletters.set(o.key, { deadletter: o.key, size: o.size, etag: o.etag, gameId });
      },
    },
    useListing(inventory) {
      listed = [...inventory.tables.values()].flat();
      oddKeys = inventory.oddKeys.length;
    },
    async save() {
      const entries = listed ? keptEntries(listed, current, previous?.entries) : [...current.values()];
      const header: ManifestHeader = {
        manifest: 'cbbd-gap-bot audit',
        schemaVersion: MANIFEST_SCHEMA_VERSION,
        lake: store.uri,
        createdAt: now.toISOString(),
        fullAt: previous?.header.fullAt ?? now.toISOString(),
      };
      const key = joinKey(dir, manifestName(now));
      const body = encodeManifest(header, entries, [...deadletters.values()], previous?.text);
      const result = await store.putIfAbsent(key, body, 'application/gzip');
      if (result === 'exists') {
        opts.logger.warn(`audit manifest ${key} already exists; this run's manifest is not kept`);
        return undefined;
      }
      return key;
    },
  };
  return manifest;
}

/** The entries of the new manifest: every listed file, with this run's facts or the old manifest's unchanged ones. */
function keptEntries(
  listed: readonly ObjectInfo[],
  current: ReadonlyMap<string, FileFacts>,
  previous: ReadonlyMap<string, FileFacts> | undefined,
): FileFacts[] {
  const out: FileFacts[] = [];
  for (const o of listed) {
    const e = current.get(o.key) ?? previous?.get(o.key);
    if (e && e.size === o.size && e.etag !== undefined && e.etag === o.etag) out.push(e);
  }
  return out;
}

function decideKind(
  previous: { header: ManifestHeader; key: string } | undefined,
  now: Date,
  fullEveryDays: number,
): AuditKind {
  if (!previous) return { kind: 'full', reason: 'no usable audit manifest' };
  const ageDays = (now.getTime() - Date.parse(previous.header.fullAt)) / 86_400_000;
  if (!(ageDays < fullEveryDays))
    return {
      kind: 'full',
      reason: `the last full audit (${previous.header.fullAt}) is older than audit.full_every_days (${fullEveryDays})`,
    };
  return { kind: 'incremental', reason: `facts of unchanged files from ${previous.key}`, from: previous.key };
}

/** Sorts after every earlier run's name: the time to the millisecond, then a random tail for two runs at once. */
function manifestName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `manifest-${stamp}-${randomBytes(4).toString('hex')}.ndjson.gz`;
}

async function newestManifest(store: ObjectStore, dir: string, logger: Logger) {
  const keys: string[] = [];
  for await (const o of store.list(`${dir}/`)) if (o.key.endsWith('.ndjson.gz')) keys.push(o.key);
  keys.sort();
  for (const key of keys.slice(-MANIFESTS_TRIED).reverse()) {
    try {
      const { header, entries, deadletters, text } = decodeManifest(await store.get(key));
      if (header.lake !== store.uri) throw new Error(`it describes ${header.lake}, not ${store.uri}`);
      return { header, entries, deadletters, text, key };
    } catch (e) {
      logger.warn(`audit manifest ${key} ignored (${errorMessage(e)}); it is rebuilt by this audit`);
    }
  }
  return undefined;
}

/**
 * Gzipped NDJSON: the header; each distinct column list once (`{"columns": [[name, type], …]}`), before the first
 * entry that uses it; one `FileFacts` a line, its `types` given as `schema` (the column list's place among those
 * lines); one `DeadletterEntry` a line; and `{"end": lines between}`. A lake's files share a handful of column
 * lists, so this keeps ~50 column names and types out of every entry.
 */
export function encodeManifest(
  header: ManifestHeader,
  entries: readonly FileFacts[],
  deadletters: readonly DeadletterEntry[] = [],
  earlier?: ManifestText,
): Uint8Array {
  const lines = [JSON.stringify(header)];
  // Entries read from a manifest share their column list: known by reference first, by text otherwise.
  const byRef = new Map<FileFacts['types'], number>();
  const byText = new Map<string, number>();
  let schemas = 0;
  const addSchema = (types: FileFacts['types'], text: string) => {
    const schema = schemas++;
    byText.set(text, schema);
    byRef.set(types, schema);
    lines.push(`{"columns":${text}}`);
    return schema;
  };
  // The earlier manifest's column lists keep their numbers, so its unchanged entries are written as they were read.
  for (const types of earlier?.schemas ?? []) addSchema(types, JSON.stringify(types));
  for (const e of entries) {
    const line = earlier?.lineOf.get(e);
    if (line !== undefined) {
      lines.push(line);
      continue;
    }
    let schema = byRef.get(e.types);
    if (schema === undefined) {
      const text = JSON.stringify(e.types);
      schema = byText.get(text) ?? addSchema(e.types, text);
      byRef.set(e.types, schema);
    }
    lines.push(JSON.stringify(compactEntry(e, schema)));
  }
  for (const d of deadletters) lines.push(JSON.stringify(d));
  lines.push(JSON.stringify({ end: lines.length - 1 }));
  return gzipSync(`${lines.join('\n')}\n`);
}

/** A decoded manifest's column lists in order, and each entry's line as read: what writing it again reuses. */
export interface ManifestText {
  schemas: readonly FileFacts['types'][];
  lineOf: WeakMap<FileFacts, string>;
}

/** A manifest line of file facts: the column list by its number. */
type CompactEntry = Omit<FileFacts, 'types'> & { schema: number };

function compactEntry(e: FileFacts, schema: number): CompactEntry {
  const { types: _types, ...rest } = e;
  return { ...rest, schema };
}

function expandEntry(e: CompactEntry, schemas: readonly FileFacts['types'][]): FileFacts {
  const { schema, ...rest } = e;
  const types = schemas[schema];
  if (!types) throw new Error(`entry ${e.key} names column list ${schema}, which is not there`);
  if (rest.nullCounts?.length !== types.length)
    throw new Error(`entry ${e.key} has ${rest.nullCounts?.length} null counts for ${types.length} columns`);
  return { ...rest, types };
}

/** Parses and checks a manifest; throws with the reason when it cannot be used. */
export function decodeManifest(bytes: Uint8Array): {
  header: ManifestHeader;
  entries: Map<string, FileFacts>;
  deadletters: Map<string, DeadletterEntry>;
  text: ManifestText;
} {
  const lines = gunzipSync(bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  const header = JSON.parse(lines[0] ?? '{}') as ManifestHeader;
  if (header.manifest !== 'cbbd-gap-bot audit') throw new Error('not an audit manifest');
  if (header.schemaVersion !== MANIFEST_SCHEMA_VERSION)
    throw new Error(`schema version ${header.schemaVersion}, this bot reads ${MANIFEST_SCHEMA_VERSION}`);
  const end = JSON.parse(lines[lines.length - 1] ?? '{}') as { end?: number };
  if (end.end !== lines.length - 2) throw new Error('it is cut short');
  const entries = new Map<string, FileFacts>();
  const deadletters = new Map<string, DeadletterEntry>();
  const schemas: FileFacts['types'][] = [];
  const lineOf = new WeakMap<FileFacts, string>();
  for (let i = 1; i < lines.length - 1; i++) {
    const e = JSON.parse(lines[i]!) as CompactEntry | DeadletterEntry | { columns: FileFacts['types'] };
    if ('columns' in e) schemas.push(e.columns);
    else if ('deadletter' in e) deadletters.set(e.deadletter, e);
    else {
      const facts = expandEntry(e, schemas);
      entries.set(e.key, facts);
      lineOf.set(facts, lines[i]!);
    }
  }
  return { header, entries, deadletters, text: { schemas, lineOf } };
}
