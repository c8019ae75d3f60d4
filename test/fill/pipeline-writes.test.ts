import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaConflictError, tableRules, type LayerRules } from '../../src/fill/column-rules.js';
import { prepareGameLayers } from '../../src/fill/write-game.js';
import { openDuckDbReader } from '../helpers/duckdb-read.js';

/*
 * API-shaped records (the CBBD API's fields, camelCase, as JSON gives them) through the fill's writer, and the
 * files read back with DuckDB. Expected texts are what CPython 3.11 prints for the same values (`repr(v)`,
 * `json.dumps(v)`), written down with the expression beside them; the types are those the pipeline's
 * `normalize_records` picks, except where it would lose data (said at each such place).
 */

const GAME = { gameId: 401, season: 2024, date: '2024-01-05' };
const ON_FLOOR = [
  { id: 501, name: 'José Núñez', team: "Saint Mary's" },
  { id: 502, name: "D'Angelo O'Neil", team: "Saint Mary's" },
];
const SHOT = {
  shooter: { id: 501, name: 'José Núñez' },
  made: true,
  range: 'jumper',
  assisted: false,
  assistedBy: null,
  location: { x: 12.5, y: 3.25 },
};

function play(id: number, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    sourceId: `40100${id}`,
    gameId: 401,
    gameSourceId: '401',
    gameStartDate: '2024-01-05T00:00:00.000Z',
    season: 2024,
    seasonType: 'regular',
    gameType: 'STD',
    tournament: null,
    playType: 'JumpShot',
    isHomeTeam: true,
    teamId: 10,
    team: "Saint Mary's",
    conference: 'WCC',
    teamSeed: null,
    opponentId: 20,
    opponent: 'Gonzaga',
    opponentConference: 'WCC',
    opponentSeed: null,
    period: 1,
    clock: '19:40',
    secondsRemaining: 1180,
    homeScore: 2,
    awayScore: 0,
    homeWinProbability: 0.525,
    scoringPlay: true,
    shootingPlay: true,
    scoreValue: 2,
    wallclock: null,
    playText: 'José Núñez makes jumper',
    participants: [{ id: 501, name: 'José Núñez' }],
    onFloor: ON_FLOOR,
    shotInfo: SHOT,
    ...fields,
  };
}

/** A regular-season game: seeds and tournament null in every play; the win probability 1 (an int) before 0.5. */
const REGULAR = [
  play(1, { homeWinProbability: 1 }),
  play(2, { shotInfo: null, participants: [], scoringPlay: false, scoreValue: 0, homeWinProbability: 0.5 }),
];
/** A tournament game: the API sends seeds as numbers. */
const TOURNAMENT = [
  play(1, { seasonType: 'postseason', tournament: 'NCAA', teamSeed: 5, opponentSeed: 12 }),
  play(2, { seasonType: 'postseason', tournament: 'NCAA', teamSeed: 5, opponentSeed: 12 }),
];

const SUB_IN = { period: 1, secondsRemaining: 1200, teamPoints: 0, opponentPoints: 0 };
const SUB_OUT = { period: 1, secondsRemaining: 845, teamPoints: 12, opponentPoints: 9 };
const substitution = (athleteId: number, athlete: string) => ({
  gameId: 401,
  startDate: '2024-01-05T00:00:00.000Z',
  teamId: 10,
  team: "Saint Mary's",
  conference: 'WCC',
  athleteId,
  athlete,
  position: 'G',
  opponentId: 20,
  opponent: 'Gonzaga',
  opponentConference: 'WCC',
  subIn: SUB_IN,
  subOut: SUB_OUT,
});
const SUBSTITUTIONS = [substitution(501, 'José Núñez'), substitution(502, "D'Angelo O'Neil")];

