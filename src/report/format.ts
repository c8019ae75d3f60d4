import { SEVERITIES, severityRank } from '../audit/severity.js';
import type { AuditResult, Gap, Severity, Status, TableAudit } from '../audit/types.js';
import { fmt } from '../util/format.js';

/** How many tables have each status. */
export function statusCounts(result: AuditResult): Record<Status, number> {
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const t of result.tables) counts[t.status]++;
  return counts;
}

/** The most serious severity among each table's gaps. */
export function worstSeverity(gaps: readonly Gap[]): Map<string, Severity> {
  const out = new Map<string, Severity>();
  for (const g of gaps) {
    if (!g.severity) continue;
    const seen = out.get(g.table);
    if (!seen || severityRank(g.severity) < severityRank(seen)) out.set(g.table, g.severity);
  }
  return out;
}

/** Tables ordered by their most serious gap (tables without one last), otherwise in the audit's order. */
export function tablesBySeverity(result: AuditResult): TableAudit[] {
  const worst = worstSeverity(result.gaps);
  return result.tables
    .map((t, i) => ({ t, i, rank: severityRank(worst.get(t.table)) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.t);
}

/** `2 critical, 3 high, 1 low`: the gaps per severity, most serious first, severities without gaps left out. */
export function severityCounts(gaps: readonly Gap[]): string {
  return SEVERITIES.map((s) => [s, gaps.filter((g) => g.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${fmt(n)} ${s}`)
    .join(', ');
}

/** The first `keep` items, and `+N more` for the rest, so a reader sees that a list was cut. */
export function cutList(items: readonly string[], keep: number): string[] {
  return items.length <= keep ? [...items] : [...items.slice(0, keep), `+${fmt(items.length - keep)} more`];
}
