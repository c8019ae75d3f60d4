import type { AuditResult } from '../audit/types.js';
import { cutList, severityCounts, tablesBySeverity, worstSeverity } from '../report/format.js';
import { fmt } from '../util/format.js';

/** Issues shown per table on a terminal line; the rest are counted as `+N more`. */
export const CONSOLE_ISSUES = 2;

/**
 * The scorecard as plain text for a terminal: one line a table, the table with the most serious gap first, then
 * the gap count by severity.
 */
export function scorecardText(result: AuditResult): string {
  const tables = tablesBySeverity(result);
  const worst = worstSeverity(result.gaps);
  const width = Math.max(...tables.map((t) => t.table.length), 5);
  const lines = tables.map(
    (t) =>
      `  ${t.status.padEnd(4)}  ${(worst.get(t.table) ?? '').padEnd(8)}  ${t.table.padEnd(width)}  ${fmt(t.rows).padStart(11)} rows  ${cutList(t.issues, CONSOLE_ISSUES).join('; ')}`,
  );
  const fillable = result.gaps.filter((g) => g.kind === 'missing_children');
  const games = fillable.reduce((a, g) => a + g.count - (g.blocked?.length ?? 0), 0);
  const blocked = fillable.reduce((a, g) => a + (g.blocked?.length ?? 0), 0);
  const bySeverity = severityCounts(result.gaps);
  return [
    `\nscorecard (${result.engine}, seasons ${result.seasons[0]}-${result.seasons[1]}):`,
    ...lines,
    `\n${result.gaps.length} gaps${bySeverity ? ` (${bySeverity})` : ''}, ${fillable.length} fillable (${games} games${blocked ? `; ${blocked} more blocked by an unreadable file` : ''})\n`,
  ].join('\n');
}
