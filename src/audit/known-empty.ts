import type { ObjectInfo, ObjectStore } from '../lake/object-store.js';
import { mapLimit } from '../util/pool.js';
import type { Logger } from '../util/logger.js';

/**
 * What earlier audits learned from deadletter records, by key, size and ETag (the audit manifest): a record read
 * once is not read again while it is unchanged. `gameId` is null for a record that is not an `empty_response`.
 */
export interface DeadletterCache {
  lookup(record: ObjectInfo): { gameId: number | null } | undefined;
  record(record: ObjectInfo, gameId: number | null): void;
}

/**
 * Game ids the API answered with `[]` for an endpoint: the pipeline's deadletter records with reason
 * `empty_response` (`deadletter/<endpoint>/ingested_at=…/part-….json`), plus the bot's own checkpoints marked
 * `empty`. These are not gaps: there is nothing to fetch.
 */
export async function knownEmptyIds(
  store: ObjectStore,
  deadletterPrefix: string,
  endpoint: string,
  fromCheckpoints: ((endpoint: string) => Promise<Iterable<number>>) | undefined,
  logger: Logger,
  opts: { concurrency?: number; cache?: DeadletterCache | undefined } = {},
): Promise<Set<number>> {
  const ids = new Set<number>();
  const records: ObjectInfo[] = [];
  for await (const o of store.list(`${deadletterPrefix}/${endpoint}/`)) {
    if (!o.key.endsWith('.json')) continue;
    const known = opts.cache?.lookup(o);
    if (!known) records.push(o);
    else if (known.gameId !== null) ids.add(known.gameId);
  }
  await mapLimit(records, opts.concurrency ?? 16, async (o) => {
    const key = o.key;
    try {
      const record = JSON.parse(new TextDecoder().decode(await store.get(key))) as {
        reason?: unknown;
        params?: { gameId?: unknown };
      };
      const id = record.params?.gameId;
      const empty = record.reason === 'empty_response' && typeof id === 'number' && Number.isInteger(id);
      if (empty) ids.add(id);
      // A record that is no JSON is not remembered: it is read, and warned about, again next time.
      opts.cache?.record(o, empty ? id : null);
    } catch (e) {
      logger.warn(`${key}: not a deadletter record, skipped (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  if (fromCheckpoints) for (const id of await fromCheckpoints(endpoint)) ids.add(id);
  return ids;
}
