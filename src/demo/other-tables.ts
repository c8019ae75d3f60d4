import { comparePythonStrings, pythonStr } from '../layout/python-json.js';
import type { ColumnSpec, ColumnType } from '../parquet/write.js';
import type { GameRecord } from '../source/api-records.js';
import { createRandom, mixSeed } from './random.js';
import type { SyntheticTeam } from './synthetic-api.js';

/** A small table of the demo lake: its columns and rows. */
export interface DemoTable {
  table: string;
  columns: ColumnSpec[];
  rows: Record<string, unknown>[];
}

const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });

/**
 * `fct_games` columns: the API's 39 fields plus `gameId` (from `id`), in the pipeline's sorted order. The types are
 * fixed here (a season's games are spread over many per-date files, and typing each from its own values would
 * give the demo lake type drift the pipeline's `fct_games` does not show).
 */
const FCT_GAMES_TYPES: Readonly<Record<string, ColumnType>> = {
  attendance: 'INT64',
  awayConference: 'STRING',
  awayConferenceId: 'INT64',
  awayPeriodPoints: 'STRING',
  awayPoints: 'INT64',
  awaySeed: 'STRING',
  awayTeam: 'STRING',
  awayTeamEloEnd: 'INT64',
  awayTeamEloStart: 'INT64',
  awayTeamId: 'INT64',
  awayWinner: 'BOOLEAN',
  city: 'STRING',
  conferenceGame: 'BOOLEAN',
  excitement: 'DOUBLE',
  gameId: 'INT64',
  gameNotes: 'STRING',
  gameType: 'STRING',
  homeConference: 'STRING',
  homeConferenceId: 'INT64',
  homePeriodPoints: 'STRING',
  homePoints: 'INT64',
  homeSeed: 'STRING',
  homeTeam: 'STRING',
  homeTeamEloEnd: 'INT64',
  homeTeamEloStart: 'INT64',
  homeTeamId: 'INT64',
  homeWinner: 'BOOLEAN',
  id: 'INT64',
  neutralSite: 'BOOLEAN',
  season: 'INT32',
  seasonLabel: 'STRING',
  seasonType: 'STRING',
  sourceId: 'STRING',
  startDate: 'STRING',
  startTimeTbd: 'BOOLEAN',
  state: 'STRING',
  status: 'STRING',
  tournament: 'STRING',
  venue: 'STRING',
  venueId: 'INT64',
};
const FCT_GAMES_COLUMNS = Object.keys(FCT_GAMES_TYPES)
  .sort(comparePythonStrings)
  .map((name) => col(name, FCT_GAMES_TYPES[name]!));

/** `fct_games` rows: `gameId` from the API's `id`, the period points as Python's `str(list)`, as the pipeline has them. */
export function gamesTable(games: readonly GameRecord[]): Omit<DemoTable, 'table'> {
  const rows = games.map((g) => {
    const row: Record<string, unknown> = {};
    for (const c of FCT_GAMES_COLUMNS) {
      const v = c.name === 'gameId' ? g.id : g[c.name];
      row[c.name] = c.type === 'STRING' && v !== null && v !== undefined ? pythonStr(v) : (v ?? null);
    }
    return row;
  });
  return { columns: FCT_GAMES_COLUMNS, rows };
}

/** The dimension snapshots the pipeline writes under `asof=`. */
export function dimensionTables(teams: readonly SyntheticTeam[]): DemoTable[] {
  const conferences = [...new Map(teams.map((t) => [t.conferenceId, t.conference])).entries()];
  return [
    {
      table: 'dim_teams',
      columns: [
        col('conference', 'STRING'),
        col('conferenceId', 'INT64'),
        col('currentVenueId', 'INT64'),
        col('id', 'INT64'),
        col('school', 'STRING'),
        col('teamId', 'INT64'),
      ],
      rows: teams.map((t) => ({
        conference: t.conference,
        conferenceId: t.conferenceId,
        currentVenueId: t.venueId,
        id: t.id,
        school: t.school,
        teamId: t.id,
      })),
    },
    {
      table: 'dim_conferences',
      columns: [col('abbreviation', 'STRING'), col('id', 'INT64'), col('name', 'STRING')],
      rows: conferences.map(([id, name]) => ({
        abbreviation: name.toUpperCase().replace(/\W/g, ''),
        id,
        name,
      })),
    },
    {
      table: 'dim_venues',
      columns: [col('city', 'STRING'), col('id', 'INT64'), col('name', 'STRING'), col('state', 'STRING')],
      rows: teams.map((t) => ({
        city: 'Springfield',
        id: t.venueId,
        name: `${t.school} Arena`,
        state: 'MO',
      })),
    },
    {
      table: 'dim_play_types',
      columns: [col('id', 'INT64'), col('name', 'STRING')],
      rows: ['JumpShot', 'LayUpShot', 'DunkShot', 'TipShot', 'MadeFreeThrow', 'Turnover'].map((name, i) => ({
        id: i + 1,
        name,
      })),
    },
    {
      table: 'dim_lines_providers',
      columns: [col('id', 'INT64'), col('name', 'STRING')],
      rows: ['ESPN BET', 'DraftKings'].map((name, i) => ({ id: i + 1, name })),
    },
  ];
}

