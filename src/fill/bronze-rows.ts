import type { ColumnSpec, ColumnType } from '../parquet/write.js';

/** The pipeline's type hints that win over inference: ids are int64, season/year/week int32. */
const HINTS: Record<string, ColumnType> = {
  id: 'INT64',
  gameId: 'INT64',
  playerId: 'INT64',
  teamId: 'INT64',
  homeTeamId: 'INT64',
  awayTeamId: 'INT64',
  season: 'INT32',
  year: 'INT32',
  week: 'INT32',
  date: 'STRING',
};

/**
 * Bronze is the API answer as received: one column per field (the sorted union of every record's keys), nested
 * values as JSON text. Types follow the pipeline's hints, then the values: the pipeline looks only at the first
 * non-null value, so a field that is `3` in one record and `3.5` in the next loses data there; here all values
 * are looked at (integers everywhere → INT64, any fraction → DOUBLE, mixed kinds → STRING).
 */
export function toBronze(records: readonly Record<string, unknown>[]): {
  columns: ColumnSpec[];
  rows: Record<string, unknown>[];
} {
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const columns = names.map((name) => ({
    name,
    type: HINTS[name] ?? inferType(records.map((r) => r[name])),
  }));
  const rows = records.map((r) => {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      const v = r[c.name];
      row[c.name] =
        v !== null && typeof v === 'object'
          ? JSON.stringify(v)
          : c.type === 'STRING' && v !== null && v !== undefined && typeof v !== 'string'
            ? String(v)
            : v;
    }
    return row;
  });
  return { columns, rows };
}

function inferType(values: readonly unknown[]): ColumnType {
  let kind: ColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t: ColumnType =
      typeof v === 'boolean'
        ? 'BOOLEAN'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? 'INT64'
            : 'DOUBLE'
          : 'STRING';
    if (kind === undefined) kind = t;
    else if (kind !== t) {
      if ((kind === 'INT64' && t === 'DOUBLE') || (kind === 'DOUBLE' && t === 'INT64')) kind = 'DOUBLE';
      else return 'STRING';
    }
  }
  return kind ?? 'STRING';
}
