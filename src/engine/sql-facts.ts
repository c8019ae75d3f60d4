import type { LakeFile } from '../lake/lake-file.js';
import { resolveColumn } from '../layout/row-key.js';
import {
  emptyFacts,
  NO_SEASON,
  partitionKeyNames,
  type TableFacts,
  type TableRequest,
} from './query-engine.js';

/**
 * The audit's questions as SQL, shared by the DuckDB and Athena engines so both ask exactly the same thing. A
 * dialect says how to name the table's rows (`source`), the file each row came from (`path`), and how to read
 * a field out of JSON text.
 */
export interface SqlDialect {
  /** A FROM item over the table's (readable) files. */
  source(files: readonly LakeFile[]): string;
  /** The expression naming each row's file (`filename` in DuckDB, `"$path"` in Athena). */
  path: string;
  /** Orders a table's rows the way files are listed, then within a file; first occurrence of a key wins. */
  rowOrder: string;
  /** A field of JSON (or Python-repr) text as a string. */
  jsonField(column: string, field: string): string;
  quote(identifier: string): string;
}

/** A string as an SQL literal, and a name as a quoted identifier: the same in DuckDB and Athena (Trino). */
export const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const quoteIdentifier = (id: string): string => `"${id.replace(/"/g, '""')}"`;

/** Runs one statement and returns rows of strings (or nulls), as both engines' clients can. */
export type RunSql = (sql: string) => Promise<Record<string, string | null>[]>;

/**
 * Answers a `TableRequest` with SQL: the columns (from the engine's own schema of the union of files), rows and
 * files by season, duplicates on the key with the first row in file order kept, distinct ids by season, and
 * null counts. `keyOf` maps a returned path back to the lake key.
 */
export async function sqlTableFacts(
  request: TableRequest,
  readable: readonly LakeFile[],
  columns: readonly string[],
  dialect: SqlDialect,
  run: RunSql,
  keyOf: (path: string) => string,
): Promise<TableFacts> {
  const facts = emptyFacts();
  const partitionKeys = partitionKeyNames(request.files);
  const dataColumns = columns.filter((c) => !partitionKeys.has(c));
  facts.columns = [...dataColumns].sort();
  facts.readableFiles = readable.length;
  if (readable.length === 0) return facts;
  const q = dialect.quote;
  const from = dialect.source(readable);
  const byKey = new Map(readable.map((f) => [f.key, f]));
  const seasonColumn = resolveColumn(columns, 'season');
  const seasonExpr = seasonColumn ? `CAST(${q(seasonColumn)} AS BIGINT)` : 'CAST(NULL AS BIGINT)';
  const seasonOf = (
    path: string | null | undefined,
    rowSeason: string | null | undefined,
  ): number | undefined => {
    const file = byKey.get(keyOf(path ?? ''));
    if (file?.season !== undefined) return file.season;
    return rowSeason === null || rowSeason === undefined ? undefined : Number(rowSeason);
  };

  // Rows and files by season.
  const counts = await run(
    `SELECT ${dialect.path} AS path, ${seasonExpr} AS season, count(*) AS n FROM ${from} GROUP BY 1, 2`,
  );
  const filesPerSeason = new Map<number, Set<string>>();
  for (const f of readable)
    if (f.season !== undefined)
      filesPerSeason.set(f.season, (filesPerSeason.get(f.season) ?? new Set()).add(f.key));
  for (const row of counts) {
    const s = seasonOf(row.path, row.season);
    const n = Number(row.n);
    if (s === undefined) facts.unseasonedRows += n;
    else {
      facts.rowsBySeason.set(s, (facts.rowsBySeason.get(s) ?? 0) + n);
      filesPerSeason.set(s, (filesPerSeason.get(s) ?? new Set()).add(keyOf(row.path ?? '')));
    }
  }
  for (const [s, set] of filesPerSeason) facts.filesBySeason.set(s, set.size);

  // Null counts, one pass over every column.
  if (dataColumns.length > 0) {
    const exprs = dataColumns.map((c, i) => `count(*) - count(${q(c)}) AS n${i}`);
    const [row] = await run(`SELECT ${exprs.join(', ')} FROM ${from}`);
    dataColumns.forEach((c, i) => facts.nullCounts.set(c, Number(row?.[`n${i}`] ?? 0)));
  }

  // Duplicates: rows after the first of their key, in file order.
  if (request.key) {
    const parts = request.key.map((part) => {
      const [head, ...rest] = part.split('.');
      const column = resolveColumn(columns, head!);
      if (!column) return undefined;
      return rest.length === 0 ? q(column) : dialect.jsonField(column, rest.join('.'));
    });
    if (parts.some((p) => p === undefined)) {
      facts.keyProblem = `key column ${request.key.join(', ')} not found in the table's columns`;
    } else {
      const dup = await run(
        `SELECT path, season, count(*) AS n FROM (SELECT ${dialect.path} AS path, ${seasonExpr} AS season, ` +
          `row_number() OVER (PARTITION BY ${parts.join(', ')} ORDER BY ${dialect.rowOrder}) AS rn FROM ${from}) t ` +
          'WHERE rn > 1 GROUP BY 1, 2',
      );
      facts.duplicatesBySeason = new Map();
      for (const row of dup) {
        const s = seasonOf(row.path, row.season) ?? NO_SEASON;
        facts.duplicatesBySeason.set(s, (facts.duplicatesBySeason.get(s) ?? 0) + Number(row.n));
      }
    }
  }

  // Distinct ids by season.
  const idColumn = request.idColumn ? resolveColumn(columns, request.idColumn) : undefined;
  if (idColumn) {
    const ids = await run(
      `SELECT DISTINCT ${dialect.path} AS path, ${seasonExpr} AS season, CAST(${q(idColumn)} AS BIGINT) AS id ` +
        `FROM ${from} WHERE ${q(idColumn)} IS NOT NULL`,
    );
    const sets = new Map<number, Set<number>>();
    for (const row of ids) {
      const s = seasonOf(row.path, row.season) ?? NO_SEASON;
      sets.set(s, (sets.get(s) ?? new Set()).add(Number(row.id)));
    }
    facts.idsBySeason = new Map([...sets].map(([s, set]) => [s, [...set].sort((a, b) => a - b)]));
  }
  return facts;
}

/**
 * Runs `attempt` over the files, and when it fails naming one of them (a bad footer, a chunk that will not
 * decode), sets that file aside as unreadable and tries again without it: one corrupt file never hides a table.
 */
export async function withoutUnreadable<T>(
  files: readonly LakeFile[],
  attempt: (files: readonly LakeFile[]) => Promise<T>,
  blame: (error: unknown, files: readonly LakeFile[]) => LakeFile | undefined,
): Promise<{ value: T; unreadable: { key: string; reason: string }[] }> {
  const unreadable: { key: string; reason: string }[] = [];
  let remaining = [...files];
  for (;;) {
    try {
      return { value: await attempt(remaining), unreadable };
    } catch (e) {
      const bad = blame(e, remaining);
      if (!bad) throw e;
      unreadable.push({ key: bad.key, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
      remaining = remaining.filter((f) => f !== bad);
    }
  }
}
