import path from 'node:path';
import type * as DuckDbModule from '@duckdb/node-api';
import type { LakeFile } from '../lake/lake-file.js';
import { sqlNestedField, type NestedFieldSql } from './nested-field.js';
import { emptyFacts, type QueryEngine } from './query-engine.js';
import {
  quoteIdentifier,
  sqlLiteral,
  sqlTableFacts,
  withoutUnreadable,
  type SqlDialect,
} from './sql-facts.js';

type DuckDbApi = typeof DuckDbModule;

/** Trino's json_extract_scalar in DuckDB (whose json_extract_string fails on text that is not JSON). */
const DUCKDB_NESTED: NestedFieldSql = {
  jsonScalar: (json, at) =>
    `CASE WHEN json_valid(${json}) AND json_type(${json}, ${at}) NOT IN ('OBJECT', 'ARRAY') ` +
    `THEN json_extract_string(${json}, ${at}) END`,
  replaceWord: (expr, word, replacement) =>
    `regexp_replace(${expr}, ${sqlLiteral(`\\b${word}\\b`)}, ${sqlLiteral(replacement)}, 'g')`,
};

/**
 * SQL over a file lake with embedded DuckDB (`@duckdb/node-api`, loaded only when this engine is chosen).
 * Files are passed as an explicit list with `hive_partitioning = false`: DuckDB's hive partitioning refuses a
 * table whose files mix `season=/date=` and `season=/asof=`, so seasons come from the paths we parsed instead.
 */
export async function createDuckDbEngine(root: string): Promise<QueryEngine> {
  // webpackIgnore keeps this a runtime import in the ncc bundles: webpack would otherwise hoist the external into
  // a static top-level import, and the action (which has no node_modules) would fail to start.
  const { DuckDBInstance } = (await import(/* webpackIgnore: true */ '@duckdb/node-api')) as DuckDbApi;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const abs = (f: LakeFile) => path.join(root, ...f.key.split('/'));
  const dialect: SqlDialect = {
    source: (files) =>
      `read_parquet([${files.map((f) => sqlLiteral(abs(f))).join(', ')}], union_by_name = true, filename = true, ` +
      'file_row_number = true, hive_partitioning = false)',
    path: 'filename',
    rowOrder: 'filename, file_row_number',
    // Nested values held as JSON or Python repr text, read as every engine reads them (nested-field.ts).
    jsonField: (column, field) => sqlNestedField(quoteIdentifier(column), field.split('.'), DUCKDB_NESTED),
    quote: quoteIdentifier,
  };
  const run = async (sql: string) => {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson().map((row) => {
      const out: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(row)) out[k] = v === null ? null : String(v);
      return out;
    });
  };
  const keyOf = (p: string) => path.relative(root, p).split(path.sep).join('/');

  return {
    name: 'duckdb',
    async tableFacts(request) {
      if (request.files.length === 0) return emptyFacts();
      const { value, unreadable } = await withoutUnreadable(
        request.files,
        async (files) => {
          if (files.length === 0) return sqlTableFacts(request, files, [], dialect, run, keyOf);
          const described = await run(`DESCRIBE SELECT * FROM ${dialect.source(files)}`);
          const columns = described
            .map((r) => r.column_name!)
            .filter((c) => c !== 'filename' && c !== 'file_row_number');
          return sqlTableFacts(request, files, columns, dialect, run, keyOf);
        },
        (e, files) => {
          const message = e instanceof Error ? e.message : String(e);
          return files.find((f) => message.includes(abs(f)));
        },
      );
      value.unreadable = unreadable;
      return value;
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
