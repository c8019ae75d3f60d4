import type { Gap } from '../../src/audit/types.js';
import type { DemoLakeManifest } from '../../src/demo/generate-lake.js';
import { syntheticTeams } from '../../src/demo/synthetic-api.js';

/** The gaps an exact audit must report for a generated lake, keyed by gap key, from the generator's manifest. */
export function expectedGaps(m: DemoLakeManifest): Map<string, Partial<Gap>> {
  const out = new Map<string, Partial<Gap>>();
  for (const [table, bySeason] of Object.entries(m.missing)) {
    for (const [season, ids] of Object.entries(bySeason)) {
      if (ids.length > 0) out.set(`missing_children:${table}:${season}`, { count: ids.length, ids });
    }
  }
  for (const [table, bySeason] of Object.entries(m.duplicates)) {
    for (const [season, n] of Object.entries(bySeason))
      out.set(`duplicates:${table}:${season}`, { count: n });
  }
  for (const { table, season } of m.mixedLayout) out.set(`mixed_partition_layout:${table}:${season}`, {});
  for (const key of m.strayPartitions) {
    const season = /season=(\d+)/.exec(key)![1];
    out.set(`unexpected_partition:dim_teams:${season}`, { files: [key] });
    // The stray partition repeats the snapshot, so every team is there twice.
    out.set(`duplicates:dim_teams:${season}`, { count: syntheticTeams().length });
  }
  for (const key of m.corruptKeys) {
    const season = /season=(\d+)/.exec(key)![1];
    out.set(`unreadable_file:fct_plays:${season}`, { files: [key] });
  }
  // The pipeline never fetches the two shooting tables; the generator leaves them out as real lakes do.
  out.set('empty_table:fct_team_season_shooting', {});
  out.set('empty_table:fct_player_season_shooting', {});
  return out;
}
