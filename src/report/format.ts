import type { AuditResult, Status } from '../audit/types.js';

/** How many tables have each status. */
export function statusCounts(result: AuditResult): Record<Status, number> {
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const t of result.tables) counts[t.status]++;
  return counts;
}
