import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { GlueColumn, GluePartition, GlueTable } from '../../src/catalog/glue-shapes.js';
import {
  admits,
  AthenaQueryError,
  identName,
  lineCol,
  selectStars,
  tableRefs,
  tokenize,
  type Domain,
  type TableRef,
} from './athena-sql.js';
import type { FakeGlue } from './glue.js';

/**
 * How the fake Athena turns a statement into DuckDB SQL over the files Athena would read: each `"db"."table"`
 * becomes a subquery over `read_parquet([...])` of the files under the table's location (unpartitioned) or under
 * its REGISTERED partitions' locations, with the Glue columns, the partition keys and the hidden `"$path"`.
 */

/** One file Athena reads: where it is locally, its s3:// URI (`"$path"`), its size and its partition values. */
export interface ScanFile {
  local: string;
  s3: string;
  size: number;
  values: string[];
}

export interface Translation {
  sql: string;
  /** The files read, by local path, to name a failing one by its s3:// URI. */
  files: Map<string, ScanFile>;
  scannedBytes: number;
}

export interface TranslateContext {
  database: string | undefined;
  glue: FakeGlue;
  resolve: (s3uri: string) => string | undefined;
  conn: DuckDBConnection;
}

/** DuckDB functions Athena (Trino) does not have: a statement using one fails as it would on Athena. */
const NOT_IN_ATHENA = new Set([
  'read_parquet',
  'parquet_scan',
  'read_csv',
  'read_json',
  'json_extract_string',
  'strftime',
  'list_value',
  'struct_pack',
]);

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function translate(sql: string, ctx: TranslateContext): Promise<Translation> {
  const tokens = tokenize(sql);
  tokens.forEach((t, i) => {
    const next = tokens.slice(i + 1).find((n) => n.kind !== 'space');
    if (t.kind === 'word' && next?.text === '(' && NOT_IN_ATHENA.has(t.text.toLowerCase())) {
      throw new AthenaQueryError(
        `FUNCTION_NOT_FOUND: ${lineCol(sql, t.start)}: Function '${t.text.toLowerCase()}' not registered`,
      );
    }
  });
  const ctes = new Set(
    tokens
      .map((t, i) => ({ t, rest: tokens.slice(i + 1).filter((n) => n.kind !== 'space') }))
      .filter(
        ({ t, rest }) =>
          (t.kind === 'word' || t.kind === 'quoted') &&
          /^as$/i.test(rest[0]?.text ?? '') &&
          rest[1]?.text === '(',
      )
      .map(({ t }) => identName(t)),
  );
  const files = new Map<string, ScanFile>();
  const edits = new Map<number, { last: number; text: string }>();
  // Trino's regexp_replace replaces every match and writes groups as $1; DuckDB's replaces the first unless 'g'.
  tokens.forEach((t, i) => {
    const next = tokens.slice(i + 1).find((n) => n.kind !== 'space');
    if (t.kind === 'word' && t.text.toLowerCase() === 'regexp_replace' && next?.text === '(')
      edits.set(i, { last: i, text: 'trino_regexp_replace' });
  });
  for (const ref of tableRefs(tokens)) {
    if (ref.parts.length === 1 && ctes.has(ref.parts[0]!)) continue;
    const { database, table } = lookUp(sql, tokens[ref.first]!.start, ref, ctx);
    const scan = await filesOf(table, ctx.glue.partitions(database, table.Name), ref.domains, ctx.resolve);
    for (const f of scan) files.set(f.local, f);
    const columns = await fileColumns(table, scan, ctx.conn);
    const alias = ref.hasAlias ? '' : ` AS ${q(table.Name)}`;
    edits.set(ref.first, { last: ref.last, text: `${sourceSql(table, scan, columns)}${alias}` });
    // `SELECT *` never includes hidden columns such as "$path".
    for (const star of selectStars(tokens, ref.select))
      edits.set(star, { last: star, text: '* EXCLUDE ("$path")' });
  }
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const edit = edits.get(i);
    out += edit ? edit.text : tokens[i]!.text;
    if (edit) i = edit.last;
  }
  const scannedBytes = [...new Map([...files.values()].map((f) => [f.local, f.size])).values()].reduce(
    (a, b) => a + b,
    0,
  );
  return { sql: out, files, scannedBytes };
}

