import { paramsHash } from '../layout/hash.js';
import { UsageError } from '../util/errors.js';

/** A shard of a fill: `index` of `count`, 1-based as written on the command line (`--shard 2/3`). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `I/N`. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: "${text}" is not I/N (e.g. 1/3)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 256) throw new UsageError(`${flag}: ${count} shards; use 1 to 256`);
  if (index < 1 || index > count)
    throw new UsageError(
      `${flag}: shard ${index} of ${count} does not exist; use 1/${count} to ${count}/${count}`,
    );
  return { index, count };
}

/**
 * The shard a game belongs to, from a hash of its id (the pipeline's params hash), so shards do not move when
 * the set of missing games changes between runs.
 */
export function shardOf(gameId: number, count: number): number {
  return (Number.parseInt(paramsHash({ gameId }).slice(0, 8), 16) % count) + 1;
}

/** `I/N` as text. */
export function shardName(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
