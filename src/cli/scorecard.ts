import type { AuditResult } from '../audit/types.js';
import { fmt } from '../util/format.js';

/** The scorecard as plain text for a terminal: one line a table, then the gap count. */
export function scorecardText(result: AuditResult): string {
  const width = Math.max(...result.tables.map((t) => t.table.length), 5);
  const lines = result.tables.map(
    (t) =>
      `  ${t.status.padEnd(4)}  ${t.table.padEnd(width)}  ${fmt(t.rows).padStart(11)} rows  ${t.issues.slice(0, 2).join('; ')}`,
  );
  const fillable = result.gaps.filter((g) => g.kind === 'missing_children');
  return [
    `\nscorecard (${result.engine}, seasons ${result.seasons[0]}-${result.seasons[1]}):`,
    ...lines,
    `\n${result.gaps.length} gaps, ${fillable.length} fillable (${fillable.reduce((a, g) => a + g.count, 0)} games)\n`,
  ].join('\n');
}
