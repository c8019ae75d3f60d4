import type { LakeFile } from '../lake/lake-file.js';
import { gapKey, type Gap } from './types.js';

/**
 * Partition layout findings of one table. A fact table should have one partition shape (`season/date`); a season
 * holding another shape (`season/asof`, or `season` alone beside `season/date`) is a `mixed_partition_layout`
 * gap: Athena and DuckDB's hive partitioning cannot read both under one table. A `season=` partition under a
 * `dim_*` table is an `unexpected_partition`.
 */
export function checkLayout(table: string, files: readonly LakeFile[], canonicalShape: string): Gap[] {
  if (table.startsWith('dim_')) return unexpectedSeasonPartitions(table, files);
  const shapesBySeason = new Map<number, Map<string, string[]>>();
  const shapeCount = new Map<string, number>();
  for (const f of files) {
    if (f.season === undefined) continue;
    const shapes = shapesBySeason.get(f.season) ?? new Map<string, string[]>();
    shapes.set(f.shape, [...(shapes.get(f.shape) ?? []), f.key]);
    shapesBySeason.set(f.season, shapes);
    shapeCount.set(f.shape, (shapeCount.get(f.shape) ?? 0) + 1);
  }
  if (shapeCount.size <= 1) return [];
  // The table's own layout: the canonical one if present, else the most common.
  const expected = shapeCount.has(canonicalShape)
    ? canonicalShape
    : [...shapeCount].sort((a, b) => b[1] - a[1])[0]![0];
  const gaps: Gap[] = [];
  for (const [season, shapes] of [...shapesBySeason].sort((a, b) => a[0] - b[0])) {
    const odd = [...shapes].filter(([shape]) => shape !== expected);
    if (odd.length === 0) continue;
    const files = odd.flatMap(([, keys]) => keys);
    gaps.push({
      key: gapKey('mixed_partition_layout', table, season),
      kind: 'mixed_partition_layout',
      table,
      season,
      count: files.length,
      ids: [],
      files,
      detail:
        `season ${season} has ${odd.map(([shape, keys]) => `${keys.length} file(s) under ${shape || 'no partition'}`).join(' and ')}` +
        (shapes.has(expected) ? ` beside ${shapes.get(expected)!.length} under ${expected}` : '') +
        `; the table's layout is ${expected}` +
        (odd.some(([s]) => s === 'season/asof') ? ' (repair --normalize rewrites them)' : ''),
    });
  }
  return gaps;
}

function unexpectedSeasonPartitions(table: string, files: readonly LakeFile[]): Gap[] {
  const bySeason = new Map<number, string[]>();
  for (const f of files)
    if (f.season !== undefined) bySeason.set(f.season, [...(bySeason.get(f.season) ?? []), f.key]);
  return [...bySeason]
    .sort((a, b) => a[0] - b[0])
    .map(([season, keys]) => ({
      key: gapKey('unexpected_partition', table, season),
      kind: 'unexpected_partition',
      table,
      season,
      count: keys.length,
      ids: [],
      files: keys,
      detail: `dimension table ${table} has a season=${season} partition (${keys.length} file(s)); dimensions are snapshots under asof=`,
    }));
}
