import type { LakeFile } from '../lake/lake-file.js';

/** Seasons key the facts' maps; rows without a season are counted under this sentinel and reported with the table. */
export const NO_SEASON = -1;

/** What the audit asks of an engine about one table. */
export interface TableRequest {
  table: string;
  /** The table's Parquet files, in key order. */
  files: LakeFile[];
  /** Columns identifying a row (dotted names reach into JSON text); duplicates are counted on them. */
  key: string[] | undefined;
  /** A column whose distinct values per season the audit needs (`gameId` of fct_games and its children). */
  idColumn: string | undefined;
  /** Called after each file is read, by engines that read file by file (scan), for progress. */
  onRead?: () => void;
}

/** An engine's answer about one table. Seasons come from the `season=` partition, else a `season` column. */
export interface TableFacts {
  /**
   * Data columns, without the names of the table's partition keys (`season`, `date`, `asof`): what a Glue table
   * lists as its columns, so every engine reports the same set whether or not the files also carry them.
   */
  columns: string[];
  /** Readable rows per season; rows with no season (dimensions) are in `unseasonedRows`. */
  rowsBySeason: Map<number, number>;
  filesBySeason: Map<number, number>;
  unseasonedRows: number;
  readableFiles: number;
  unreadable: { key: string; reason: string }[];
  /** Rows beyond the first of their key, by the season of the extra row; undefined when the key cannot be read. */
  duplicatesBySeason: Map<number, number> | undefined;
  /**
   * Up to 20 duplicated keys per season with the files holding them, when the engine can say (scan); undefined
   * from the SQL engines.
   */
  duplicateKeys?: Map<number, DuplicateKey[]>;
  /** Why duplicates could not be counted (a key column is absent). */
  keyProblem: string | undefined;
  /** Distinct ids by season, ascending, when `idColumn` was asked for and exists. */
  idsBySeason: Map<number, number[]> | undefined;
  /** Null values per column, where the engine knows them. */
  nullCounts: Map<string, number>;
  /** Set when the engine cannot see the table at all (Athena without a catalog entry); the audit notes why. */
  unavailable?: string;
  /**
   * The readable files grouped by their columns and Parquet types, from the footers: only an engine that reads
   * footers (scan) can say; undefined from the others.
   */
  schemas?: SchemaGroup[];
}

/** A key that more than one row has, as text (parts of a composite key as the engine joins them), and its files. */
export interface DuplicateKey {
  key: string;
  files: string[];
}

/** Files of a table that have the same columns with the same types (`parquetTypeLabel`), in file order. */
export interface SchemaGroup {
  columns: [string, string][];
  files: number;
  /** The first keys of the group, up to `SCHEMA_SAMPLE`. */
  sample: string[];
}

/** How many keys a schema group, and a gap about one, names. */
export const SCHEMA_SAMPLE = 20;

/** The audit's query port: scan (hyparquet over the object store), DuckDB, or Athena. */
export interface QueryEngine {
  readonly name: 'scan' | 'duckdb' | 'athena';
  tableFacts(request: TableRequest): Promise<TableFacts>;
  /**
   * How many of the request's files `tableFacts` will read: fewer than all when the audit manifest already holds
   * the facts of unchanged files (scan). All of them when absent.
   */
  filesToRead?(request: TableRequest): number;
  close(): Promise<void>;
}

/** The names of the partition keys found in a table's paths. */
export function partitionKeyNames(files: readonly LakeFile[]): Set<string> {
  return new Set(files.flatMap((f) => f.partitions.map((p) => p.name)));
}

/** An empty answer to fill in. */
export function emptyFacts(): TableFacts {
  return {
    columns: [],
    rowsBySeason: new Map(),
    filesBySeason: new Map(),
    unseasonedRows: 0,
    readableFiles: 0,
    unreadable: [],
    duplicatesBySeason: undefined,
    keyProblem: undefined,
    idsBySeason: undefined,
    nullCounts: new Map(),
  };
}

/**
 * What one Parquet file contributes to its table's facts, as plain JSON: the scan engine's unit of work and the
 * audit manifest's entry. A file whose key, size and ETag match an entry is not read again.
 */
export interface FileFacts {
  key: string;
  size: number;
  /** S3's ETag, or the file store's `inode-mtime` stand-in; a rewrite changes it. */
  etag: string | undefined;
  table: string;
  partitions: [string, string][];
  /** The key columns and id column the facts were taken for (`requestSignature`): another config re-reads. */
  request: string;
  /** Why the bytes are not Parquet; the file is then unreadable and nothing else is set. */
  error?: string;
  rows: number;
  /** Each column with its Parquet type label, from the footer. */
  types: [string, string][];
  /** Rows per season; absent when the file has no season. One entry per season the file holds, even with 0 rows. */
  seasons?: [number, number][];
  /** True when the seasons came from a `season` column row by row (the numeric key tracker cannot then be used). */
  perRowSeason: boolean;
  /** Null values of each column of `types`, in that order, from the footer statistics; null where a chunk does not say. */
  nullCounts: (number | null)[];
  /** Distinct ids of the request's id column, by season, ascending; absent when the file lacks that column. */
  ids?: [number, number[]][];
  /** The file's key, when its key columns exist: absent means duplicates cannot be counted for the table. */
  keys?: KeyFacts;
}

/** The key facts of one file: what counts duplicates inside it and finds the files that may share a key. */
export interface KeyFacts {
  /** Single integer key (`id` of fct_plays): values are numbers; otherwise `rowKey` strings. */
  numeric: boolean;
  /** Rows repeating a key of an earlier row of the same file, by the repeating row's season. */
  own: [number, number][];
  /**
   * The smallest and largest value of each key part, absent when the file has no non-null key: numbers for a
   * numeric key; for any other key, each part's JSON text (as in `rowKey`), so equal parts have equal text.
   */
  ranges?: [number, number][] | [string, string][];
  /** A numeric key that is null in some row: nulls compare equal, so two such files may share it. */
  nullKey: boolean;
}

/** Remembered file facts from an earlier audit, and what this audit learns: the audit manifest, as the engine sees it. */
export interface FileFactsCache {
  /** The facts of `file` if it is unchanged since they were taken for this request. */
  lookup(file: LakeFile, request: string): FileFacts | undefined;
  /** Records facts read in this audit. */
  record(facts: FileFacts): void;
  /** Files read, files answered from the cache, and duplicate candidates whose keys were read again. */
  readonly stats: { read: number; reused: number; candidatesRead: number };
}

/** The request's signature in a manifest entry: key columns and id column. */
export function requestSignature(request: Pick<TableRequest, 'key' | 'idColumn'>): string {
  return JSON.stringify([request.key ?? null, request.idColumn ?? null]);
}
