import { parquetWriteBuffer } from 'hyparquet-writer';

/** The column types the lake uses; silver follows the pipeline's pyarrow types, bronze keeps nested values as JSON text. */
export type ColumnType = 'INT64' | 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'STRING';

/** One column of a table: its name and type. Every column is nullable, as pyarrow writes them. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/**
 * Writes rows as a Parquet file (snappy, statistics on) and returns its bytes. A value that does not fit its
 * column's type is written as null rather than failing the whole file (`coerce` says how).
 */
export function writeParquet(
  columns: readonly ColumnSpec[],
  rows: readonly Record<string, unknown>[],
): Uint8Array {
  if (columns.length === 0) throw new Error('writeParquet: a table needs at least one column');
  const columnData = columns.map((c) => ({
    name: c.name,
    type: c.type,
    data: rows.map((r) => coerce(r[c.name], c.type)),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, codec: 'SNAPPY', rowGroupSize: 100_000 }));
}

/** Turns a JSON value into the column's type: numbers stay numbers, objects become JSON text in STRING columns. */
export function coerce(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'INT64': {
      // hyparquet-writer's PLAIN encoder takes INT64 values as bigint only.
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) ? BigInt(n) : typeof n === 'bigint' ? n : null;
    }
    case 'INT32': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n : null;
    }
    case 'DOUBLE': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : null;
    }
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : null;
    case 'STRING':
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'string'
        ? value
        : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  }
}