const TEAM_STATS = {
  possessions: 12,
  points: 14,
  trueShooting: 0.583,
  fourFactors: { turnoverRatio: 0.08333333333333333 },
};
const lineup = (idHash: string) => ({
  teamId: 10,
  team: "Saint Mary's",
  conference: 'WCC',
  idHash,
  athletes: [
    { id: 501, name: 'José Núñez' },
    { id: 502, name: "D'Angelo O'Neil" },
  ],
  totalSeconds: 312,
  pace: 68.5,
  offenseRating: 112.4,
  defenseRating: 98.1,
  netRating: 14.3,
  teamStats: TEAM_STATS,
  opponentStats: TEAM_STATS,
});
const LINEUPS = [lineup('501-502'), lineup('501-503')];

const NO_CATALOG: Record<string, LayerRules> = {
  plays_game: {
    bronze: tableRules('bronze', 'cbbd_bronze', 'plays_game'),
    silver: tableRules('silver', 'cbbd_silver', 'fct_plays'),
  },
  substitutions_game: {
    bronze: tableRules('bronze', 'cbbd_bronze', 'substitutions_game'),
    silver: tableRules('silver', 'cbbd_silver', 'fct_substitutions'),
  },
  lineups_game: {
    bronze: tableRules('bronze', 'cbbd_bronze', 'lineups_game'),
    silver: tableRules('silver', 'cbbd_silver', 'fct_lineups'),
  },
};
const KEYS: Record<string, string[]> = {
  plays_game: ['id'],
  substitutions_game: ['gameId', 'athleteId', 'subIn.period', 'subIn.secondsRemaining'],
  lineups_game: ['gameId', 'idHash', 'teamId'],
};

