import type { GameRecord } from '../../src/source/api-records.js';
import type { DataRoute, GameEndpoint } from './cbbd-api-http.js';

/**
 * The answers of cbb-api's bulk routes (v1.28, `src/app/plays/service.ts`, `src/app/substitutions/service.ts`),
 * built from the same per-game records the `/…/game/{id}` routes serve:
 * - `/plays/team?season&team`: every play of the season's games whose home or away team is `team`, compared
 *   lower-cased; ordered by game start, game id, then each game's own order.
 * - `/plays/date?date[&utcOffset]`: games with `date + utcOffset h ≤ startDate ≤ end`, where `end` is the
 *   unshifted date with its day of month set to the shifted date's day + 1 (the server's arithmetic, which
 *   with a negative offset ends the window at `date` itself). Both ends are inclusive.
 * - `/substitutions/team?season&team`: only the substitutions whose own team is `team` (the server filters on
 *   the substitution's team, not the game's), for every game of that team in the season.
 * A game without records is absent; nothing at all is `[]`.
 */
export function bulkRecords(
  route: DataRoute,
  league: {
    games: readonly GameRecord[];
    answer: (endpoint: GameEndpoint, game: GameRecord) => unknown[];
    /** The name the API knows a team by (the lake's name unless renamed). */
    apiName: (lakeName: unknown) => string;
  },
): unknown[] {
  const byStart = [...league.games].sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id - b.id);
  const team = route.team?.toLowerCase();
  const plays = (g: GameRecord) => league.answer('plays_game', g);
  const isTeams = (g: GameRecord) =>
    g.season === route.season &&
    (league.apiName(g['homeTeam']).toLowerCase() === team ||
      league.apiName(g['awayTeam']).toLowerCase() === team);
  switch (route.endpoint) {
    case 'plays_team':
      return byStart.filter(isTeams).flatMap(plays);
    case 'substitutions_team':
      return byStart
        .filter(isTeams)
        .flatMap((g) => league.answer('substitutions_game', g))
        .filter((r) => league.apiName((r as { team?: unknown }).team).toLowerCase() === team);
    case 'plays_date': {
      const [start, end] = dateWindow(route.date!, route.utcOffset);
      return byStart
        .filter((g) => {
          const t = Date.parse(g.startDate);
          return t >= start && t <= end;
        })
        .flatMap(plays);
    }
    default:
      throw new Error(`not a bulk route: ${route.endpoint}`);
  }
}

/** The server's window, on a host whose time zone is UTC: `[date + offset h, end]` in epoch ms. */
export function dateWindow(date: Date, utcOffset: number | undefined): [number, number] {
  const start = new Date(date);
  const end = new Date(date);
  if (utcOffset) start.setUTCHours(start.getUTCHours() + utcOffset);
  end.setUTCDate(start.getUTCDate() + 1);
  return [start.getTime(), end.getTime()];
}
