import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import type { LakeFile } from '../lake/lake-file.js';
import { RunFailedError } from '../util/errors.js';
import type { Catalog, CatalogTable } from '../catalog/catalog.js';
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
}

/** The longest wait between two polls of one query. */
const POLL_CAP_MS = 5_000;
/** GetQueryResults answers at most 1,000 rows a page. */
const RESULT_PAGE = 1000;
/** Above this many files a `"$path" IN (…)` list would near Athena's 262,144-character statement limit. */
const PATH_LIST_MAX = 1000;

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
  const run = retryTransient(athenaRunner(client, opts), opts.pollMs ?? 250);

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
      const columns = [
        ...(table.glue.StorageDescriptor?.Columns ?? []).map((c) => c.Name),
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
            athenaDialect(table, request, skipped, uriOf),
            run,
            keyOf,
          );
        },
        (e, files) => blame(e, files, strays, request.table, lakeRoot),
      );
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
): SqlDialect {
  const seasonKey = table.glue.PartitionKeys?.find((k) => k.Name.toLowerCase() === 'season');
  const skippedKeys = new Set(skipped.map((f) => f.key));
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
    for (const f of skipped) conditions.push(`"$path" <> ${sqlLiteral(uriOf(f))}`);
  } else if (request.files.length <= PATH_LIST_MAX) {
    // Unpartitioned tables read every file under their location, subdirectories included (a stray `season=`
    // directory under a dimension): ask for the request's files only.
    const wanted = request.files.filter((f) => !skippedKeys.has(f.key)).map((f) => sqlLiteral(uriOf(f)));
    conditions.push(wanted.length > 0 ? `"$path" IN (${wanted.join(', ')})` : 'false');
  } else {
    for (const f of skipped) conditions.push(`"$path" <> ${sqlLiteral(uriOf(f))}`);
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return {
    source: () =>
      `(SELECT *, "$path" FROM ${quoteIdentifier(table.database)}.${quoteIdentifier(table.name)}${where})`,
    path: '"$path"',
    rowOrder: '"$path"',
    // Some silver columns hold Python repr ('…'); JSON wants double quotes. Athena has json_extract_scalar.
    jsonField: (column, field) =>
      `json_extract_scalar(replace(${quoteIdentifier(column)}, '''', '"'), ${sqlLiteral(`$.${field}`)})`,
    quote: quoteIdentifier,
  };
}

/** Start, poll until done, read every page: one statement's rows as strings, NULL as null. */
function athenaRunner(client: AthenaClient, opts: AthenaEngineOptions): RunSql {
  const firstWait = opts.pollMs ?? 250;
  return async (sql) => {
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
