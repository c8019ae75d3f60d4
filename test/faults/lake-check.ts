import { gunzipSync } from 'node:zlib';
import type { CheckpointStore, GameCheckpoint } from '../../src/checkpoint/checkpoint-store.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import { readColumns, readFooter } from '../../src/parquet/read.js';

/**
 * What a fault scenario checks after its runs, read straight from the lake and the checkpoints (never through a
 * fault proxy): every object whole, every game in silver exactly once, no `done` without its silver object.
 */
export interface LakeState {
  /** Objects under raw/, bronze/, silver/ and deadletter/ that do not parse, with why. */
  partial: string[];
  objects: number;
  /** Expected games with no silver file, and games in more than one. */
  missing: number[];
  duplicated: number[];
  /** Games checkpointed `done` whose silver object is not there. */
  doneWithoutSilver: number[];
  /** Games whose silver rows are not the API's answer (a cut-short or padded answer written as data). */
  wrongRows: number[];
}

/** Partial objects, missing and duplicated games, wrong rows, done-without-silver: what `dataLost` counts. */
export const lossOf = (s: LakeState) =>
  s.partial.length + s.missing.length + s.duplicated.length + s.doneWithoutSilver.length + s.wrongRows.length;

/** What a whole lake looks like to `inspectLake`. */
export const WHOLE = { partial: [], missing: [], duplicated: [], doneWithoutSilver: [], wrongRows: [] };

/**
 * Reads every object under raw/, bronze/, silver/ and deadletter/ (Parquet footers, gzipped NDJSON, JSON), counts
 * the silver files and rows of each game of `want.season`, and compares the checkpoints with what silver holds.
 */
export async function inspectLake(
  store: ObjectStore,
  want: {
    table: string;
    season: number;
    gameIds: readonly number[];
    endpoint: string;
    /** Rows each game has in silver. */
    rows: (gameId: number) => number;
  },
  checkpoints: CheckpointStore,
): Promise<LakeState> {
  const partial: string[] = [];
  let objects = 0;
  for (const prefix of ['raw/', 'bronze/', 'silver/', 'deadletter/']) {
    for await (const o of store.list(prefix)) {
      objects++;
      const why = await unreadable(store, o);
      if (why) partial.push(`${o.key}: ${why}`);
    }
  }
  const files = new Map<number, number>();
  const rows = new Map<number, number>();
  for await (const o of store.list(`silver/${want.table}/season=${want.season}/`)) {
    if (!o.key.endsWith('.parquet')) continue;
    try {
      const metadata = await readFooter(store, o);
      const ids = (await readColumns(store, o, metadata, ['gameId'])).get('gameId') ?? [];
      for (const id of new Set(ids)) if (typeof id === 'number') files.set(id, (files.get(id) ?? 0) + 1);
      for (const id of ids) if (typeof id === 'number') rows.set(id, (rows.get(id) ?? 0) + 1);
    } catch {
      // Counted in `partial` above.
    }
  }
  const state = await checkpoints.getMany(want.endpoint, want.gameIds);
  return {
    partial,
    objects,
    missing: want.gameIds.filter((id) => !files.has(id)),
    duplicated: [...files].filter(([, n]) => n > 1).map(([id]) => id),
    wrongRows: [...rows].filter(([id, n]) => n !== want.rows(id)).map(([id]) => id),
    doneWithoutSilver: [...state.values()]
      .filter((c) => c.status === 'done' && !files.has(c.gameId))
      .map((c) => c.gameId),
  };
}

async function unreadable(store: ObjectStore, o: { key: string; size: number }): Promise<string | undefined> {
  try {
    if (o.key.endsWith('.parquet')) await readFooter(store, o);
    else if (o.key.endsWith('.json.gz')) {
      const lines = gunzipSync(await store.get(o.key))
        .toString('utf8')
        .trimEnd()
        .split('\n');
      for (const line of lines) JSON.parse(line);
    } else if (o.key.endsWith('.json')) JSON.parse(new TextDecoder().decode(await store.get(o.key)));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A checkpoint no run will touch again: done, failed, or leased with its lease run out. */
export function settled(c: GameCheckpoint, now = Date.now()): boolean {
  return (
    c.status === 'done' || c.status === 'failed' || (c.status === 'leased' && (c.leaseExpiresAt ?? 0) < now)
  );
}
