/**
 * The pipeline's silver records of the per-game endpoints (`_apply_key_aliases` in its `orchestrate.py`), before
 * `normalizeRecords` types them: fields the pipeline derives are added, its JSON columns hold `json.dumps` text,
 * and every other nested value stays as it is (it becomes `repr` text in a string column, as in the pipeline).
 */

import { ENDPOINT_TABLES } from '../config/pipeline-tables.js';
import { pythonJsonDumps, type JsonValue } from '../layout/python-json.js';
import { rowKey } from '../layout/row-key.js';

/** Where a game's rows land: its season and UTC date, taken from `fct_games`. */
export interface GameContext {
  gameId: number;
  season: number;
  date: string;
}

type Json = Record<string, unknown>;

const isDict = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
/** `_normalize_jsonish`: a list or dict as `json.dumps(value)` with Python's defaults, anything else as it is. */
const jsonText = (v: unknown): unknown =>
  v !== null && typeof v === 'object' ? pythonJsonDumps(v as JsonValue, false) : (v ?? null);
/** `_to_int` refuses booleans; other values go on to the column's int64 hint, which refuses what would be lost. */
const toInt = (v: unknown): unknown => (typeof v === 'boolean' ? null : (v ?? null));

/**
 * `fct_plays`: `onFloor`, `participants`, `shotInfo` as JSON text; their ids and shot facts flattened into
 * `onfloor_player1..10` (API order), `participant_id` (the first participant) and the nine `shot_*` columns,
 * each set only when the nested value has the shape the pipeline looks for.
 */
export function playsToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) => {
    const out: Json = { ...rec };
    const onFloor = rec.onFloor ?? rec.onfloor;
    const shot = rec.shotInfo ?? rec.shotinfo;
    out.onFloor = jsonText(onFloor);
    out.participants = jsonText(rec.participants);
    out.shotInfo = jsonText(shot);
    if (Array.isArray(onFloor)) {
      const ids = onFloor.filter(isDict).map((p) => toInt(p.id));
      for (let i = 0; i < 10; i++) out[`onfloor_player${i + 1}`] = ids[i] ?? null;
    }
    if (Array.isArray(rec.participants)) {
      const first: unknown = rec.participants[0];
      out.participant_id = isDict(first) ? toInt(first.id) : null;
    }
    if (isDict(shot)) {
      const shooter = isDict(shot.shooter) ? shot.shooter : {};
      const assistedBy = isDict(shot.assistedBy) ? shot.assistedBy : {};
      const location = isDict(shot.location) ? shot.location : {};
      out.shot_shooter_id = toInt(shooter.id);
      out.shot_shooter_name = shooter.name ?? null;
      out.shot_made = shot.made ?? null;
      out.shot_range = shot.range ?? null;
      out.shot_assisted = shot.assisted ?? null;
      out.shot_assisted_by_id = toInt(assistedBy.id);
      out.shot_assisted_by_name = assistedBy.name ?? null;
      out.shot_loc_x = location.x ?? null;
      out.shot_loc_y = location.y ?? null;
    }
    return out;
  });
}

/** `fct_substitutions`: the API record as it is; `subIn`/`subOut` become `repr` text (the pipeline has no JSON branch here). */
export function substitutionsToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) => ({ ...rec }));
}

/** The camelCase fields the pipeline copies into lower-case columns of `fct_lineups`, then drops. */
const LINEUP_RENAMES: readonly [string, string][] = [
  ['teamId', 'teamid'],
  ['idHash', 'idhash'],
  ['totalSeconds', 'totalseconds'],
  ['defenseRating', 'defenserating'],
  ['netRating', 'netrating'],
  ['offenseRating', 'offenserating'],
];

/**
 * `fct_lineups`: the pipeline's lower-case columns in place of the API's camelCase ones (each set only when it
 * has a value, as there), and `athletes`, `teamstats`, `opponentstats` as JSON text. The records already carry
 * `gameId`, `season` and `date` (`withLineupContext`).
 */
export function lineupsToSilver(records: readonly Json[]): Json[] {
  return records.map((rec) => {
    const out: Json = { ...rec };
    for (const [camel, lower] of LINEUP_RENAMES) {
      if (out[lower] == null && out[camel] != null) out[lower] = out[camel];
      delete out[camel];
    }
    out.opponentstats = jsonText(out.opponentstats ?? out.opponentStats);
    out.teamstats = jsonText(out.teamstats ?? out.teamStats);
    out.athletes = jsonText(out.athletes);
    delete out.opponentStats;
    delete out.teamStats;
    return out;
  });
}

/**
 * The API sends lineups without their game: the pipeline adds `season`, `date` and `gameId` (when absent) to each
 * record before it writes raw, so raw, bronze and silver all carry them.
 */
export function withLineupContext(records: readonly Json[], game: GameContext): Json[] {
  return records.map((rec) => {
    const out: Json = { ...rec };
    if (out.season == null && out.year == null) out.season = game.season;
    if (out.date == null) out.date = game.date;
    if (out.gameId == null && out.gameid == null) out.gameId = game.gameId;
    return out;
  });
}

/** One silver table's records for one API answer, deduplicated, not yet typed. */
export interface SilverRecords {
  table: string;
  records: Json[];
}

/**
 * The silver records of one per-game answer (lineups with their context already added), keeping the first row
 * of each key; rows whose key parts are all missing are kept, not collapsed into one.
 */
export function toSilver(endpoint: string, records: readonly Json[], key: readonly string[]): SilverRecords {
  const table = ENDPOINT_TABLES[endpoint];
  if (!table) throw new Error(`no silver table for endpoint ${endpoint}`);
  const shaped =
    endpoint === 'plays_game'
      ? playsToSilver(records)
      : endpoint === 'substitutions_game'
        ? substitutionsToSilver(records)
        : lineupsToSilver(records);
  return { table, records: dedupe(shaped, key) };
}

/** First row of each key wins. */
export function dedupe(rows: readonly Json[], key: readonly string[]): Json[] {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
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
