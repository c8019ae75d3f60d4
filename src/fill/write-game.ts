import { gzipSync } from 'node:zlib';
import type { ObjectStore, PutResult } from '../lake/object-store.js';
import { bronzeKey, deadletterKey, rawKey, silverKey, type LakeLayout } from '../layout/keys.js';
import { readFooter, UnreadableFileError } from '../parquet/read.js';
import { writeParquet } from '../parquet/write.js';
import { toBronze } from './bronze-rows.js';
import { toSilver, type GameContext } from './silver-rows.js';

/** A write that cannot be completed without a person: the game is marked failed with this message. */
export class BlockedWriteError extends Error {
  override name = 'BlockedWriteError';
}

/**
 * Writes one game's non-empty answer as the pipeline does, in its order, every object create-only: raw gzipped
 * NDJSON, then bronze Parquet as received, then silver Parquet flattened and deduplicated. Each put is atomic,
 * so a crash leaves whole objects or none; a re-run finds the earlier ones (`exists`) and completes the rest.
 * Only when all three layers stand may the caller checkpoint the game `done`.
 */
export async function writeGameLayers(
  store: ObjectStore,
  layout: LakeLayout,
  endpoint: string,
  game: GameContext,
  records: readonly Record<string, unknown>[],
  ingestedAt: string,
  key: readonly string[],
): Promise<void> {
  const params = { gameId: game.gameId };
  const rawK = rawKey(layout, endpoint, ingestedAt, params);
  await store.putIfAbsent(
    rawK,
    gzipSync(records.map((r) => JSON.stringify(r)).join('\n') + '\n'),
    'application/gzip',
  );

  const bronze = toBronze(records);
  const bronzeK = bronzeKey(layout, endpoint, game.season, game.date, params);
  await store.putIfAbsent(bronzeK, writeParquet(bronze.columns, bronze.rows));

  const silver = toSilver(endpoint, records, game, key);
  const silverK = silverKey(layout, silver.table, game.season, game.date, params);
  const silverResult = await store.putIfAbsent(silverK, writeParquet(silver.columns, silver.rows));
  if (silverResult === 'exists') await assertReadable(store, silverK);
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

/** The pipeline's record of an empty answer, so the audit stops counting the game as missing. */
export async function writeEmptyDeadletter(
  store: ObjectStore,
  layout: LakeLayout,
  endpoint: string,
  gameId: number,
  ingestedAt: string,
): Promise<PutResult> {
  const params = { gameId };
  const body = JSON.stringify({ reason: 'empty_response', params, endpoint });
  return store.putIfAbsent(
    deadletterKey(layout, endpoint, ingestedAt, params),
    new TextEncoder().encode(body),
    'application/json',
  );
}
