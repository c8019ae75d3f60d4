import type { TableConfig } from '../config/schema.js';
import { NO_SEASON, type TableFacts } from '../engine/query-engine.js';
import { volumeAnomalies } from './volume.js';
import { gapKey, type Gap } from './types.js';
import { fmt } from '../util/format.js';

/** Duplicate rows on the table's key, one gap per season that has any. */
export function duplicateGaps(table: string, key: readonly string[], facts: TableFacts): Gap[] {
  return [...(facts.duplicatesBySeason ?? [])]
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0])
    .map(([season, n]) => {
      const rows = season === NO_SEASON ? facts.unseasonedRows : (facts.rowsBySeason.get(season) ?? 0);
      const keys = facts.duplicateKeys?.get(season);
      return {
        key: gapKey('duplicates', table, season === NO_SEASON ? undefined : season),
        kind: 'duplicates' as const,
        table,
        ...(season === NO_SEASON ? {} : { season }),
        count: n,
        ids: [],
        detail: `${fmt(n)} of ${fmt(rows)} rows${season === NO_SEASON ? '' : ` in ${season}`} repeat a key (${key.join(', ')}) seen before`,
        ...(keys ? { keys } : {}),
      };
    });
}

/**
 * Seasons under half their neighbours' mean (the pipeline's rule). The season in progress is left out, as a
 * season and as a neighbour: its rows so far are not comparable with whole seasons.
 */
export function volumeGaps(table: string, facts: TableFacts, ratio: number, inProgress?: number): Gap[] {
  const seasoned = new Map([...facts.rowsBySeason].filter(([s]) => s !== NO_SEASON && s !== inProgress));
  return volumeAnomalies(seasoned, ratio).map((a) => ({
    key: gapKey('volume_anomaly', table, a.season),
    kind: 'volume_anomaly' as const,
    table,
    season: a.season,
    count: a.rows,
    ids: [],
    detail: `Season ${a.season}: ${fmt(a.rows)} rows is <${Math.round(ratio * 100)}% of neighbors avg ${fmt(Math.round(a.neighbourMean))}`,
  }));
}

/**
 * Seasons of a fact table with no rows at all, from its first season on. Child tables of `fct_games` are left
 * to the coverage check (every game of such a season is a missing id, which a fill can close).
 */
export function missingSeasonGaps(
  table: string,
  tableConfig: TableConfig | undefined,
  facts: TableFacts,
  seasons: readonly number[],
  firstSeason: number,
): Gap[] {
  if (!tableConfig || tableConfig.parent || table.startsWith('dim_')) return [];
  const seasoned = [...facts.rowsBySeason].filter(([s, n]) => s !== NO_SEASON && n > 0);
  if (seasoned.length === 0) return [];
  return seasons
    .filter((s) => s >= firstSeason && !(facts.rowsBySeason.get(s) ?? 0))
    .map((season) => ({
      key: gapKey('missing_season', table, season),
      kind: 'missing_season' as const,
      table,
      season,
      count: 1,
      ids: [],
      detail: `${table} has no rows for season ${season}`,
    }));
}

/** Files the engine could not read, one gap per season (or per table for files outside a season). */
export function unreadableGaps(
  table: string,
  facts: TableFacts,
  seasonOf: (key: string) => number | undefined,
): Gap[] {
  const groups = new Map<number | undefined, { key: string; reason: string }[]>();
  for (const u of facts.unreadable) {
    const s = seasonOf(u.key);
    groups.set(s, [...(groups.get(s) ?? []), u]);
  }
  return [...groups].map(([season, files]) => ({
    key: gapKey('unreadable_file', table, season),
    kind: 'unreadable_file' as const,
    table,
    ...(season === undefined ? {} : { season }),
    count: files.length,
    ids: [],
    files: files.map((f) => f.key),
    detail: files.map((f) => `${f.key}: ${unreadableReason(f.reason)}`).join('; '),
  }));
}

/**
 * Why a file cannot be read, in the same words whichever engine tripped on it (hyparquet, DuckDB and Athena
 * word the same fault differently), so an audit's gaps do not change with `--engine`.
 */
export function unreadableReason(message: string): string {
  if (/footer != PAR1|No magic bytes|magic|not a Parquet file|HIVE_BAD_DATA.*footer/i.test(message)) {
    return 'not a Parquet file (no PAR1 magic at its end: truncated or another format)';
  }
  if (/too short|too small/i.test(message)) return 'too small to be a Parquet file';
  if (/exceeds|outside|footer puts|offset/i.test(message)) return 'its footer points outside the file';
  return 'its data cannot be decoded';
}

/** An empty configured table; `endpoint` is the pipeline's endpoint whose run fills it. */
export function emptyTableGap(table: string, files: number, endpoint?: string): Gap {
  return {
    key: gapKey('empty_table', table),
    kind: 'empty_table',
    table,
    ...(endpoint ? { endpoint } : {}),
    count: 0,
    ids: [],
    detail:
      files === 0
        ? `no files under silver/${table}/`
        : `${files} file(s) under silver/${table}/ and no readable rows`,
  };
}
