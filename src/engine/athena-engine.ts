import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { columnNames, readFooter, UnreadableFileError } from '../parquet/read.js';
import { RunFailedError } from '../util/errors.js';
import type { Catalog, CatalogTable } from '../catalog/catalog.js';
import { sqlNestedField, type NestedFieldSql } from './nested-field.js';
import { emptyFacts, type QueryEngine, type TableRequest } from './query-engine.js';
import {
  quoteIdentifier,
  sqlLiteral,
  sqlTableFacts,
  withoutUnreadable,
  type RunSql,
  type SqlDialect,
} from './sql-facts.js';

export interface AthenaEngineOptions {
  /** The Glue database of the silver tables (`gap_fill.athena_database`). */
  database: string;
  workgroup: string;
  /** Where Athena writes results; omit when the workgroup enforces its own. */
  outputLocation?: string;
  /** `s3://bucket[/prefix]`: the lake keys are relative to it, `"$path"` values start with it. */
  lakeUri: string;
  /** First wait between GetQueryExecution polls; it doubles up to `POLL_CAP_MS`. */
  pollMs?: number;
  /** Athena's limit on a statement, in bytes (`ATHENA_MAX_QUERY_BYTES`); lower only to test the limit. */
  maxQueryBytes?: number;
  /**
   * The lake, to read one footer per table for the files' spelling of the column names: Glue tables made by
   * Athena DDL or a crawler store them in lower case (`gameid`), and the report names columns as the files do.
   */
  store?: ObjectStore;
}

/** The longest wait between two polls of one query. */
const POLL_CAP_MS = 5_000;
/** GetQueryResults answers at most 1,000 rows a page. */
const RESULT_PAGE = 1000;
/** Footers tried for the files' spelling of a table's columns before the Glue names stand. */
const SPELLING_TRIES = 3;
/** StartQueryExecution refuses a `QueryString` longer than this (not adjustable). */
export const ATHENA_MAX_QUERY_BYTES = 262_144;
/** What a statement needs besides its `"$path"` list: the questions of `sqlTableFacts`, one per column at most. */
const STATEMENT_ROOM_BYTES = 32_768;

/** Trino has json_extract_scalar; its regexp_replace replaces every match. */
const ATHENA_NESTED: NestedFieldSql = {
  jsonScalar: (json, at) => `json_extract_scalar(${json}, ${at})`,
  replaceWord: (expr, word, replacement) =>
    `regexp_replace(${expr}, ${sqlLiteral(`\\b${word}\\b`)}, ${sqlLiteral(replacement)})`,
};

/** A statement Athena ran and refused: the message is its `StateChangeReason`, in Athena's words. */
export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly state: string,
  ) {
    super(message);
  }
}

/**
 * The audit's questions as Athena SQL over the Glue catalog (the same `sqlTableFacts` the DuckDB engine asks).
 * Athena reads what the catalog says: a partitioned table's REGISTERED partitions only, so rows under a
 * partition the catalog lacks are not counted (the catalog check reports such partitions). A table with no
 * catalog entry answers empty facts; the audit says why. Columns are the Glue table's, as Athena sees them.
 */
export function createAthenaEngine(
  client: AthenaClient,
  catalog: Catalog,
  opts: AthenaEngineOptions,
): QueryEngine {
  const lakeRoot = `${opts.lakeUri.replace(/\/+$/, '')}/`;
  const uriOf = (f: LakeFile) => `${lakeRoot}${f.key}`;
  const keyOf = (p: string) => (p.startsWith(lakeRoot) ? p.slice(lakeRoot.length) : p);
  const maxQueryBytes = opts.maxQueryBytes ?? ATHENA_MAX_QUERY_BYTES;
  const run = retryTransient(athenaRunner(client, opts, maxQueryBytes), opts.pollMs ?? 250);
  const limits = { budget: Math.max(0, maxQueryBytes - STATEMENT_ROOM_BYTES), maxQueryBytes };

  return {
    name: 'athena',
    async tableFacts(request) {
      if (request.files.length === 0) return emptyFacts();
      const table = await catalog.getTable(opts.database, request.table);
      if (!table) {
        return {
          ...emptyFacts(),
          unavailable: `no Glue table ${opts.database}.${request.table}, so Athena cannot read its ${request.files.length} file(s)`,
        };
      }
      const spelling = opts.store ? await fileSpelling(opts.store, request.files) : new Map();
      const columns = [
        ...(table.glue.StorageDescriptor?.Columns ?? []).map(
          (c) => spelling.get(c.Name.toLowerCase()) ?? c.Name,
        ),
        ...table.partitionKeys,
      ];
      // Objects Athena failed on that the listing did not offer.
      const strays: LakeFile[] = [];
      const { value, unreadable } = await withoutUnreadable(
        request.files,
        (files) => {
          const kept = new Set(files);
          const skipped = [...request.files.filter((f) => !kept.has(f)), ...strays];
          return sqlTableFacts(
            request,
            files,
            columns,
            athenaDialect(table, request, skipped, uriOf, limits),
            run,
            keyOf,
          );
        },
        (e, files) => blame(e, files, strays, request.table, lakeRoot),
      ).catch((e: unknown) => {
        throw e instanceof AthenaQueryError ? statementFailed(e, `${opts.database}.${request.table}`) : e;
      });
      value.unreadable = unreadable;
      return value;
    },
    async close() {
      // The client belongs to the composition root.
    },
  };
}

