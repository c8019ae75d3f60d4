import { glueReads, glueTypeName } from '../catalog/glue-types.js';
import { TABLE_SIGNATURES } from '../config/pipeline-tables.js';
import { SCHEMA_SAMPLE, type SchemaGroup } from '../engine/query-engine.js';
import { fmt } from '../util/format.js';
import { gapKey, type ColumnDrift, type Gap } from './types.js';

/**
 * The schema check, from the footers the scan engine read: a column whose files disagree on its Parquet type,
 * a file whose type the catalog's declared type cannot read (Athena fails the query: HIVE_BAD_DATA), and files
 * that hold another per-game table's columns. One `schema_drift` gap per table, naming each column's types
 * with their file counts and up to 20 files of the odd ones out; undefined when the table's files agree.
 */
export function schemaDriftGap(
  table: string,
  groups: readonly SchemaGroup[],
  declared: readonly { Name: string; Type: string }[] = [],
): Gap | undefined {
  const declaredType = new Map(declared.map((c) => [c.Name.toLowerCase(), c.Type]));
  const odd: SchemaGroup[] = [];
  const columns: ColumnDrift[] = [];
  for (const [column, byType] of typesByColumn(groups)) {
    const glue = declaredType.get(column.toLowerCase());
    const unreadable =
      glue === undefined ? [] : [...byType.keys()].filter((t) => glueReads(glue, t) === false);
    if (byType.size < 2 && unreadable.length === 0) continue;
    const types = [...byType]
      .map(([type, gs]) => ({ type, files: gs.reduce((n, g) => n + g.files, 0) }))
      .sort((a, b) => b.files - a.files || (a.type < b.type ? -1 : 1));
    // The files to name: those the catalog cannot read, else those of every type but the most common one.
    const flagged = unreadable.length > 0 ? unreadable : types.slice(1).map((t) => t.type);
    odd.push(...flagged.flatMap((t) => byType.get(t) ?? []));
    columns.push({ column, types, ...(glue === undefined ? {} : { declared: glueTypeName(glue) }) });
  }
  const foreign = foreignGroups(table, groups);
  odd.push(...foreign.flatMap((f) => f.groups));
  if (columns.length === 0 && foreign.length === 0) return undefined;

  // Rarest first, so the sample shows the odd files out before the many of a type the catalog refuses.
  const unique = [...new Set(odd)].sort((a, b) => a.files - b.files);
  const files = unique.reduce((n, g) => n + g.files, 0);
  const shapes = foreign.map((f) => ({ table: f.table, files: f.groups.reduce((n, g) => n + g.files, 0) }));
  return {
    key: gapKey('schema_drift', table),
    kind: 'schema_drift',
    table,
    count: files,
    ids: [],
    files: unique.flatMap((g) => g.sample).slice(0, SCHEMA_SAMPLE),
    ...(columns.length > 0 ? { columns } : {}),
    ...(shapes.length > 0 ? { foreign: shapes } : {}),
    detail: [...columns.map(describeColumn), ...shapes.map((f) => describeForeign(table, f))].join('; '),
  };
}

/** Column → Parquet type → the groups whose files have the column with that type. */
function typesByColumn(groups: readonly SchemaGroup[]): Map<string, Map<string, SchemaGroup[]>> {
  const out = new Map<string, Map<string, SchemaGroup[]>>();
  for (const g of groups) {
    for (const [column, type] of g.columns) {
      let byType = out.get(column);
      if (!byType) out.set(column, (byType = new Map()));
      byType.set(type, [...(byType.get(type) ?? []), g]);
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Groups lacking the table's own signature columns and having all of another per-game table's. */
function foreignGroups(
  table: string,
  groups: readonly SchemaGroup[],
): { table: string; groups: SchemaGroup[] }[] {
  const own = TABLE_SIGNATURES[table];
  if (!own) return [];
  const found = new Map<string, SchemaGroup[]>();
  for (const g of groups) {
    const names = new Set(g.columns.map(([c]) => c.toLowerCase()));
    const has = (cols: readonly string[]) => cols.every((c) => names.has(c.toLowerCase()));
    if (has(own)) continue;
    const other = Object.entries(TABLE_SIGNATURES).find(([t, cols]) => t !== table && has(cols))?.[0];
    if (other) found.set(other, [...(found.get(other) ?? []), g]);
  }
  return [...found].map(([t, gs]) => ({ table: t, groups: gs }));
}

function describeColumn(c: ColumnDrift): string {
  const types = c.types.map((t) => `${t.type} in ${fmt(t.files)} file${t.files === 1 ? '' : 's'}`).join(', ');
  if (c.declared === undefined) return `${c.column}: ${types}`;
  const unreadable = c.types.filter((t) => glueReads(c.declared!, t.type) === false).map((t) => t.type);
  return unreadable.length > 0
    ? `${c.column}: ${types}; the catalog declares ${c.declared}, which Athena cannot read from ${unreadable.join(', ')}`
    : `${c.column}: ${types} (the catalog declares ${c.declared})`;
}

function describeForeign(table: string, f: { table: string; files: number }): string {
  const why =
    f.table === 'fct_plays' ? " (the pipeline's gap_fill.py fetches /plays/game for any endpoint)" : '';
  return `${fmt(f.files)} file${f.files === 1 ? ' has' : 's have'} the columns of ${f.table}, not of ${table}${why}`;
}
