import type { AuditResult, Status } from '../audit/types.js';

/** A count as the reports write it: `12,345`. */
export const fmt = (n: number): string => n.toLocaleString('en-US');

/** A share as the reports write it, rounded down to a tenth so 99.96% never reads as 100.0%: `99.9%`. */
export const pct = (r: number): string => `${(Math.floor(r * 1000) / 10).toFixed(1)}%`;

/** How many tables have each status. */
export function statusCounts(result: AuditResult): Record<Status, number> {
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const t of result.tables) counts[t.status]++;
  return counts;
}