/** Resolves `db.table`, `table` (the execution context's database) or `awsdatacatalog.db.table` through Glue. */
function lookUp(sql: string, at: number, ref: TableRef, ctx: TranslateContext) {
  const [name, db = ctx.database, catalog = 'awsdatacatalog'] = [...ref.parts].reverse();
  if (db === undefined)
    throw new AthenaQueryError(
      `SCHEMA_NOT_FOUND: ${lineCol(sql, at)}: Schema must be specified when session schema is not set`,
    );
  const table = catalog === 'awsdatacatalog' ? ctx.glue.table(db, name!) : undefined;
  if (!table) {
    if (!ctx.glue.tables().some((t) => t.database === db.toLowerCase())) {
      throw new AthenaQueryError(`SCHEMA_NOT_FOUND: ${lineCol(sql, at)}: Schema '${db}' does not exist`);
    }
    throw new AthenaQueryError(
      `TABLE_NOT_FOUND: ${lineCol(sql, at)}: Table '${catalog}.${db}.${name}' does not exist`,
    );
  }
  return { database: db, table };
}

/**
 * The files a query of the table reads. Partitioned: only registered partitions (Athena never looks at a
 * prefix no partition points to), pruned by the WHERE on partition keys. Every file under a location is read,
 * in subdirectories too ("Athena reads all files in an Amazon S3 location … and cannot ignore any files included
 * in the prefix"), except hidden ones: a name starting with `_` or `.` (Trino's HiveFileIterator). Files whose
 * `"$path"` the WHERE excludes are dropped before they are opened (Trino's `pathMatchesPredicate`).
 */
async function filesOf(
  table: GlueTable,
  partitions: readonly GluePartition[],
  domains: Map<string, Domain>,
  resolve: TranslateContext['resolve'],
): Promise<ScanFile[]> {
  const keys = table.PartitionKeys ?? [];
  const tableLocation = table.StorageDescriptor?.Location ?? '';
  const sources =
    keys.length === 0
      ? [{ location: tableLocation, values: [] as string[] }]
      : partitions
          .filter((p) => keys.every((k, i) => admits(domains.get(k.Name.toLowerCase()), p.Values[i] ?? '')))
          .map((p) => ({
            location:
              p.StorageDescriptor?.Location ??
              `${withSlash(tableLocation)}${keys.map((k, i) => `${k.Name}=${p.Values[i]}`).join('/')}/`,
            values: p.Values,
          }));
  const out: ScanFile[] = [];
  for (const { location, values } of sources) {
    const root = resolve(withSlash(location));
    if (root === undefined) {
      throw new AthenaQueryError(
        `GENERIC_INTERNAL_ERROR: the fake Athena cannot map ${location} to a local path`,
      );
    }
    for (const rel of await walk(root)) {
      const s3 = `${withSlash(location)}${rel}`;
      if (!admits(domains.get('$path'), s3)) continue;
      const local = path.join(root, ...rel.split('/'));
      out.push({ local, s3, size: (await stat(local)).size, values });
    }
  }
  return out;
}

/** Relative paths of the visible files under `dir`, at any depth, in key order; none when it does not exist. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * The files' columns (lower-case name → the file's spelling), after checking each file against the table's
 * types as Athena does: a Parquet column whose type the Glue type cannot read fails the query with HIVE_BAD_DATA.
 * (Stricter than Athena, which checks only the columns a statement reads.)
 */
async function fileColumns(
  table: GlueTable,
  files: readonly ScanFile[],
  conn: DuckDBConnection,
): Promise<Map<string, string>> {
  const columns = new Map<string, string>();
  const locals = [...new Set(files.map((f) => f.local))];
  if (locals.length === 0) return columns;
  let rows: Record<string, unknown>[];
  try {
    const reader = await conn.runAndReadAll(
      `SELECT file_name, name, type FROM parquet_schema([${locals.map(lit).join(', ')}]) WHERE num_children IS NULL`,
    );
    rows = reader.getRowObjectsJson();
  } catch (e) {
    throw (await fileError(e, new Map(files.map((f) => [f.local, f])))) ?? e;
  }
  const glueTypes = new Map((table.StorageDescriptor?.Columns ?? []).map((c) => [c.Name.toLowerCase(), c]));
  for (const row of rows) {
    const name = String(row.name);
    columns.set(name.toLowerCase(), columns.get(name.toLowerCase()) ?? name);
    const column = glueTypes.get(name.toLowerCase());
    if (column && !readable(column.Type, String(row.type))) {
      const file = files.find((f) => f.local === row.file_name)!;
      throw new AthenaQueryError(
        `HIVE_BAD_DATA: Malformed Parquet file. Field ${column.Name}'s type ${String(row.type)} in parquet file ` +
          `${file.s3} is incompatible with type ${athenaType(column.Type)} defined in table schema`,
      );
    }
  }
  return columns;
}