/**
 * The file a failed statement names: HIVE_BAD_DATA and HIVE_CANNOT_OPEN_SPLIT give its s3:// URI. A URI in the
 * lake that the listing did not offer (a non-Parquet object inside a partition, which Athena reads and the
 * inventory skips) becomes a stray to leave out too, so one such object never stops the audit.
 */
function blame(
  e: unknown,
  files: readonly LakeFile[],
  strays: LakeFile[],
  table: string,
  lakeRoot: string,
): LakeFile | undefined {
  // Only bad bytes set a file aside; a throttled or failed read of a healthy file is never a gap.
  if (!(e instanceof AthenaQueryError) || TRANSIENT.test(e.message) || !BAD_BYTES.test(e.message))
    return undefined;
  const named = files.find((f) => e.message.includes(`${lakeRoot}${f.key}`));
  if (named) return named;
  const uri = new RegExp(`${escapeRegExp(lakeRoot)}[^\\s\\]\\)]+`).exec(e.message)?.[0];
  const key = uri?.slice(lakeRoot.length);
  if (!key || strays.some((s) => s.key === key)) return undefined;
  const stray: LakeFile = { key, size: 0, table, partitions: [], shape: '', season: undefined };
  strays.push(stray);
  return stray;
}

/**
 * Names the table's rows as `"db"."table"` with its hidden `"$path"`, restricted to the request: by the
 * `season` partition key when the table has one (Athena prunes partitions on it), else by the files' paths;
 * files set aside as unreadable are left out by `"$path"`, which Athena applies before opening a file.
 * Athena has no row number within a file, so rows are ordered by file only; which of two equal keys in one
 * file comes first does not change the per-season duplicate counts.
 */
function athenaDialect(
  table: CatalogTable,
  request: TableRequest,
  skipped: readonly LakeFile[],
  uriOf: (f: LakeFile) => string,
  limits: { budget: number; maxQueryBytes: number },
): SqlDialect {
  const seasonKey = table.glue.PartitionKeys?.find((k) => k.Name.toLowerCase() === 'season');
  const conditions: string[] = [];
  if (seasonKey) {
    const seasons = [
      ...new Set(request.files.flatMap((f) => (f.season === undefined ? [] : [f.season]))),
    ].sort((a, b) => a - b);
    const numeric = !/^(string|varchar|char)/i.test(seasonKey.Type);
    const values = seasons.map((s) => (numeric ? String(s) : sqlLiteral(String(s))));
    conditions.push(
      values.length > 0 ? `${quoteIdentifier(seasonKey.Name)} IN (${values.join(', ')})` : 'false',
    );
  }
  const paths = pathCondition(request, skipped, uriOf, limits, seasonKey === undefined);
  if (paths) conditions.push(paths);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return {
    source: () =>
      `(SELECT *, "$path" FROM ${quoteIdentifier(table.database)}.${quoteIdentifier(table.name)}${where})`,
    path: '"$path"',
    rowOrder: '"$path"',
    // Nested values held as JSON or Python repr text, read as every engine reads them (nested-field.ts).
    jsonField: (column, field) => sqlNestedField(quoteIdentifier(column), field.split('.'), ATHENA_NESTED),
    quote: quoteIdentifier,
  };
}

/**
 * The `"$path"` restriction of a table's statements, within the budget (Athena refuses a statement over 262,144
 * bytes). A partitioned table leaves out the files set aside (`NOT IN`), so Athena still reads, and names, any
 * object the listing did not offer; past the budget it lists the files kept (`IN`) instead. An unpartitioned
 * table prefers the kept list, since it reads every file under its location, subdirectories included (a stray
 * `season=` directory under a dimension). When neither list fits the run fails (exit 4) naming the limit.
 */
function pathCondition(
  request: TableRequest,
  skipped: readonly LakeFile[],
  uriOf: (f: LakeFile) => string,
  limits: { budget: number; maxQueryBytes: number },
  preferKept: boolean,
): string | undefined {
  const skippedKeys = new Set(skipped.map((f) => f.key));
  const kept = request.files.filter((f) => !skippedKeys.has(f.key));
  const list = (files: readonly LakeFile[]) => files.map((f) => sqlLiteral(uriOf(f))).join(', ');
  const keptCondition = kept.length > 0 ? `"$path" IN (${list(kept)})` : 'false';
  const skippedCondition = skipped.length > 0 ? `"$path" NOT IN (${list(skipped)})` : undefined;
  const size = (c: string | undefined) => Buffer.byteLength(c ?? '');
  const order = preferKept ? [keptCondition, skippedCondition] : [skippedCondition, keptCondition];
  const fits = order.findIndex((c) => size(c) <= limits.budget);
  if (fits >= 0) return order[fits];
  throw new RunFailedError(
    `Athena: ${request.table} has ${kept.length} readable file(s) and ${skipped.length} set aside as unreadable; neither list fits Athena's ${limits.maxQueryBytes}-byte query limit (${size(keptCondition)} and ${size(skippedCondition)} bytes); likely remedy: move the unreadable files aside, or audit with --engine scan`,
  );
}

