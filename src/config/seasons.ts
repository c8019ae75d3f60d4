import { UsageError } from '../util/errors.js';

/** The seasons a config allows: `seasons.start..seasons.end`. */
export interface SeasonBounds {
  start: number;
  end: number;
}

/**
 * Parses a season spec — `2024`, `2020-2026`, `2010,2012,2020-2022` — into sorted, distinct seasons.
 * Errors quote the bad part and say how to write it; `flag` names where the spec came from.
 */
export function parseSeasonSpec(spec: string, bounds: SeasonBounds, flag = '--seasons'): number[] {
  const text = spec.trim();
  if (text === '')
    throw new UsageError(`${flag}: empty season spec; write e.g. 2024, 2020-2026 or 2010,2012,2020-2022`);
  const seasons = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const range = /^(\d{4})\s*-\s*(\d{4})$/.exec(part);
    const single = /^(\d{4})$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to)
        throw new UsageError(`${flag}: season range ${from}-${to} is reversed; write it as ${to}-${from}`);
      checkBounds(from, part, bounds, flag);
      checkBounds(to, part, bounds, flag);
      for (let s = from; s <= to; s++) seasons.add(s);
    } else if (single) {
      const s = Number(single[1]);
      checkBounds(s, part, bounds, flag);
      seasons.add(s);
    } else {
      throw new UsageError(
        `${flag}: "${part}" is not a season or a range; write e.g. 2024, 2020-2026 or 2010,2012,2020-2022`,
      );
    }
  }
  return [...seasons].sort((a, b) => a - b);
}

function checkBounds(season: number, part: string, bounds: SeasonBounds, flag: string): void {
  if (season < bounds.start || season > bounds.end) {
    throw new UsageError(
      `${flag}: season ${season} in "${part}" is outside seasons.start..end (${bounds.start}-${bounds.end}) of the config`,
    );
  }
}

/** Writes seasons back as the shortest spec: [2010, 2012, 2020, 2021, 2022] → `2010,2012,2020-2022`. */
export function formatSeasonSpec(seasons: readonly number[]): string {
  const sorted = [...new Set(seasons)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(',');
}
