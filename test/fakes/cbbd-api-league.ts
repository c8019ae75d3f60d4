import { FIRST_LINEUP_SEASON } from '../../src/demo/generate-lake.js';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import {
  syntheticGames,
  syntheticLineups,
  syntheticPlays,
  syntheticSubstitutions,
} from '../../src/demo/synthetic-api.js';
import type { GameRecord } from '../../src/source/api-records.js';
import type { DataRoute, GameEndpoint } from './cbbd-api-http.js';
import { bulkRecords } from './cbbd-api-bulk.js';

/** What the fake serves: the demo lake's synthetic league, so a filled game matches a generated one row for row. */
export interface LeagueOptions {
  seed: number;
  seasons: number[];
  gamesPerSeason: number;
  /** Plays per game, drawn per game exactly as the demo lake generator draws them. Default [350, 450]. */
  playsPerGame?: [number, number];
  /** Game ids a child endpoint answers with `[]`, the API's answer for a game it has no data for. */
  emptyGames?: Partial<Record<GameEndpoint, number[]>>;
  /**
   * Teams the API now knows by another name than the lake's fct_games (lake name → API name): `/…/team` matches
   * the API name only, as a renamed school does on the real server.
   */
  renamedTeams?: Record<string, string>;
}

/** Answers a matched data route with the records the real API would return. */
export interface League {
  records(route: DataRoute): unknown[];
}

const SEASON_SLOTS = 100_000;

export function createLeague(options: LeagueOptions): League {
  const [minPlays, maxPlays] = checkedOptions(options);
  const bySeason = new Map(
    options.seasons.map((s) => [s, syntheticGames(options.seed, s, options.gamesPerSeason)]),
  );
  const byId = new Map([...bySeason.values()].flat().map((g) => [g.id, g]));
  const empty = new Map(
    Object.entries(options.emptyGames ?? {}).map(([endpoint, ids]) => [endpoint, new Set(ids)]),
  );
  const playCount = (g: GameRecord) => createRandom(mixSeed(options.seed, g.id, 5)).int(minPlays, maxPlays);

  const gameRecords = (endpoint: GameEndpoint, game: GameRecord): unknown[] => {
    if (endpoint === 'plays_game') return syntheticPlays(options.seed, game, playCount(game));
    // The API has no substitutions or lineups before 2024 and answers [] for those games, not 404.
    if (game.season < FIRST_LINEUP_SEASON) return [];
    return endpoint === 'substitutions_game'
      ? syntheticSubstitutions(options.seed, game)
      : syntheticLineups(options.seed, game);
  };

  const answer = (endpoint: GameEndpoint, game: GameRecord): unknown[] =>
    empty.get(endpoint)?.has(game.id) ? [] : gameRecords(endpoint, game);
  const renamed = new Map(Object.entries(options.renamedTeams ?? {}));
  const apiName = (name: unknown) => renamed.get(String(name)) ?? String(name);

  return {
    records(route) {
      if (
        route.endpoint === 'plays_team' ||
        route.endpoint === 'plays_date' ||
        route.endpoint === 'substitutions_team'
      )
        return bulkRecords(route, { games: [...byId.values()], answer, apiName });
      if (route.endpoint === 'games') {
        return route.season === undefined
          ? [...bySeason.values()].flat()
          : (bySeason.get(route.season) ?? []);
      }
      // An id the API does not know is answered 200 [] too: a [] alone never proves a game exists.
      const game = route.gameId === undefined ? undefined : byId.get(route.gameId);
      return game ? answer(route.endpoint, game) : [];
    },
  };
}

function checkedOptions(options: LeagueOptions): [number, number] {
  const [min, max] = options.playsPerGame ?? [350, 450];
  if (min > max) throw new Error(`playsPerGame [${min}, ${max}] is reversed; write it as [${max}, ${min}]`);
  const n = options.gamesPerSeason;
  if (!Number.isInteger(n) || n < 0 || n >= SEASON_SLOTS) {
    throw new Error(
      `gamesPerSeason ${n} must be an integer in 0..${SEASON_SLOTS - 1} (game ids encode the season)`,
    );
  }
  return [min, max];
}
