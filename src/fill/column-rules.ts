/**
 * The one place that decides the type and the text of every column the fill writes, bronze and silver, as the
 * pipeline's `normalize_records` does: columns are the sorted union of the records' fields; a column's type is
 * the one the catalog declares for it, else the pipeline's type hint, else the type of its first non-null value;
 * a string column holds Python's `str(value)`, so nested values read as the pipeline's `repr` text. Where the
 * pipeline loses data the bot does not: an integer column that meets a fraction becomes DOUBLE (the pipeline
 * truncates to int), and any other value its inferred type cannot hold makes the column a string column (the
 * pipeline writes null). A declared or hinted type is never changed: a value it cannot hold is a schema conflict.
 */

import type { Catalog } from '../catalog/catalog.js';
import { columnTypeForGlue, glueTypeName } from '../catalog/glue-types.js';
import { ENDPOINT_TABLES } from '../config/pipeline-tables.js';
import { comparePythonStrings, isPythonInt, pythonRepr, pythonStr } from '../layout/python-json.js';
import type { ColumnSpec, ColumnType } from '../parquet/write.js';
import { errorMessage, RunFailedError } from '../util/errors.js';
import { typeHints } from './type-hints.js';

/** What decides a table's column types besides its records. */
export interface TableRules {
  /** `database.table`, for messages. */
  name: string;
  /** The pipeline's hints (`typeHints`). */
  hints: Readonly<Record<string, ColumnType>>;
  /** Glue types the catalog declares, by lower-cased column name; empty without a catalog entry. */
  declared: ReadonlyMap<string, string>;
}

/** Rows ready for `writeParquet`: every value null or of its column's type (strings hold the Python text). */
export interface NormalizedTable {
  columns: ColumnSpec[];
  rows: Record<string, unknown>[];
}

/** A value the declared (or hinted) type of its column cannot hold: the game is failed, nothing written. */
export class SchemaConflictError extends Error {
  override name = 'SchemaConflictError';
}

/** The rules of a table: its layer's hints and the columns its catalog entry declares. */
export function tableRules(
  layer: 'bronze' | 'silver',
  database: string,
  table: string,
  declaredColumns: readonly { Name: string; Type: string }[] = [],
): TableRules {
  return {
    name: `${database}.${table}`,
    hints: typeHints(layer, table),
    declared: new Map(declaredColumns.map((c) => [c.Name.toLowerCase(), c.Type])),
  };
}

/** The column rules of the two Parquet tables an endpoint's fill writes. */
export interface LayerRules {
  bronze: TableRules;
  silver: TableRules;
}

/**
 * Reads the catalog entries of an endpoint's bronze table (named after the endpoint) and silver table once, for
 * the whole fill. A catalog that cannot be read stops the fill before its first call: writing without knowing
 * the declared types could leave files Athena cannot read.
 */
export async function loadLayerRules(
  catalog: Catalog,
  databases: { bronze: string; silver: string },
  endpoint: string,
): Promise<LayerRules> {
  const silver = ENDPOINT_TABLES[endpoint] ?? endpoint;
  const read = async (database: string, table: string) => {
    try {
      return (await catalog.getTable(database, table))?.columns;
    } catch (e) {
      throw new RunFailedError(
        `the ${catalog.kind === 'glue' ? 'Glue' : 'local'} catalog could not be read for the column types of ${database}.${table} (${errorMessage(e)}); nothing was fetched`,
        { cause: e },
      );
    }
  };
  return {
    bronze: tableRules('bronze', databases.bronze, endpoint, await read(databases.bronze, endpoint)),
    silver: tableRules('silver', databases.silver, silver, await read(databases.silver, silver)),
  };
}

/** Decides each column's type and converts every value; throws `SchemaConflictError`. */
export function normalizeRecords(
  records: readonly Record<string, unknown>[],
  rules: TableRules,
): NormalizedTable {
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))].sort(comparePythonStrings);
  const columns = names.map((name) => ({ name, type: columnType(name, records, rules) }));
  const rows = records.map((record) => {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      const v = fit(record[c.name], c.type);
      if (v === MISFIT) throw conflict(rules, c, record[c.name]);
      row[c.name] = v;
    }
    return row;
  });
  return { columns, rows };
}

function columnType(
  name: string,
  records: readonly Record<string, unknown>[],
  rules: TableRules,
): ColumnType {
  const declared = rules.declared.get(name.toLowerCase());
  if (declared !== undefined) {
    const type = columnTypeForGlue(declared);
    if (type) return type;
    throw new SchemaConflictError(
      `schema_conflict: ${rules.name}.${name} is declared ${glueTypeName(declared)} in the catalog, a type the bot does not write`,
    );
  }
  return rules.hints[name] ?? inferType(records.map((r) => r[name]));
}

/** The pipeline's `_infer_type` of the first non-null value, widened where later values would be lost. */
export function inferType(values: readonly unknown[]): ColumnType {
  let type: ColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (type === undefined) {
      type =
        typeof v === 'boolean'
          ? 'BOOLEAN'
          : typeof v === 'number'
            ? isPythonInt(v)
              ? 'INT64'
              : 'DOUBLE'
            : 'STRING';
      continue;
    }
    // The pipeline would write int(200.5) = 200 here.
    if (type === 'INT64' && typeof v === 'number' && !isPythonInt(v)) type = 'DOUBLE';
    else if (fit(v, type) === MISFIT) return 'STRING';
  }
  return type ?? 'STRING';
}

const MISFIT = Symbol('misfit');

/**
 * A value as its column's type holds it, or MISFIT when that would lose something: integers must be whole and
 * in range (text such as `"12"` is read as Python's `int()` would), doubles finite, booleans `true`/`false`.
 * Anything fits a string column, as Python's `str(value)`.
 */
function fit(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'STRING':
      return pythonStr(value);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === 'true';
      return MISFIT;
    case 'DOUBLE': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : MISFIT;
    }
    case 'INT64':
    case 'INT32': {
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      const limit = type === 'INT32' ? 2 ** 31 : Number.MAX_SAFE_INTEGER + 1;
      return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < limit ? n : MISFIT;
    }
  }
}

function conflict(rules: TableRules, column: ColumnSpec, value: unknown): SchemaConflictError {
  const declared = rules.declared.get(column.name.toLowerCase());
  const source =
    declared !== undefined
      ? `declared ${glueTypeName(declared)} in the catalog`
      : `${column.type} by the pipeline's type hint`;
  const shown = pythonRepr(value);
  return new SchemaConflictError(
    `schema_conflict: ${rules.name}.${column.name} is ${source} and cannot hold ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} without loss`,
  );
}