/**
 * A statement Athena refused for a reason that is neither bad bytes nor transient (a split it cannot open for
 * lack of access, an internal error): the run could not read the table, so it fails (exit 4), never a gap.
 */
function statementFailed(e: AthenaQueryError, table: string): RunFailedError {
  const remedy = /ACCESS_DENIED|Access Denied|403|CANNOT_OPEN_SPLIT/i.test(e.message)
    ? "check that Athena's role can read the lake's objects (s3:GetObject) and the results location"
    : `see query ${e.queryExecutionId} in Athena's history`;
  return new RunFailedError(
    `Athena: a statement on ${table} failed: ${e.message}; likely remedy: ${remedy}, or audit with --engine scan`,
    { cause: e },
  );
}

/**
 * The column names of the first of a table's files whose footer reads, by their lower-case form; empty when none
 * of the first few reads (the Glue names stand then, and the files' own reading reports the bad ones).
 */
async function fileSpelling(store: ObjectStore, files: readonly LakeFile[]): Promise<Map<string, string>> {
  for (const file of files.slice(0, SPELLING_TRIES)) {
    try {
      const names = columnNames(await readFooter(store, file));
      return new Map(names.map((n) => [n.toLowerCase(), n]));
    } catch (e) {
      if (!(e instanceof UnreadableFileError)) throw e;
    }
  }
  return new Map();
}

/** Start, poll until done, read every page: one statement's rows as strings, NULL as null. */
function athenaRunner(client: AthenaClient, opts: AthenaEngineOptions, maxQueryBytes: number): RunSql {
  const firstWait = opts.pollMs ?? 250;
  return async (sql) => {
    const bytes = Buffer.byteLength(sql);
    if (bytes > maxQueryBytes)
      throw new RunFailedError(
        `Athena: a statement of ${bytes} bytes exceeds Athena's ${maxQueryBytes}-byte query limit; likely remedy: audit with --engine scan`,
      );
    const { QueryExecutionId: id } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: opts.database },
        WorkGroup: opts.workgroup,
        ...(opts.outputLocation ? { ResultConfiguration: { OutputLocation: opts.outputLocation } } : {}),
      }),
    );
    if (!id) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
    for (let wait = firstWait; ; wait = Math.min(wait * 2, Math.max(POLL_CAP_MS, firstWait))) {
      await sleep(wait);
      const { QueryExecution: qe } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = qe?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new AthenaQueryError(
          `${qe?.Status?.StateChangeReason ?? `query ${state}`} (query ${id})`,
          id,
          state,
        );
      }
    }
    const rows: Record<string, string | null>[] = [];
    let names: string[] | undefined;
    for await (const page of paginateGetQueryResults(
      { client, pageSize: RESULT_PAGE },
      { QueryExecutionId: id },
    )) {
      const data = page.ResultSet?.Rows ?? [];
      // The first row of the first page is the header (column names), not data.
      const first = names === undefined;
      names ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      for (const row of first ? data.slice(1) : data) {
        const out: Record<string, string | null> = {};
        // A NULL comes back as a Datum without VarCharValue; an empty string as VarCharValue "".
        (row.Data ?? []).forEach((d, i) => (out[names![i] ?? `_${i}`] = d.VarCharValue ?? null));
        rows.push(out);
      }
    }
    return rows;
  };
}

/** Statement failures that say nothing about the files: S3 throttling seen through Athena, Athena's own limits. */
const TRANSIENT = /Slow ?Down|\b503\b|Throttl|Rate exceeded|TOO_MANY_REQUESTS|reduce your request rate/i;
/** Failures that mean a file's bytes are bad (Trino's ParquetCorruptionException and kin). */
const BAD_BYTES = /HIVE_BAD_DATA|Malformed Parquet|corrupt|not a Parquet file|magic number/i;
/** Tries of one statement that failed transiently before the run fails. */
const TRANSIENT_ATTEMPTS = 4;

/**
 * Runs a statement again, after 1, 2, 4… times `baseMs`, while it fails transiently; when it still does, the run
 * fails (exit 4) naming Athena and the remedy, rather than reporting a healthy file as unreadable.
 */
function retryTransient(run: RunSql, baseMs: number): RunSql {
  return async (sql) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(sql);
      } catch (e) {
        if (!(e instanceof AthenaQueryError) || !TRANSIENT.test(e.message)) throw e;
        if (attempt >= TRANSIENT_ATTEMPTS)
          throw new RunFailedError(
            `Athena: a statement failed ${attempt} times with a transient error: ${e.message}; likely remedy: S3 or Athena is throttling the audit: run again later, or lower audit.read_concurrency`,
            { cause: e },
          );
        await sleep(baseMs * 2 ** (attempt - 1));
      }
    }
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
