import type { AuditScope } from './scope.js';

/** What the audit can find; `missing_children` is the only kind a fill can close. */
export type GapKind =
  | 'missing_children'
  | 'missing_season'
  | 'empty_table'
  | 'duplicates'
  | 'volume_anomaly'
  | 'mixed_partition_layout'
  | 'unexpected_partition'
  | 'catalog_missing_partition'
  | 'catalog_stale_partition'
  | 'catalog_partition_keys'
  | 'unreadable_file'
  | 'schema_drift';

/** How much a gap matters, from documented rules (`gapSeverity`); reports are ordered by it. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** Every kind, in the order reports list them: what a fill can close first, then data, then layout. */
export const GAP_KINDS: readonly GapKind[] = [
  'missing_children',
  'missing_season',
  'empty_table',
  'unreadable_file',
  'schema_drift',
  'duplicates',
  'volume_anomaly',
  'mixed_partition_layout',
  'unexpected_partition',
  'catalog_missing_partition',
  'catalog_stale_partition',
  'catalog_partition_keys',
];

/**
 * One gap. Its `key` (`kind:table[:season]`) is stable from night to night: issues, the PR's diff and fills
 * refer to it. `ids` is complete and ascending for `missing_children`; `files` and `partitions` name what the
 * other kinds found.
 */
export interface Gap {
  key: string;
  kind: GapKind;
  table: string;
  season?: number;
  endpoint?: string;
  count: number;
  ids: number[];
  detail: string;
  /** Set on every gap of an audit (`gapSeverity`); absent only in reports written before it existed. */
  severity?: Severity;
  files?: string[];
  partitions?: string[][];
  /**
   * `missing_children`: games a fill cannot write because an unreadable file sits at their key (`file`); they
   * stay in `ids` (they are missing) and plan and fill skip them.
   */
  blocked?: { gameId: number; file: string }[];
  /** `duplicates`: up to 20 duplicated keys and the files holding each (from the scan engine). */
  keys?: { key: string; files: string[] }[];
  /** `schema_drift`: each column whose files disagree on its type, or hold one the catalog cannot read. */
  columns?: ColumnDrift[];
  /** `schema_drift`: files that have another table's columns instead of this one's. */
  foreign?: { table: string; files: number }[];
}

/** One column of a `schema_drift` gap: its Parquet types, how many files have each, and what the catalog declares. */
export interface ColumnDrift {
  column: string;
  types: { type: string; files: number }[];
  declared?: string;
}

export type Status = 'PASS' | 'WARN' | 'FAIL';

export interface SeasonStats {
  rows: number;
  files: number;
  duplicates: number;
}

/** One table's scorecard line and detail. */
export interface TableAudit {
  table: string;
  layer: 'silver';
  kind: 'fact' | 'dimension';
  configured: boolean;
  status: Status;
  rows: number;
  files: number;
  columns: number;
  bySeason: Record<string, SeasonStats>;
  /** Share of nulls (0–100) for the most-null columns, most first. */
  nullPct: Record<string, number>;
  issues: string[];
}

/** Coverage of a child table against its parent for one season. */
export interface CoverageRow {
  table: string;
  parent: string;
  season: number;
  parentIds: number;
  covered: number;
  knownEmpty: number;
  missing: number;
  /** (covered + knownEmpty) / parentIds; 1 when the parent has no ids. */
  ratio: number;
}

/** The comparison with the previous night's `data_audit.json`. */
export interface AuditDiff {
  previousGeneratedAt: string;
  newGaps: string[];
  closedGaps: string[];
  changedGaps: { key: string; from: number; to: number }[];
  coverageMoves: { table: string; season: number; from: number; to: number }[];
}

/** `data_audit.json`, schema version 1. */
export interface AuditResult {
  schemaVersion: 1;
  generatedAt: string;
  lake: string;
  engine: string;
  seasons: [number, number];
  tables: TableAudit[];
  coverage: CoverageRow[];
  gaps: Gap[];
  /** Things the reader should know that are not gaps (tables without a catalog entry, odd keys, …). */
  notes: string[];
  diff?: AuditDiff;
  /** The seasons audited and whether they are the config's full range (added in 0.2; absent in older reports). */
  scope?: AuditScope;
  /** What this run cost and which kind it was: not a fact about the lake, so comparisons of audits leave it out. */
  run?: AuditRun;
}

/** Which kind of audit ran (full, or incremental from the manifest), what it read, and the GETs it spent. */
export interface AuditRun {
  kind: 'full' | 'incremental';
  reason: string;
  /** Parquet files the silver listing found. */
  filesListed: number;
  /** Files whose footers and columns were read; the rest were answered by the manifest. */
  filesRead: number;
  /** Duplicate candidates (files whose key ranges overlap) whose keys were read again for the count. */
  candidatesRead: number;
  gets: number;
  bytesRead: number;
  /** The manifest this run wrote, when it wrote one. */
  manifest?: string;
}

/** Builds a gap key: `kind:table` or `kind:table:season`. */
export function gapKey(kind: GapKind, table: string, season?: number): string {
  return season === undefined ? `${kind}:${table}` : `${kind}:${table}:${season}`;
}