/** Which Parquet physical types a Glue type reads (the Hive connector widens INT32 to bigint, FLOAT to double). */
function readable(glueType: string, physical: string): boolean {
  const t = glueType.toLowerCase();
  if (t === 'string' || t.startsWith('varchar') || t.startsWith('char'))
    return physical.endsWith('BYTE_ARRAY');
  if (t === 'bigint') return physical === 'INT64' || physical === 'INT32';
  if (t === 'int' || t === 'integer' || t === 'smallint' || t === 'tinyint') return physical === 'INT32';
  if (t === 'double') return physical === 'DOUBLE' || physical === 'FLOAT';
  if (t === 'float') return physical === 'FLOAT';
  if (t === 'boolean') return physical === 'BOOLEAN';
  return true;
}

const athenaType = (glueType: string) =>
  ({ string: 'varchar', int: 'integer', float: 'real' })[glueType.toLowerCase()] ?? glueType.toLowerCase();

/** The DuckDB type a Glue column type reads as; undefined leaves the value as the file has it. */
function duckType(glueType: string): string | undefined {
  const t = glueType.toLowerCase();
  const simple: Record<string, string> = {
    string: 'VARCHAR',
    bigint: 'BIGINT',
    int: 'INTEGER',
    integer: 'INTEGER',
    smallint: 'SMALLINT',
    tinyint: 'TINYINT',
    double: 'DOUBLE',
    float: 'FLOAT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
  };
  if (simple[t]) return simple[t];
  if (t.startsWith('varchar') || t.startsWith('char')) return 'VARCHAR';
  if (/^decimal\(\d+,\s*\d+\)$/.test(t)) return t.toUpperCase();
  return undefined;
}

/**
 * The table as a subquery: Glue columns typed by Glue (NULL where a file lacks one), partition keys from the
 * partition's `Values` (shadowing a file column of the same name, as Hive does), and `"$path"`.
 */
function sourceSql(table: GlueTable, files: readonly ScanFile[], fileCols: Map<string, string>): string {
  const keys = table.PartitionKeys ?? [];
  const keyNames = new Set(keys.map((k) => k.Name.toLowerCase()));
  const data = (table.StorageDescriptor?.Columns ?? []).filter((c) => !keyNames.has(c.Name.toLowerCase()));
  const typed = (expr: string, c: GlueColumn) => {
    const t = duckType(c.Type);
    return `${t ? `CAST(${expr} AS ${t})` : expr} AS ${q(c.Name)}`;
  };
  if (files.length === 0) {
    const cols = [...data, ...keys].map((c) => typed('NULL', c));
    return `(SELECT ${[...cols, `CAST(NULL AS VARCHAR) AS "$path"`].join(', ')} WHERE false)`;
  }
  const cols = [
    ...data.map((c) => {
      const inFile = fileCols.get(c.Name.toLowerCase());
      return typed(inFile ? `__t.${q(inFile)}` : 'NULL', c);
    }),
    ...keys.map((k, i) => typed(`__p.k${i}`, k)),
    '__p."$path" AS "$path"',
  ];
  const locals = [...new Set(files.map((f) => f.local))];
  const rows = files.map((f) => `(${[f.local, f.s3, ...f.values].map(lit).join(', ')})`);
  return (
    `(SELECT ${cols.join(', ')} FROM read_parquet([${locals.map(lit).join(', ')}], union_by_name = true, ` +
    `filename = '__athena_file', hive_partitioning = false) AS __t JOIN (VALUES ${rows.join(', ')}) AS ` +
    `__p(__athena_file, "$path"${keys.map((_k, i) => `, k${i}`).join('')}) ON __t.__athena_file = __p.__athena_file)`
  );
}

/**
 * A DuckDB failure that names one of the files, in Athena's words. A file that is not Parquet at all (no `PAR1`
 * at its end) is HIVE_BAD_DATA, as Trino's ParquetCorruptionException; any other failure to open one is
 * HIVE_CANNOT_OPEN_SPLIT with the split's path, offset and length.
 */
export async function fileError(
  e: unknown,
  files: Map<string, ScanFile>,
): Promise<AthenaQueryError | undefined> {
  const message = e instanceof Error ? e.message : String(e);
  const file = [...files.values()].find((f) => message.includes(`'${f.local}'`) || message.includes(f.local));
  if (!file) return undefined;
  if (/magic bytes|too small to be a Parquet file/i.test(message)) {
    return new AthenaQueryError(
      `HIVE_BAD_DATA: Malformed Parquet file. Expected magic number: PAR1 got: ${await tail(file.local)} [${file.s3}]`,
    );
  }
  const first = message.split('\n')[0]!.split(file.local).join(file.s3);
  return new AthenaQueryError(
    `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${file.s3} (offset=0, length=${file.size}): ${first}`,
  );
}

/** The last four bytes of a file as Trino prints them (where `PAR1` should be). */
async function tail(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(Math.min(4, size));
    await handle.read(buf, 0, buf.length, size - buf.length);
    return buf.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
  } finally {
    await handle.close();
  }
}

function withSlash(location: string): string {
  return location.endsWith('/') ? location : `${location}/`;
}