describe("a fill's files, read back with DuckDB", () => {
  let dir: string;
  let duck: Awaited<ReturnType<typeof openDuckDbReader>>;
  let n = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-pipeline-writes-'));
    duck = await openDuckDbReader();
  });
  afterAll(async () => {
    duck.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The game's three layers on disk: raw lines, and the bronze and silver files' schema and rows. */
  async function written(
    endpoint: string,
    records: Record<string, unknown>[],
    rules = NO_CATALOG[endpoint]!,
  ) {
    const layers = prepareGameLayers(endpoint, GAME, records, KEYS[endpoint]!, rules);
    const files = {
      bronze: path.join(dir, `${++n}-bronze.parquet`),
      silver: path.join(dir, `${n}-silver.parquet`),
    };
    await writeFile(files.bronze, layers.bronze);
    await writeFile(files.silver, layers.silver);
    return {
      raw: gunzipSync(layers.raw).toString('utf8').split('\n'),
      silverTable: layers.silverTable,
      bronze: { schema: await duck.schema(files.bronze), rows: await duck.rows(files.bronze) },
      silver: { schema: await duck.schema(files.silver), rows: await duck.rows(files.silver) },
      codecs: [...(await duck.codecs(files.bronze)), ...(await duck.codecs(files.silver))],
    };
  }
  const typeOf = (schema: [string, string][], column: string) => schema.find(([c]) => c === column)?.[1];

  it('regular-season plays: all-null seeds are strings, ids INT64, season INT32, nested values as Python text', async () => {
    const w = await written('plays_game', REGULAR);
    expect(w.silverTable).toBe('fct_plays');
    expect(new Set(w.codecs)).toEqual(new Set(['SNAPPY']));
    expect(w.silver.schema).toEqual(FCT_PLAYS_SCHEMA);
    const [first, second] = w.silver.rows;
    // json.dumps([{'id': 501, 'name': 'José Núñez', 'team': "Saint Mary's"}, {'id': 502, 'name': "D'Angelo O'Neil", 'team': "Saint Mary's"}])
    expect(first!.onFloor).toBe(
      '[{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez", "team": "Saint Mary\'s"}, {"id": 502, "name": "D\'Angelo O\'Neil", "team": "Saint Mary\'s"}]',
    );
    // json.dumps({'shooter': {'id': 501, 'name': 'José Núñez'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}})
    expect(first!.shotInfo).toBe(
      '{"shooter": {"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez"}, "made": true, "range": "jumper", "assisted": false, "assistedBy": null, "location": {"x": 12.5, "y": 3.25}}',
    );
    // json.dumps([{'id': 501, 'name': 'José Núñez'}])
    expect(first!.participants).toBe('[{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez"}]');
    expect(first).toMatchObject({
      id: 1,
      gameId: 401,
      season: 2024,
      teamSeed: null,
      opponentSeed: null,
      onfloor_player1: 501,
      onfloor_player2: 502,
      onfloor_player3: null,
      participant_id: 501,
      shot_shooter_id: 501,
      shot_shooter_name: 'José Núñez',
      shot_made: true,
      shot_assisted: false,
      shot_assisted_by_id: null,
      shot_loc_x: 12.5,
      playText: 'José Núñez makes jumper',
    });
    expect(second).toMatchObject({
      shotInfo: null,
      participants: '[]',
      participant_id: null,
      shot_made: null,
    });

    // Bronze: the API's 33 fields as received, nested values as repr(value).
    expect(w.bronze.schema.map(([c]) => c)).toEqual(PLAY_FIELDS);
    expect(typeOf(w.bronze.schema, 'onFloor')).toBe('BYTE_ARRAY/UTF8');
    expect(typeOf(w.bronze.schema, 'teamSeed')).toBe('BYTE_ARRAY/UTF8');
    // repr([{'id': 501, 'name': 'José Núñez', 'team': "Saint Mary's"}, {'id': 502, 'name': "D'Angelo O'Neil", 'team': "Saint Mary's"}])
    expect(w.bronze.rows[0]!.onFloor).toBe(
      `[{'id': 501, 'name': 'José Núñez', 'team': "Saint Mary's"}, {'id': 502, 'name': "D'Angelo O'Neil", 'team': "Saint Mary's"}]`,
    );
    // repr({'shooter': {'id': 501, 'name': 'José Núñez'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}})
    expect(w.bronze.rows[0]!.shotInfo).toBe(
      "{'shooter': {'id': 501, 'name': 'José Núñez'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}}",
    );
    expect(w.bronze.rows[1]!.participants).toBe('[]');
  });

  it('a mixed int/float column is DOUBLE with every value kept (the pipeline would write INT64 1, 0)', async () => {
    const w = await written('plays_game', REGULAR);
    expect(typeOf(w.silver.schema, 'homeWinProbability')).toBe('DOUBLE');
    expect(w.silver.rows.map((r) => r.homeWinProbability)).toEqual([1, 0.5]);
    expect(typeOf(w.bronze.schema, 'homeWinProbability')).toBe('DOUBLE');
  });

  it('tournament plays: seeds are numbers, so INT64, as the pipeline infers them', async () => {
    const w = await written('plays_game', TOURNAMENT);
    expect(typeOf(w.silver.schema, 'teamSeed')).toBe('INT64');
    expect(typeOf(w.silver.schema, 'opponentSeed')).toBe('INT64');
    expect(typeOf(w.silver.schema, 'tournament')).toBe('BYTE_ARRAY/UTF8');
    expect(w.silver.rows.map((r) => [r.teamSeed, r.opponentSeed])).toEqual([
      [5, 12],
      [5, 12],
    ]);
  });

  it('substitutions: subIn and subOut as repr in silver too, every row kept', async () => {
    const w = await written('substitutions_game', SUBSTITUTIONS);
    expect(w.silverTable).toBe('fct_substitutions');
    expect(w.silver.schema).toEqual([
      ['athlete', 'BYTE_ARRAY/UTF8'],
      ['athleteId', 'INT64'],
      ['conference', 'BYTE_ARRAY/UTF8'],
      ['gameId', 'INT64'],
      ['opponent', 'BYTE_ARRAY/UTF8'],
      ['opponentConference', 'BYTE_ARRAY/UTF8'],
      ['opponentId', 'INT64'],
      ['position', 'BYTE_ARRAY/UTF8'],
      ['startDate', 'BYTE_ARRAY/UTF8'],
      ['subIn', 'BYTE_ARRAY/UTF8'],
      ['subOut', 'BYTE_ARRAY/UTF8'],
      ['team', 'BYTE_ARRAY/UTF8'],
      ['teamId', 'INT64'],
    ]);
    expect(w.silver.rows).toHaveLength(2);
    // repr({'period': 1, 'secondsRemaining': 1200, 'teamPoints': 0, 'opponentPoints': 0})
    expect(w.silver.rows[0]!.subIn).toBe(
      "{'period': 1, 'secondsRemaining': 1200, 'teamPoints': 0, 'opponentPoints': 0}",
    );
    // repr({'period': 1, 'secondsRemaining': 845, 'teamPoints': 12, 'opponentPoints': 9})
    expect(w.silver.rows[1]!.subOut).toBe(
      "{'period': 1, 'secondsRemaining': 845, 'teamPoints': 12, 'opponentPoints': 9}",
    );
    expect(w.bronze.rows[0]!.subIn).toBe(w.silver.rows[0]!.subIn);
    expect(w.silver.rows.map((r) => r.athlete)).toEqual(['José Núñez', "D'Angelo O'Neil"]);
  });

  it('lineups: gameId, season and date in raw, bronze and silver; stats as json.dumps in silver, repr in bronze', async () => {
    const w = await written('lineups_game', LINEUPS);
    // json.dumps(record) of the API record with the pipeline's season, date and gameId appended, in that order.
    expect(w.raw[0]).toBe(
      '{"teamId": 10, "team": "Saint Mary\'s", "conference": "WCC", "idHash": "501-502", "athletes": [{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez"}, {"id": 502, "name": "D\'Angelo O\'Neil"}], "totalSeconds": 312, "pace": 68.5, "offenseRating": 112.4, "defenseRating": 98.1, "netRating": 14.3, "teamStats": {"possessions": 12, "points": 14, "trueShooting": 0.583, "fourFactors": {"turnoverRatio": 0.08333333333333333}}, "opponentStats": {"possessions": 12, "points": 14, "trueShooting": 0.583, "fourFactors": {"turnoverRatio": 0.08333333333333333}}, "season": 2024, "date": "2024-01-05", "gameId": 401}',
    );
    expect(w.raw).toHaveLength(3); // two lines and the final newline
    expect(w.bronze.rows.map((r) => [r.gameId, r.season, r.date])).toEqual([
      [401, 2024, '2024-01-05'],
      [401, 2024, '2024-01-05'],
    ]);
    expect(typeOf(w.bronze.schema, 'gameId')).toBe('INT64');
    expect(typeOf(w.bronze.schema, 'season')).toBe('INT32');
    // repr([{'id': 501, 'name': 'José Núñez'}, {'id': 502, 'name': "D'Angelo O'Neil"}])
    expect(w.bronze.rows[0]!.athletes).toBe(
      `[{'id': 501, 'name': 'José Núñez'}, {'id': 502, 'name': "D'Angelo O'Neil"}]`,
    );
    // repr({'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'turnoverRatio': 0.08333333333333333}})
    expect(w.bronze.rows[0]!.teamStats).toBe(
      "{'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'turnoverRatio': 0.08333333333333333}}",
    );

    expect(w.silverTable).toBe('fct_lineups');
    expect(w.silver.schema).toEqual([
      ['athletes', 'BYTE_ARRAY/UTF8'],
      ['conference', 'BYTE_ARRAY/UTF8'],
      ['date', 'BYTE_ARRAY/UTF8'],
      ['defenserating', 'DOUBLE'],
      ['gameId', 'INT64'],
      ['idhash', 'BYTE_ARRAY/UTF8'],
      ['netrating', 'DOUBLE'],
      ['offenserating', 'DOUBLE'],
      ['opponentstats', 'BYTE_ARRAY/UTF8'],
      ['pace', 'DOUBLE'],
      ['season', 'INT32'],
      ['team', 'BYTE_ARRAY/UTF8'],
      ['teamid', 'INT64'],
      ['teamstats', 'BYTE_ARRAY/UTF8'],
      ['totalseconds', 'DOUBLE'],
    ]);
    expect(w.silver.rows).toHaveLength(2);
    // json.dumps([{'id': 501, 'name': 'José Núñez'}, {'id': 502, 'name': "D'Angelo O'Neil"}])
    expect(w.silver.rows[0]!.athletes).toBe(
      '[{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez"}, {"id": 502, "name": "D\'Angelo O\'Neil"}]',
    );
    // json.dumps({'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'turnoverRatio': 0.08333333333333333}})
    expect(w.silver.rows[0]!.teamstats).toBe(
      '{"possessions": 12, "points": 14, "trueShooting": 0.583, "fourFactors": {"turnoverRatio": 0.08333333333333333}}',
    );
    expect(w.silver.rows[0]).toMatchObject({
      gameId: 401,
      season: 2024,
      date: '2024-01-05',
      teamid: 10,
      totalseconds: 312,
    });
  });

  describe('a catalog that declares the column', () => {
    const declaring = (type: string): LayerRules => ({
      bronze: tableRules('bronze', 'cbbd_bronze', 'plays_game', [{ Name: 'teamseed', Type: type }]),
      silver: tableRules('silver', 'cbbd_silver', 'fct_plays', [{ Name: 'teamSeed', Type: type }]),
    });

    it('string: a tournament seed is written as the text str(5), UTF8, where the pipeline rule gives INT64', async () => {
      const w = await written('plays_game', TOURNAMENT, declaring('string'));
      expect(typeOf(w.silver.schema, 'teamSeed')).toBe('BYTE_ARRAY/UTF8');
      expect(typeOf(w.bronze.schema, 'teamSeed')).toBe('BYTE_ARRAY/UTF8');
      expect(w.silver.rows.map((r) => r.teamSeed)).toEqual(['5', '5']);
      expect(typeOf(w.silver.schema, 'opponentSeed')).toBe('INT64'); // not declared: the pipeline's rule
    });

    it('bigint: an all-null regular-season seed is INT64, where the pipeline rule gives a string', async () => {
      const w = await written('plays_game', REGULAR, declaring('bigint'));
      expect(typeOf(w.silver.schema, 'teamSeed')).toBe('INT64');
      expect(w.silver.rows.map((r) => r.teamSeed)).toEqual([null, null]);
    });

    it('bigint: 200.5 or "x" cannot be held, and the game is a schema conflict', () => {
      for (const seed of [200.5, 'x']) {
        const records = TOURNAMENT.map((p) => ({ ...p, teamSeed: seed }));
        expect(() => prepareGameLayers('plays_game', GAME, records, ['id'], declaring('bigint'))).toThrow(
          SchemaConflictError,
        );
      }
      expect(() =>
        prepareGameLayers(
          'plays_game',
          GAME,
          TOURNAMENT.map((p) => ({ ...p, teamSeed: 200.5 })),
          ['id'],
          declaring('bigint'),
        ),
      ).toThrow(
        /^schema_conflict: cbbd_bronze\.plays_game\.teamSeed is declared bigint in the catalog and cannot hold 200\.5 without loss$/,
      );
    });

    it('a type the bot does not write (timestamp) is a schema conflict too', () => {
      expect(() => prepareGameLayers('plays_game', GAME, TOURNAMENT, ['id'], declaring('timestamp'))).toThrow(
        /schema_conflict: .*teamSeed is declared timestamp in the catalog, a type the bot does not write/,
      );
    });
  });
});

