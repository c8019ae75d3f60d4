import { gapKey, type CoverageRow, type Gap } from './types.js';

/** A child table and what the audit knows of it, for the coverage check. */
export interface CoverageInput {
  table: string;
  parent: string;
  endpoint: string | undefined;
  /** Seasons before this one are not gaps: the API has no data for them. */
  firstSeason: number;
  /** Parent ids by season. */
  parentIds: Map<number, number[]>;
  /** Ids present in the child table, in any season's files. */
  childIds: Set<number>;
  knownEmpty: Set<number>;
  seasons: readonly number[];
}

/**
 * Coverage of a child table against its parent, season by season: parent ids, covered ids, ids known to have
 * no data, and the exact missing ids (a `missing_children` gap, ids ascending and complete). A child row filed
 * under another season still covers its game: coverage is by id, not by partition.
 */
export function checkCoverage(input: CoverageInput): { rows: CoverageRow[]; gaps: Gap[] } {
  const rows: CoverageRow[] = [];
  const gaps: Gap[] = [];
  for (const season of input.seasons) {
    if (season < input.firstSeason) continue;
    const parentIds = input.parentIds.get(season) ?? [];
    let covered = 0;
    let knownEmpty = 0;
    const missing: number[] = [];
    for (const id of parentIds) {
      if (input.childIds.has(id)) covered++;
      else if (input.knownEmpty.has(id)) knownEmpty++;
      else missing.push(id);
    }
    const ratio = parentIds.length === 0 ? 1 : (covered + knownEmpty) / parentIds.length;
    rows.push({
      table: input.table,
      parent: input.parent,
      season,
      parentIds: parentIds.length,
      covered,
      knownEmpty,
      missing: missing.length,
      ratio,
    });
    if (missing.length > 0) {
      gaps.push({
        key: gapKey('missing_children', input.table, season),
        kind: 'missing_children',
        table: input.table,
        season,
        ...(input.endpoint ? { endpoint: input.endpoint } : {}),
        count: missing.length,
        ids: missing,
        detail:
          `${missing.length} of ${parentIds.length} ${input.parent} games in ${season} have no ${input.table} rows` +
          (knownEmpty > 0 ? ` (${knownEmpty} more are known to have none)` : ''),
      });
    }
  }
  return { rows, gaps };
}
