import { GAP_KINDS, type CoverageRow, type Gap, type Severity } from './types.js';

/** Severities from most to least serious: reports, the console and issues list gaps in this order. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** What the rules look at beyond the gap itself. */
export interface SeverityContext {
  /** Tables other tables are checked against (fct_games): a hole there hides every child's gaps. */
  parents: ReadonlySet<string>;
  coverage: readonly CoverageRow[];
  /** Readable rows per table and season, for the share of duplicates. */
  rowsOf: (table: string, season: number | undefined) => number;
  /** `audit.thresholds.duplicate_fail_pct`. */
  duplicateFailPct: number;
}

/** The share of a season's parent games a child table may miss before the gap is `high`. */
export const MISSING_HIGH_SHARE = 0.1;

/**
 * A gap's severity, by the rules documented in docs/data-audit-json.md:
 * - critical: the parent table (fct_games) is empty, misses a season or has an unreadable file — every child
 *   table's coverage is then measured against a wrong list of games;
 * - high: a season missing more than 10% of its child games; a table with no data, or a season with none; an
 *   unreadable file; partitions Athena cannot see (not in the catalog, or under other partition keys);
 *   duplicates above `duplicate_fail_pct` of the season's rows;
 * - medium: fewer missing child games; duplicates under the threshold; schema drift; a volume anomaly;
 * - low: partition layout findings and catalog partitions without data (readers still see every row);
 * - info: nothing to do (kept for findings that only inform).
 */
export function gapSeverity(gap: Gap, ctx: SeverityContext): Severity {
  const parent = ctx.parents.has(gap.table);
  switch (gap.kind) {
    case 'empty_table':
    case 'missing_season':
    case 'unreadable_file':
      return parent ? 'critical' : 'high';
    case 'missing_children': {
      const row = ctx.coverage.find((c) => c.table === gap.table && c.season === gap.season);
      const games = row?.parentIds ?? 0;
      return games === 0 || gap.count / games > MISSING_HIGH_SHARE ? 'high' : 'medium';
    }
    case 'catalog_missing_partition':
    case 'catalog_partition_keys':
      return 'high';
    case 'duplicates': {
      const rows = ctx.rowsOf(gap.table, gap.season);
      return rows > 0 && (gap.count / rows) * 100 > ctx.duplicateFailPct ? 'high' : 'medium';
    }
    case 'schema_drift':
    case 'volume_anomaly':
      return 'medium';
    case 'mixed_partition_layout':
    case 'unexpected_partition':
    case 'catalog_stale_partition':
      return 'low';
  }
}

/** The rank of a severity, 0 for critical; gaps without one (an old report's) rank last. */
export function severityRank(severity: Severity | undefined): number {
  return severity === undefined ? SEVERITIES.length : SEVERITIES.indexOf(severity);
}

/**
 * Sets every gap's severity and orders the gaps most serious first; within a severity by kind (`GAP_KINDS`),
 * then table, then season, so the order is stable from night to night.
 */
export function rankGaps(gaps: Gap[], ctx: SeverityContext): Gap[] {
  for (const g of gaps) g.severity = gapSeverity(g, ctx);
  return gaps.sort(compareGaps);
}

/** Most serious first, then kind, table and season. */
export function compareGaps(a: Gap, b: Gap): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    GAP_KINDS.indexOf(a.kind) - GAP_KINDS.indexOf(b.kind) ||
    (a.table < b.table ? -1 : a.table > b.table ? 1 : 0) ||
    (a.season ?? 0) - (b.season ?? 0)
  );
}
