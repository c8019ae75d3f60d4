import type { z } from 'zod';
import type { tableSchema } from './schema.js';

/**
 * What the bot knows of the `cbbd_etl` pipeline's silver tables without being told: each table's key (the
 * columns that identify a row), the parent whose games a per-game table must cover, the endpoint that fills it,
 * and the first season the API has its data. `audit.tables` in a config extends these and overrides them field
 * by field, so the pipeline's own config.yaml (which has no `audit:` section) audits the lake fully.
 */
export const PIPELINE_TABLES: Readonly<Record<string, z.input<typeof tableSchema>>> = {
  dim_teams: { key: ['teamId'] },
  dim_conferences: { key: ['id'] },
  dim_venues: { key: ['id'] },
  dim_lines_providers: { key: ['id'] },
  dim_play_types: { key: ['id'] },
  fct_games: { key: ['gameId'] },
  fct_game_media: { key: ['gameId'] },
  fct_lines: { key: ['gameId', 'provider'] },
  fct_game_teams: { key: ['gameId', 'teamId'] },
  fct_game_players: { key: ['gameId', 'teamId'] },
  fct_plays: { key: ['id'], parent: 'fct_games', endpoint: 'plays_game' },
  // The API sends substitutions without an id: the row is identified by who came in when.
  fct_substitutions: {
    key: ['gameId', 'athleteId', 'subIn.period', 'subIn.secondsRemaining'],
    parent: 'fct_games',
    endpoint: 'substitutions_game',
    first_season: 2024,
  },
  fct_lineups: {
    key: ['gameId', 'idHash', 'teamId'],
    parent: 'fct_games',
    endpoint: 'lineups_game',
    first_season: 2024,
  },
  fct_rankings: { key: ['season', 'pollDate', 'pollType', 'teamId'] },
  fct_ratings_adjusted: { key: ['teamId', 'season'] },
  fct_ratings_srs: { key: ['teamId', 'season'] },
  fct_team_season_stats: { key: ['teamId', 'season'] },
  fct_team_season_shooting: { key: ['teamId', 'season'] },
  fct_player_season_stats: { key: ['playerId', 'season'] },
  fct_player_season_shooting: { key: ['playerId', 'season'] },
  fct_recruiting_players: { key: ['playerId', 'season'] },
  fct_draft_picks: { key: ['id'] },
};

/**
 * The silver table each per-game endpoint writes, as the pipeline's `SILVER_TABLES` maps them; the bronze table
 * of an endpoint is its own name.
 */
export const ENDPOINT_TABLES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(PIPELINE_TABLES).flatMap(([table, t]) => (t.endpoint ? [[t.endpoint, table]] : [])),
);

/**
 * Every endpoint that writes a silver table, as the pipeline's `SILVER_TABLES` maps them (several endpoints write
 * `fct_plays`, `fct_substitutions` and `fct_lineups`).
 */
export const SILVER_WRITERS: Readonly<Record<string, string>> = {
  teams: 'dim_teams',
  conferences: 'dim_conferences',
  venues: 'dim_venues',
  lines_providers: 'dim_lines_providers',
  plays_types: 'dim_play_types',
  games: 'fct_games',
  games_media: 'fct_game_media',
  lines: 'fct_lines',
  games_teams: 'fct_game_teams',
  games_players: 'fct_game_players',
  plays_game: 'fct_plays',
  plays_date: 'fct_plays',
  plays_player: 'fct_plays',
  plays_team: 'fct_plays',
  plays_tournament: 'fct_plays',
  substitutions_game: 'fct_substitutions',
  substitutions_player: 'fct_substitutions',
  substitutions_team: 'fct_substitutions',
  lineups_game: 'fct_lineups',
  lineups_team: 'fct_lineups',
  rankings: 'fct_rankings',
  ratings_adjusted: 'fct_ratings_adjusted',
  ratings_srs: 'fct_ratings_srs',
  stats_team_season: 'fct_team_season_stats',
  stats_team_shooting_season: 'fct_team_season_shooting',
  stats_player_season: 'fct_player_season_stats',
  stats_player_shooting_season: 'fct_player_season_shooting',
  recruiting_players: 'fct_recruiting_players',
  draft_picks: 'fct_draft_picks',
};

/**
 * The endpoints of a config that write a silver table: `fetched` the pipeline runs, `skipped` those in
 * `skip_endpoints`. A table's own `endpoint` (audit.tables) counts as a writer too.
 */
export function tableWriters(
  config: { endpoints: Record<string, unknown>; skip_endpoints?: string[] | undefined },
  table: string,
  ownEndpoint?: string,
): { fetched: string[]; skipped: string[] } {
  const writers = Object.keys(config.endpoints).filter(
    (e) => SILVER_WRITERS[e] === table || e === ownEndpoint,
  );
  const skip = new Set(config.skip_endpoints ?? []);
  return { fetched: writers.filter((e) => !skip.has(e)), skipped: writers.filter((e) => skip.has(e)) };
}

/**
 * A config document with `audit.tables` laid over the built-in tables: a table named in both gets the built-in
 * fields the config does not set. Anything that is not a mapping is left for the schema to refuse.
 */
export function withPipelineTables(raw: Record<string, unknown>): Record<string, unknown> {
  const audit = raw.audit ?? {};
  if (!isMapping(audit)) return raw;
  const tables = audit.tables ?? {};
  if (!isMapping(tables)) return raw;
  const merged = new Map<string, unknown>(Object.entries(PIPELINE_TABLES));
  for (const [name, table] of Object.entries(tables)) {
    // Own keys only: a table called `toString` is the config's, not Object.prototype's.
    const builtIn = Object.hasOwn(PIPELINE_TABLES, name) ? PIPELINE_TABLES[name] : undefined;
    merged.set(name, builtIn && isMapping(table) ? { ...builtIn, ...table } : table);
  }
  return { ...raw, audit: { ...audit, tables: Object.fromEntries(merged) } };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Columns that only one per-game table's files have. A file under another table that has all of one table's and
 * lacks its own holds the wrong table's rows: the pipeline's `gap_fill.py` fetches `/plays/game` whatever
 * endpoint it runs for, so `--endpoint substitutions_game` writes plays under `fct_substitutions`.
 */
export const TABLE_SIGNATURES: Readonly<Record<string, readonly string[]>> = {
  fct_plays: ['playText', 'playType'],
  fct_substitutions: ['subIn', 'subOut'],
  fct_lineups: ['idHash', 'athletes'],
};
