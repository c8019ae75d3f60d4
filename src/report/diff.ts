import { inScope } from '../audit/scope.js';
import type { AuditDiff, AuditResult } from '../audit/types.js';

/**
 * What changed since the previous audit: gaps that appeared, gaps that went away, gaps whose count moved, and
 * coverage ratios that moved by at least a tenth of a percent.
 */
export function diffAudits(previous: AuditResult, current: AuditResult): AuditDiff {
  const before = new Map(previous.gaps.map((g) => [g.key, g]));
  const after = new Map(current.gaps.map((g) => [g.key, g]));
  const oldCoverage = new Map(previous.coverage.map((c) => [`${c.table}:${c.season}`, c.ratio]));
  return {
    previousGeneratedAt: previous.generatedAt,
    newGaps: [...after.keys()].filter((k) => !before.has(k)),
    // A gap outside what this audit looked at is not closed by it (an audit of 2010-2012 over one of 2024-2026).
    closedGaps: [...before.keys()].filter(
      (k) => !after.has(k) && (current.scope === undefined || inScope({ key: k }, current.scope)),
    ),
    changedGaps: [...after.values()]
      .filter((g) => before.has(g.key) && before.get(g.key)!.count !== g.count)
      .map((g) => ({ key: g.key, from: before.get(g.key)!.count, to: g.count })),
    coverageMoves: current.coverage
      .filter(
        (c) =>
          oldCoverage.has(`${c.table}:${c.season}`) &&
          Math.abs(oldCoverage.get(`${c.table}:${c.season}`)! - c.ratio) >= 0.001,
      )
      .map((c) => ({
        table: c.table,
        season: c.season,
        from: oldCoverage.get(`${c.table}:${c.season}`)!,
        to: c.ratio,
      })),
  };
}

/** True when nothing but the timestamp differs: no commit, no PR update, no issue write. */
export function onlyTimestampChanged(previous: AuditResult, current: AuditResult): boolean {
  const strip = (r: AuditResult) =>
    JSON.stringify({ ...r, generatedAt: '', diff: undefined, run: undefined });
  return strip(previous) === strip(current);
}

/** Reads a previous `data_audit.json`, or undefined when it is absent, of another schema, or not JSON. */
export function parsePreviousAudit(text: string | undefined): AuditResult | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<AuditResult>;
    if (parsed.schemaVersion !== 1 || !Array.isArray(parsed.gaps) || !Array.isArray(parsed.coverage))
      return undefined;
    return parsed as AuditResult;
  } catch {
    return undefined;
  }
}
