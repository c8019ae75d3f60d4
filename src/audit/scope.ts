/**
 * What an audit looked at, so nothing acts outside it: an audit of `--seasons 2024` neither reports a 2022 gap,
 * nor calls a 2025 gap of the last report "closed", nor closes its issue. Gaps without a season (layout, catalog,
 * schema, unconfigured tables) are in scope only of an audit of the configured full range.
 */
export interface AuditScope {
  /** The seasons audited, ascending. */
  seasons: number[];
  /** True when they are every season of the config's `seasons.start..end`. */
  full: boolean;
}

/** The scope of an audit of `seasons` under a config of `start..end`. */
export function auditScope(seasons: readonly number[], range: { start: number; end: number }): AuditScope {
  const set = new Set(seasons);
  let full = true;
  for (let s = range.start; s <= range.end; s++) if (!set.has(s)) full = false;
  return { seasons: [...set].sort((a, b) => a - b), full };
}

/** The season a gap key names (`kind:table:2024`), or undefined for a season-less key. */
export function seasonOfKey(key: string): number | undefined {
  const last = key.split(':').at(-1) ?? '';
  return key.split(':').length >= 3 && /^\d{4}$/.test(last) ? Number(last) : undefined;
}

/** Whether a gap (by its key, or its season when known) lies inside what the audit looked at. */
export function inScope(gap: { key: string; season?: number | undefined }, scope: AuditScope): boolean {
  const season = gap.season ?? seasonOfKey(gap.key);
  return season === undefined ? scope.full : scope.seasons.includes(season);
}
