/**
 * Silver columns as the pipeline writes them: the sorted union of the API's fields and the pipeline's derived
 * columns, typed by its hints (`id`, `gameId`, `teamId`… int64; `season` int32). Nested values are JSON text.
 */

import type { ColumnSpec, ColumnType } from '../parquet/write.js';

function columns(types: Record<string, ColumnType>): ColumnSpec[] {
  // Python sorts column names by code point: uppercase before lowercase, `onFloor` before `onfloor_player1`.
  return Object.keys(types)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, type: types[name] as ColumnType }));
}

const onFloorColumns = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [`onfloor_player${i + 1}`, 'INT64' as ColumnType]),
);

/** `fct_plays`: 33 API fields, `onfloor_player1..10`, `participant_id` and nine `shot_*` columns. */
export const FCT_PLAYS_COLUMNS = columns({
  awayScore: 'INT64',
  clock: 'STRING',
  conference: 'STRING',
  gameId: 'INT64',
  gameSourceId: 'STRING',
  gameStartDate: 'STRING',
  gameType: 'STRING',
  homeScore: 'INT64',
  homeWinProbability: 'DOUBLE',
  id: 'INT64',
  isHomeTeam: 'BOOLEAN',
  onFloor: 'STRING',
  ...onFloorColumns,
  opponent: 'STRING',
  opponentConference: 'STRING',
  opponentId: 'INT64',
  opponentSeed: 'INT64',
  participant_id: 'INT64',
  participants: 'STRING',
  period: 'INT64',
  playText: 'STRING',
  playType: 'STRING',
  scoreValue: 'INT64',
  scoringPlay: 'BOOLEAN',
  season: 'INT32',
  seasonType: 'STRING',
  secondsRemaining: 'INT64',
  shootingPlay: 'BOOLEAN',
  shotInfo: 'STRING',
  shot_assisted: 'BOOLEAN',
  shot_assisted_by_id: 'INT64',
  shot_assisted_by_name: 'STRING',
  shot_loc_x: 'DOUBLE',
  shot_loc_y: 'DOUBLE',
  shot_made: 'BOOLEAN',
  shot_range: 'STRING',
  shot_shooter_id: 'INT64',
  shot_shooter_name: 'STRING',
  sourceId: 'STRING',
  team: 'STRING',
  teamId: 'INT64',
  teamSeed: 'INT64',
  tournament: 'STRING',
  wallclock: 'STRING',
});

/** `fct_substitutions`: the API's 13 fields; `subIn`/`subOut` as JSON text. No season column, as in the pipeline. */
export const FCT_SUBSTITUTIONS_COLUMNS = columns({
  athlete: 'STRING',
  athleteId: 'INT64',
  conference: 'STRING',
  gameId: 'INT64',
  opponent: 'STRING',
  opponentConference: 'STRING',
  opponentId: 'INT64',
  position: 'STRING',
  startDate: 'STRING',
  subIn: 'STRING',
  subOut: 'STRING',
  team: 'STRING',
  teamId: 'INT64',
});

/** `fct_lineups`: the pipeline lowercases the key and rating columns and attaches `gameId`, `season`, `date`. */
export const FCT_LINEUPS_COLUMNS = columns({
  athletes: 'STRING',
  conference: 'STRING',
  date: 'STRING',
  defenserating: 'DOUBLE',
  gameId: 'INT64',
  idhash: 'STRING',
  netrating: 'DOUBLE',
  offenserating: 'DOUBLE',
  opponentstats: 'STRING',
  pace: 'DOUBLE',
  season: 'INT32',
  team: 'STRING',
  teamid: 'INT64',
  teamstats: 'STRING',
  totalseconds: 'DOUBLE',
});

/** `fct_games`: the API's 39 fields plus `gameId` (from `id`). */
export const FCT_GAMES_COLUMNS = columns({
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
});
