import type { ColumnType } from '../parquet/write.js';

/**
 * The pipeline's type hints (`normalize.py`): a hinted column gets its type whatever its values are. The common
 * hints apply to every table, bronze and silver, and win over a table's own (the pipeline applies them last).
 * `startTime`/`endTime` (timestamps there) are left out: no per-game endpoint sends them.
 */
const COMMON_HINTS: Readonly<Record<string, ColumnType>> = {
  id: 'INT64',
  gameId: 'INT64',
  playerId: 'INT64',
  teamId: 'INT64',
  homeTeamId: 'INT64',
  awayTeamId: 'INT64',
  season: 'INT32',
  year: 'INT32',
  week: 'INT32',
  date: 'STRING',
};

const onFloorHints = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [`onfloor_player${i + 1}`, 'INT64' as ColumnType]),
);

/** The pipeline's `TABLE_SPECS` hints of the silver tables the bot writes. Bronze tables have none of their own. */
const SILVER_HINTS: Readonly<Record<string, Readonly<Record<string, ColumnType>>>> = {
  fct_plays: {
    ...onFloorHints,
    participant_id: 'INT64',
    shot_shooter_id: 'INT64',
    shot_shooter_name: 'STRING',
    shot_made: 'BOOLEAN',
    shot_range: 'STRING',
    shot_assisted: 'BOOLEAN',
    shot_assisted_by_id: 'INT64',
    shot_assisted_by_name: 'STRING',
    shot_loc_x: 'DOUBLE',
    shot_loc_y: 'DOUBLE',
  },
  fct_substitutions: {},
  fct_lineups: {
    athletes: 'STRING',
    conference: 'STRING',
    defenserating: 'DOUBLE',
    idhash: 'STRING',
    netrating: 'DOUBLE',
    offenserating: 'DOUBLE',
    opponentstats: 'STRING',
    pace: 'DOUBLE',
    team: 'STRING',
    teamid: 'INT64',
    teamstats: 'STRING',
    totalseconds: 'DOUBLE',
  },
};

/** The hints of a bronze table (an endpoint's name) or a silver table, common hints last. */
export function typeHints(layer: 'bronze' | 'silver', table: string): Readonly<Record<string, ColumnType>> {
  return layer === 'silver' ? { ...SILVER_HINTS[table], ...COMMON_HINTS } : COMMON_HINTS;
}
