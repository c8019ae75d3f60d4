import { gzipSync } from 'node:zlib';
import type { ObjectStore, PutResult } from '../lake/object-store.js';
import { bronzeKey, deadletterKey, rawKey, silverKey, type LakeLayout } from '../layout/keys.js';
import { pythonJsonDumps, type JsonValue } from '../layout/python-json.js';
import { readFooter, UnreadableFileError } from '../parquet/read.js';
import { writeParquet } from '../parquet/write.js';
import { normalizeRecords, type LayerRules, type NormalizedTable, type TableRules } from './column-rules.js';
import { toSilver, withLineupContext, type GameContext } from './silver-rows.js';

/** A write that cannot be completed without a person: the game is marked failed with this message. */
export class BlockedWriteError extends Error {
  override name = 'BlockedWriteError';
}

/** One game's three objects, serialized and ready to put. */
export interface GameLayers {
  raw: Uint8Array;
  bronze: Uint8Array;
  silverTable: string;
  silver: Uint8Array;
}

/**
 * One game's non-empty answer turned into the pipeline's three layers, in memory: lineups get their game context
 * first (raw and bronze carry it too); raw is gzipped NDJSON of Python's `json.dumps(record)`; bronze is the
 * records as received; silver is flattened and deduplicated. Every column is typed and rendered by
 * `normalizeRecords`, so a value the catalog's type cannot hold throws `SchemaConflictError` before any byte is
 * written.
 */
export function prepareGameLayers(
  endpoint: string,
  game: GameContext,
  answer: readonly Record<string, unknown>[],
  key: readonly string[],
  rules: LayerRules,
): GameLayers {
  const records = endpoint === 'lineups_game' ? withLineupContext(answer, game) : answer;
  const bronze = normalizeRecords(records, rules.bronze);
  const silver = silverTable(endpoint, records, key, rules.silver);
  return {
    raw: gzipSync(records.map((r) => pythonJsonDumps(r as JsonValue, false)).join('\n') + '\n'),
    bronze: writeParquet(bronze.columns, bronze.rows),
    silverTable: silver.table,
    silver: writeParquet(silver.columns, silver.rows),
  };
}

/** The silver table of one per-game answer (lineups with their context), flattened, deduplicated and typed. */
export function silverTable(
  endpoint: string,
  records: readonly Record<string, unknown>[],
  key: readonly string[],
  rules: TableRules,
): NormalizedTable & { table: string } {
  const silver = toSilver(endpoint, records, key);
  return { table: silver.table, ...normalizeRecords(silver.records, rules) };
}

/**
 * Writes one game's layers (`prepareGameLayers`) as the pipeline does, in its order, every object create-only:
 * raw, then bronze, then silver. Each put is atomic, so a crash leaves whole objects or none; a re-run finds the
 * earlier ones (`exists`) and completes the rest. Only when all three layers stand may the caller checkpoint the
 * game `done`.
 */
export async function writeGameLayers(
  store: ObjectStore,
  layout: LakeLayout,
  endpoint: string,
  game: GameContext,
  layers: GameLayers,
  ingestedAt: string,
): Promise<void> {
  const params = { gameId: game.gameId };
  await store.putIfAbsent(rawKey(layout, endpoint, ingestedAt, params), layers.raw, 'application/gzip');
  await store.putIfAbsent(bronzeKey(layout, endpoint, game.season, game.date, params), layers.bronze);
  const silverK = silverKey(layout, layers.silverTable, game.season, game.date, params);
  if ((await store.putIfAbsent(silverK, layers.silver)) === 'exists') await assertReadable(store, silverK);
}

/**
 * An existing silver object is either an earlier attempt of this fill (fine: puts are atomic) or something else
 * at the pipeline's key. If it cannot be read, writing create-only can never fix it: say so instead of calling
 * the game done while the audit still cannot see it.
 */
async function assertReadable(store: ObjectStore, key: string): Promise<void> {
  const info = await store.head(key);
  if (!info) return;
  try {
    await readFooter(store, info);
  } catch (e) {
    if (e instanceof UnreadableFileError) {
      throw new BlockedWriteError(
        `${key} already exists and is not readable Parquet; remove it (with a backup) and fill again`,
      );
    }
    throw e;
  }
}

/** The pipeline's record of an empty answer (its `json.dumps` text), so the audit stops counting the game as missing. */
export async function writeEmptyDeadletter(
  store: ObjectStore,
  layout: LakeLayout,
  endpoint: string,
  gameId: number,
  ingestedAt: string,
): Promise<PutResult> {
  const params = { gameId };
  const body = pythonJsonDumps({ reason: 'empty_response', params, endpoint }, false);
  return store.putIfAbsent(
    deadletterKey(layout, endpoint, ingestedAt, params),
    new TextEncoder().encode(body),
    'application/json',
  );
}
