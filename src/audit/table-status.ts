import type { CoverageRow, Gap, Status } from './types.js';
import { fmt } from '../util/format.js';

/**
 * A table's status, the pipeline's rule extended to the bot's checks. FAIL: no data, duplicates above the
 * threshold share of rows, or a season where under half the parent's games are covered. WARN: any other gap.
 * PASS: nothing found. `issues` are the scorecard's short reasons, most serious first.
 */
export function tableStatus(input: {
  rows: number;
  duplicates: number;
  duplicateFailPct: number;
  gaps: readonly Gap[];
  coverage: readonly CoverageRow[];
  configured: boolean;
  /** The pipeline does not fetch the table: no data is expected, and its absence is information only. */
  notFetched?: boolean;
}): { status: Status; issues: string[] } {
  const fail: string[] = [];
  const warn: string[] = [];
  const info = input.notFetched ? ['not fetched by the pipeline'] : [];
  if (input.rows === 0 && !input.notFetched) fail.push('NO DATA');
  if (input.duplicates > 0) {
    const pct = input.rows > 0 ? (input.duplicates / input.rows) * 100 : 0;
    (pct > input.duplicateFailPct ? fail : warn).push(
      `${fmt(input.duplicates)} duplicate rows (${pct.toFixed(1)}%)`,
    );
  }
  const poor = input.coverage.filter((c) => c.ratio < 0.5);
  if (poor.length > 0) fail.push(`coverage under 50% in ${poor.map((c) => c.season).join(', ')}`);
  const missing = input.gaps.filter((g) => g.kind === 'missing_children');
  if (missing.length > 0) {
    warn.push(
      `${fmt(missing.reduce((a, g) => a + g.count, 0))} games missing in ${missing.map((g) => g.season).join(', ')}`,
    );
  }
  for (const kind of [
    'missing_season',
    'unreadable_file',
    'schema_drift',
    'volume_anomaly',
    'mixed_partition_layout',
    'unexpected_partition',
    'catalog_missing_partition',
    'catalog_stale_partition',
    'catalog_partition_keys',
  ] as const) {
    const of = input.gaps.filter((g) => g.kind === kind);
    if (of.length === 0) continue;
    warn.push(describe(kind, of));
  }
  if (!input.configured) warn.push('not in config.yaml');
  const status: Status = fail.length > 0 ? 'FAIL' : warn.length > 0 || missing.length > 0 ? 'WARN' : 'PASS';
  return { status, issues: [...fail, ...warn, ...info] };
}

function describe(kind: Gap['kind'], gaps: readonly Gap[]): string {
  const seasons = gaps.map((g) => g.season).filter((s) => s !== undefined);
  const count = gaps.reduce((a, g) => a + g.count, 0);
  switch (kind) {
    case 'missing_season':
      return `no rows in ${seasons.join(', ')}`;
    case 'unreadable_file':
      return `${count} unreadable file${count === 1 ? '' : 's'}`;
    case 'schema_drift':
      return `schema drift in ${count} file${count === 1 ? '' : 's'}`;
    case 'volume_anomaly':
      return gaps.map((g) => g.detail).join('; ');
    case 'mixed_partition_layout':
      return `mixed partition layout in ${seasons.join(', ')}`;
    case 'unexpected_partition':
      return `unexpected season partition ${seasons.join(', ')}`;
    case 'catalog_missing_partition':
      return `${count} partition${count === 1 ? '' : 's'} not in the catalog`;
    case 'catalog_stale_partition':
      return `${count} catalog partition${count === 1 ? '' : 's'} without data`;
    case 'catalog_partition_keys':
      return 'catalog partition keys differ from the paths';
    default:
      return `${count} ${kind}`;
  }
}