/**
 * The season-grain facts, one file per season as the pipeline's dedupe script leaves them. The two shooting
 * tables are left out on purpose: the pipeline never fetches them (their endpoints need a team or conference).
 */
export function seasonTables(
  seed: number,
  season: number,
  gameIds: readonly number[],
  teams: readonly SyntheticTeam[],
): DemoTable[] {
  const rnd = createRandom(mixSeed(seed, season, 7));
  const players = teams.flatMap((t) => Array.from({ length: 12 }, (_, n) => t.id * 100 + n + 1));
  const perGameTeam = gameIds.flatMap((gameId, i) => [
    { gameId, teamId: teams[i % teams.length]!.id },
    { gameId, teamId: teams[(i + 7) % teams.length]!.id },
  ]);
  const value = () => Math.round(rnd.next() * 1000) / 10;
  return [
    {
      table: 'fct_game_teams',
      columns: [
        col('gameId', 'INT64'),
        col('pace', 'DOUBLE'),
        col('season', 'INT32'),
        col('teamId', 'INT64'),
      ],
      rows: perGameTeam.map((r) => ({ ...r, pace: value(), season })),
    },
    {
      table: 'fct_game_players',
      columns: [
        col('gameId', 'INT64'),
        col('players', 'STRING'),
        col('season', 'INT32'),
        col('teamId', 'INT64'),
      ],
      rows: perGameTeam.map((r) => ({ ...r, players: '[]', season })),
    },
    {
      table: 'fct_game_media',
      columns: [col('broadcasts', 'STRING'), col('gameId', 'INT64'), col('season', 'INT32')],
      rows: gameIds.map((gameId) => ({
        broadcasts: '[{"broadcastType": "TV", "broadcastName": "ESPN"}]',
        gameId,
        season,
      })),
    },
    {
      table: 'fct_lines',
      columns: [
        col('gameId', 'INT64'),
        col('overUnder', 'DOUBLE'),
        col('provider', 'STRING'),
        col('season', 'INT32'),
        col('spread', 'DOUBLE'),
      ],
      rows: gameIds.flatMap((gameId) =>
        ['ESPN BET', 'DraftKings'].map((provider) => ({
          gameId,
          overUnder: 140 + value() / 10,
          provider,
          season,
          spread: value() / 20 - 2,
        })),
      ),
    },
    {
      table: 'fct_rankings',
      columns: [
        col('pollDate', 'STRING'),
        col('pollType', 'STRING'),
        col('ranking', 'INT64'),
        col('season', 'INT32'),
        col('teamId', 'INT64'),
        col('week', 'INT32'),
      ],
      rows: Array.from({ length: 18 }, (_, week) =>
        teams.slice(0, 25).map((t, r) => ({
          pollDate: new Date(Date.UTC(season - 1, 10, 1 + week * 7)).toISOString().slice(0, 10),
          pollType: 'AP Top 25',
          ranking: r + 1,
          season,
          teamId: t.id,
          week: week + 1,
        })),
      ).flat(),
    },
    ...(['fct_ratings_adjusted', 'fct_ratings_srs', 'fct_team_season_stats'] as const).map((table) => ({
      table,
      columns: [col('rating', 'DOUBLE'), col('season', 'INT32'), col('teamId', 'INT64')],
      rows: teams.map((t) => ({ rating: value(), season, teamId: t.id })),
    })),
    {
      table: 'fct_player_season_stats',
      columns: [col('minutes', 'DOUBLE'), col('playerId', 'INT64'), col('season', 'INT32')],
      rows: players.map((playerId) => ({ minutes: value(), playerId, season })),
    },
    {
      table: 'fct_recruiting_players',
      columns: [col('playerId', 'INT64'), col('ranking', 'INT64'), col('season', 'INT32')],
      rows: Array.from({ length: 100 }, (_, i) => ({ playerId: season * 1000 + i, ranking: i + 1, season })),
    },
    {
      table: 'fct_draft_picks',
      columns: [col('id', 'INT64'), col('pick', 'INT64'), col('season', 'INT32')],
      rows: Array.from({ length: 60 }, (_, i) => ({ id: season * 100 + i, pick: i + 1, season })),
    },
  ];
}