/** The API's fields of a play, in the pipeline's (code point) order. */
const PLAY_FIELDS = [
  'awayScore',
  'clock',
  'conference',
  'gameId',
  'gameSourceId',
  'gameStartDate',
  'gameType',
  'homeScore',
  'homeWinProbability',
  'id',
  'isHomeTeam',
  'onFloor',
  'opponent',
  'opponentConference',
  'opponentId',
  'opponentSeed',
  'participants',
  'period',
  'playText',
  'playType',
  'scoreValue',
  'scoringPlay',
  'season',
  'seasonType',
  'secondsRemaining',
  'shootingPlay',
  'shotInfo',
  'sourceId',
  'team',
  'teamId',
  'teamSeed',
  'tournament',
  'wallclock',
];

/**
 * `fct_plays` of the regular-season game: the API's fields and the pipeline's derived columns in code point order,
 * typed by its hints (ids, `onfloor_player*`, `shot_*`, `season`) and otherwise by the first non-null value;
 * `teamSeed`, `opponentSeed`, `tournament`, `wallclock` (null throughout) are strings.
 */
const FCT_PLAYS_SCHEMA: [string, string][] = [
  ['awayScore', 'INT64'],
  ['clock', 'BYTE_ARRAY/UTF8'],
  ['conference', 'BYTE_ARRAY/UTF8'],
  ['gameId', 'INT64'],
  ['gameSourceId', 'BYTE_ARRAY/UTF8'],
  ['gameStartDate', 'BYTE_ARRAY/UTF8'],
  ['gameType', 'BYTE_ARRAY/UTF8'],
  ['homeScore', 'INT64'],
  ['homeWinProbability', 'DOUBLE'], // the pipeline: INT64 (its first value is 1) and 0.5 truncated to 0
  ['id', 'INT64'],
  ['isHomeTeam', 'BOOLEAN'],
  ['onFloor', 'BYTE_ARRAY/UTF8'],
  ['onfloor_player1', 'INT64'],
  ['onfloor_player10', 'INT64'],
  ...[2, 3, 4, 5, 6, 7, 8, 9].map((i): [string, string] => [`onfloor_player${i}`, 'INT64']),
  ['opponent', 'BYTE_ARRAY/UTF8'],
  ['opponentConference', 'BYTE_ARRAY/UTF8'],
  ['opponentId', 'INT64'],
  ['opponentSeed', 'BYTE_ARRAY/UTF8'],
  ['participant_id', 'INT64'],
  ['participants', 'BYTE_ARRAY/UTF8'],
  ['period', 'INT64'],
  ['playText', 'BYTE_ARRAY/UTF8'],
  ['playType', 'BYTE_ARRAY/UTF8'],
  ['scoreValue', 'INT64'],
  ['scoringPlay', 'BOOLEAN'],
  ['season', 'INT32'],
  ['seasonType', 'BYTE_ARRAY/UTF8'],
  ['secondsRemaining', 'INT64'],
  ['shootingPlay', 'BOOLEAN'],
  ['shotInfo', 'BYTE_ARRAY/UTF8'],
  ['shot_assisted', 'BOOLEAN'],
  ['shot_assisted_by_id', 'INT64'],
  ['shot_assisted_by_name', 'BYTE_ARRAY/UTF8'],
  ['shot_loc_x', 'DOUBLE'],
  ['shot_loc_y', 'DOUBLE'],
  ['shot_made', 'BOOLEAN'],
  ['shot_range', 'BYTE_ARRAY/UTF8'],
  ['shot_shooter_id', 'INT64'],
  ['shot_shooter_name', 'BYTE_ARRAY/UTF8'],
  ['sourceId', 'BYTE_ARRAY/UTF8'],
  ['team', 'BYTE_ARRAY/UTF8'],
  ['teamId', 'INT64'],
  ['teamSeed', 'BYTE_ARRAY/UTF8'],
  ['tournament', 'BYTE_ARRAY/UTF8'],
  ['wallclock', 'BYTE_ARRAY/UTF8'],
];
