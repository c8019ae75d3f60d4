import type { ColumnSpec } from '../parquet/write.js';
import { rowKey } from '../layout/row-key.js';
import {
  FCT_GAMES_COLUMNS,
  FCT_LINEUPS_COLUMNS,
  FCT_PLAYS_COLUMNS,
  FCT_SUBSTITUTIONS_COLUMNS,
} from './silver-schemas.js';

/** Where a game's rows land: its season and UTC date, taken from `fct_games`. */
export interface GameContext {
  gameId: number;
  season: number;
  date: string;
}

/** One silver table's rows for one API answer, ready to write. */
export interface SilverRows {
  table: string;
  columns: ColumnSpec[];
  rows: Record<string, unknown>[];
}

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const toInt = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
};
const toFloat = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};
const toBool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * Builds a row with exactly `columns`, in column order. Every row of a table then has the same hidden class in
 * V8; spreading an API record and adding twenty derived fields instead left rows in dictionary mode, which made
 * reading them back for the Parquet writer six times slower.
 */
function shaped(columns: readonly ColumnSpec[], value: (name: string) => unknown): Json {
  const row: Json = {};
  for (const c of columns) row[c.name] = value(c.name) ?? null;
  return row;
}

/**
 * `fct_plays` as the pipeline flattens it: `onFloor` ids into `onfloor_player1..10` (API order),
 * the first participant into `participant_id`, `shotInfo` into `shot_*`; the nested values stay as JSON text.
 */
export function playsToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) => {
    const onFloor = Array.isArray(rec.onFloor) ? (rec.onFloor as unknown[]) : [];
    const participants = Array.isArray(rec.participants) ? (rec.participants as unknown[]) : undefined;
    const shot = asObject(rec.shotInfo);
    const shooter = asObject(shot?.shooter);
    const assistedBy = asObject(shot?.assistedBy);
    const location = asObject(shot?.location);
    const derived: Json = {
      onFloor: jsonText(rec.onFloor),
      participants: jsonText(rec.participants),
      shotInfo: jsonText(rec.shotInfo),
      participant_id: participants && participants.length > 0 ? toInt(asObject(participants[0])?.id) : null,
      shot_shooter_id: toInt(shooter?.id),
      shot_shooter_name: typeof shooter?.name === 'string' ? shooter.name : null,
      shot_made: toBool(shot?.made),
      shot_range: typeof shot?.range === 'string' ? shot.range : null,
      shot_assisted: toBool(shot?.assisted),
      shot_assisted_by_id: toInt(assistedBy?.id),
      shot_assisted_by_name: typeof assistedBy?.name === 'string' ? assistedBy.name : null,
      shot_loc_x: toFloat(location?.x),
      shot_loc_y: toFloat(location?.y),
    };
    for (let i = 0; i < 10; i++) derived[`onfloor_player${i + 1}`] = toInt(asObject(onFloor[i])?.id);
    return shaped(FCT_PLAYS_COLUMNS, (name) => (name in derived ? derived[name] : rec[name]));
  });
}

/** `fct_substitutions`: the API record with `subIn`/`subOut` as JSON text. */
export function substitutionsToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) =>
    shaped(FCT_SUBSTITUTIONS_COLUMNS, (name) =>
      name === 'subIn' || name === 'subOut' ? jsonText(rec[name]) : rec[name],
    ),
  );
}

/** `fct_lineups`: the pipeline's lowercase columns, nested stats as JSON text, and the game the API leaves out. */
export function lineupsToSilver(records: readonly Json[], game: GameContext): Json[] {
  return records.map((rec) => {
    const derived: Json = {
      athletes: jsonText(rec.athletes),
      conference: rec.conference,
      date: game.date,
      defenserating: toFloat(rec.defenseRating),
      gameId: game.gameId,
      idhash: rec.idHash,
      netrating: toFloat(rec.netRating),
      offenserating: toFloat(rec.offenseRating),
      opponentstats: jsonText(rec.opponentStats),
      pace: toFloat(rec.pace),
      season: game.season,
      team: rec.team,
      teamid: toInt(rec.teamId),
      teamstats: jsonText(rec.teamStats),
      totalseconds: toFloat(rec.totalSeconds),
    };
    return shaped(FCT_LINEUPS_COLUMNS, (name) => derived[name]);
  });
}

/** `fct_games`: `gameId` from the API's `id`, period points as JSON text. */
export function gamesToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) =>
    shaped(FCT_GAMES_COLUMNS, (name) =>
      name === 'gameId'
        ? (rec.gameId ?? rec.id)
        : name === 'homePeriodPoints' || name === 'awayPeriodPoints'
          ? jsonText(rec[name])
          : rec[name],
    ),
  );
}

/** The silver table each per-game endpoint fills. */
export const ENDPOINT_TABLES: Record<string, string> = {
  plays_game: 'fct_plays',
  substitutions_game: 'fct_substitutions',
  lineups_game: 'fct_lineups',
};

/**
 * Turns one per-game API answer into its silver rows, keeping the first row of each key (the pipeline's
 * dedupe; rows whose key parts are all missing are kept, not collapsed into one).
 */
export function toSilver(
  endpoint: string,
  records: readonly Json[],
  game: GameContext,
  key: readonly string[],
): SilverRows {
  const table = ENDPOINT_TABLES[endpoint];
  if (!table) throw new Error(`no silver table for endpoint ${endpoint}`);
  const { columns, rows } =
    endpoint === 'plays_game'
      ? { columns: FCT_PLAYS_COLUMNS, rows: playsToSilver(records) }
      : endpoint === 'substitutions_game'
        ? { columns: FCT_SUBSTITUTIONS_COLUMNS, rows: substitutionsToSilver(records) }
        : { columns: FCT_LINEUPS_COLUMNS, rows: lineupsToSilver(records, game) };
  return {
    table,
    columns,
    rows: dedupe(
      rows,
      key,
      columns.map((c) => c.name),
    ),
  };
}

/** First row of each key wins. */
export function dedupe(rows: readonly Json[], key: readonly string[], columns: readonly string[]): Json[] {
  const seen = new Set<string>();
  const out: Json[] = [];
  const empty = JSON.stringify(key.map(() => null));
  for (const row of rows) {
    const k = rowKey(row, key, columns);
    if (k !== empty) {
      if (seen.has(k)) continue;
      seen.add(k);
    }
    out.push(row);
  }
  return out;
}
