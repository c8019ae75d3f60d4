import type { ObjectStore } from '../lake/object-store.js';
import { mapLimit } from '../util/pool.js';
import type { Logger } from '../util/logger.js';

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
  concurrency = 16,
): Promise<Set<number>> {
  const ids = new Set<number>();
  const keys: string[] = [];
  for await (const o of store.list(`${deadletterPrefix}/${endpoint}/`))
    if (o.key.endsWith('.json')) keys.push(o.key);
  await mapLimit(keys, concurrency, async (key) => {
    try {
      const record = JSON.parse(new TextDecoder().decode(await store.get(key))) as {
        reason?: unknown;
        params?: { gameId?: unknown };
      };
      const id = record.params?.gameId;
      if (record.reason === 'empty_response' && typeof id === 'number' && Number.isInteger(id)) ids.add(id);
    } catch (e) {
      logger.warn(`${key}: not a deadletter record, skipped (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  if (fromCheckpoints) for (const id of await fromCheckpoints(endpoint)) ids.add(id);
  return ids;
}
