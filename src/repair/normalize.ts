import type { FileMetaData } from 'hyparquet';
import type { LakeFile } from '../lake/lake-file.js';
import type { ObjectStore } from '../lake/object-store.js';
import { paramsHash8 } from '../layout/hash.js';
import { keyColumns, resolveColumn, rowKey } from '../layout/row-key.js';
import { columnNames, readColumns, readFooter } from '../parquet/read.js';
import { writeParquet, type ColumnSpec, type ColumnType } from '../parquet/write.js';

/** What normalizing one `season=/asof=` file did. */
export interface NormalizedFile {
  table: string;
  source: string;
  rows: number;
  copied: number;
  alreadyPresent: number;
  written: string[];
  error?: string;
}

/** The columns that carry a row's game date, in the order they are tried. */
const DATE_COLUMNS = ['date', 'startDate', 'gameStartDate'];

/**
 * Copies the rows of a `season=S/asof=D` file into the canonical `season=S/date=<game date>` partitions of its
 * table, only the rows whose key is not already there. Copies are create-only with names derived from the
 * source, so a second run finds them and writes nothing; the original is never touched here.
 */
export async function normalizeFile(
  store: ObjectStore,
  table: string,
  file: LakeFile,
  key: readonly string[],
  siblings: readonly LakeFile[],
): Promise<NormalizedFile> {
  const out: NormalizedFile = { table, source: file.key, rows: 0, copied: 0, alreadyPresent: 0, written: [] };
  try {
    const metadata = await readFooter(store, file);
    const columns = columnNames(metadata);
    const rows = await readAllRows(store, file, metadata, columns);
    out.rows = rows.length;
    const dateColumn = DATE_COLUMNS.map((c) => resolveColumn(columns, c)).find((c) => c !== undefined);
    if (!dateColumn) throw new Error(`no date column (${DATE_COLUMNS.join(', ')}) to place its rows by`);
    const byDate = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const date = String(row[dateColumn] ?? '').slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new Error(`a row has no game date in ${dateColumn} (${JSON.stringify(row[dateColumn])})`);
      byDate.set(date, [...(byDate.get(date) ?? []), row]);
    }
    const spec = columnSpecs(metadata, columns);
    for (const [date, dayRows] of [...byDate].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const target = copyKey(file, date);
      const prefix = target.slice(0, target.lastIndexOf('/') + 1);
      const present = await keysIn(
        store,
        siblings.filter((s) => s.key.startsWith(prefix)),
        key,
      );
      const fresh = dayRows.filter((r) => {
        const k = rowKey(r, key, columns);
        if (present.has(k)) return false;
        present.add(k);
        return true;
      });
      out.alreadyPresent += dayRows.length - fresh.length;
      if (fresh.length === 0) continue;
      await store.putIfAbsent(target, writeParquet(spec, fresh));
      out.copied += fresh.length;
      out.written.push(target);
    }
  } catch (e) {
    out.error = e instanceof Error ? e.message : String(e);
  }
  return out;
}

/** Where the rows of `file` for one game date are copied: a name derived from the source, so re-runs find it. */
export function copyKey(file: LakeFile, date: string): string {
  const table = file.key.slice(0, file.key.indexOf('/season='));
  return `${table}/season=${file.season}/date=${date}/part-${paramsHash8({ normalized_from: file.key, date })}.parquet`;
}

/**
 * The copies `normalizeFile` will write for a file, as lake files, from its date column alone: the plan counts
 * the partitions they add before anything is written. Empty when the file has no readable game dates (the
 * normalize then fails for it and writes nothing).
 */
export async function plannedCopies(store: ObjectStore, file: LakeFile): Promise<LakeFile[]> {
  try {
    const metadata = await readFooter(store, file);
    const dateColumn = DATE_COLUMNS.map((c) => resolveColumn(columnNames(metadata), c)).find(
      (c) => c !== undefined,
    );
    if (!dateColumn) return [];
    const values = (await readColumns(store, file, metadata, [dateColumn])).get(dateColumn) ?? [];
    const dates = new Set(values.map((v) => String(v ?? '').slice(0, 10)));
    if ([...dates].some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d))) return [];
    return [...dates].sort().map((date) => ({
      key: copyKey(file, date),
      size: 0,
      table: file.table,
      partitions: [
        { name: 'season', value: String(file.season) },
        { name: 'date', value: date },
      ],
      shape: 'season/date',
      season: file.season,
    }));
  } catch {
    return [];
  }
}

/** The keys present in some files (all rows), for "copy only what is missing" and for read-back checks. */
export async function keysIn(
  store: ObjectStore,
  files: readonly LakeFile[],
  key: readonly string[],
): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const f of files) {
    const metadata = await readFooter(store, f);
    const columns = columnNames(metadata);
    const needed = keyColumns(columns, key);
    if (!needed) continue;
    const values = await readColumns(store, f, metadata, needed);
    const n = Number(metadata.num_rows);
    for (let i = 0; i < n; i++) {
      const row: Record<string, unknown> = {};
      for (const c of needed) row[c] = values.get(c)?.[i];
      keys.add(rowKey(row, key, needed));
    }
  }
  return keys;
}

async function readAllRows(
  store: ObjectStore,
  file: LakeFile,
  metadata: FileMetaData,
  columns: string[],
): Promise<Record<string, unknown>[]> {
  const values = await readColumns(store, file, metadata, columns);
  return Array.from({ length: Number(metadata.num_rows) }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c] = values.get(c)?.[i] ?? null;
    return row;
  });
}

/** The source file's column types, so the copy keeps them (anything exotic is written as text). */
function columnSpecs(metadata: FileMetaData, columns: readonly string[]): ColumnSpec[] {
  return columns.map((name) => {
    const element = metadata.schema.find((e) => e.name === name);
    const type: ColumnType =
      element?.type === 'INT64' && !element.converted_type && !element.logical_type
        ? 'INT64'
        : element?.type === 'INT32' && !element.converted_type && !element.logical_type
          ? 'INT32'
          : element?.type === 'DOUBLE' || element?.type === 'FLOAT'
            ? 'DOUBLE'
            : element?.type === 'BOOLEAN'
              ? 'BOOLEAN'
              : 'STRING';
    return { name, type };
  });
}
