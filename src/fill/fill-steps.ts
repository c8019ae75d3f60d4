import { ENDPOINT_TABLES } from '../config/pipeline-tables.js';
import { ApiKeyError, type FetchOutcome } from '../source/cbbd-client.js';
import { errorMessage, QuotaExhaustedError } from '../util/errors.js';
import { SchemaConflictError } from './column-rules.js';
import { reportProgress, type FillRun } from './fill-run.js';
import type { GameTarget } from './targets.js';
import { prepareGameLayers, writeEmptyDeadletter, writeGameLayers } from './write-game.js';

/*
 * The steps of one shard's fill, in the order they run: lock the shards, then per game lease, fetch, write and
 * finish (or fail), then release the locks. Each works on the run's state (fill-run.ts) and nothing else.
 */

/** How soon a game another run holds is asked for again. */
export const RECHECK_MS = 1000;

/**
 * Step 1: one shard lock per season. A season another run holds is left to it (its games counted as `held`);
 * the games of the seasons locked go on the queue.
 */
export async function lockShards(run: FillRun): Promise<void> {
  const { job, ports, result } = run;
  for (const season of [...new Set(job.targets.map((t) => t.season))].sort((a, b) => a - b)) {
    const games = job.targets.filter((t) => t.season === season);
    const ref = { endpoint: job.endpoint, season, shard: result.shard };
    const lock = await ports.checkpoints.acquireShardLock(ref, job.owner, job.leaseMs);
    if (!lock.acquired) {
      ports.logger.info(
        `${job.endpoint} ${season} shard ${result.shard} is being filled by ${lock.holder} (until ${new Date(lock.expiresAt).toISOString()}); leaving it to that run`,
      );
      result.seasons.push({ season, ran: false, heldBy: lock.holder });
      run.held += games.length;
      continue;
    }
    run.locks.push(ref);
    result.seasons.push({ season, ran: true });
    run.queue.push(...games);
  }
  run.total = run.queue.length;
}

/**
 * The next game to ask a lease for: the queue first, then games another run held, each once its `notBefore` is
 * reached. Nothing once the fill has stopped or crashed.
 */
export async function nextGame(run: FillRun, now: () => number, sleep: (ms: number) => Promise<void>) {
  for (;;) {
    if (run.result.stoppedBy || run.crashed) return undefined;
    if (run.queue.length > 0) return run.queue.shift();
    if (run.deferred.length === 0) return undefined;
    run.deferred.sort((a, b) => a.notBefore - b.notBefore);
    const wait = run.deferred[0]!.notBefore - now();
    if (wait <= 0) return run.deferred.shift()!.game;
    await sleep(Math.min(wait, RECHECK_MS));
  }
}

/**
 * Step 2: a conditional lease on the game. True when this run holds it. A game another run holds is asked again
 * within RECHECK_MS, or when that lease runs out if sooner: a live holder is usually quick, and a dead one's
 * lease expires. A finished game is skipped. A store error puts the game back on the queue (left, not lost).
 */
export async function leaseGame(run: FillRun, game: GameTarget, now: () => number): Promise<boolean> {
  const { job, ports } = run;
  const lease = await ports.checkpoints
    .tryLease(job.endpoint, game.gameId, game.season, job.owner, job.leaseMs)
    .catch((e: unknown) => {
      run.queue.unshift(game);
      throw e;
    });
  if (lease.taken) {
    run.leased.add(game.gameId);
    return true;
  }
  const c = lease.current;
  if (c.status === 'leased' && c.leaseExpiresAt !== undefined) {
    run.deferred.push({ game, notBefore: Math.min(c.leaseExpiresAt + 50, now() + RECHECK_MS) });
    return false;
  }
  run.result.skipped.push({ gameId: game.gameId, reason: c.status });
  reportProgress(run);
  return false;
}

/**
 * Step 3: one fetch of a leased game. The monthly quota or a refused key stops the fill: the game is released
 * untouched and put back on the queue (left, not failed), and `undefined` returned. Any other error is the
 * game's: it comes back as a `failed` outcome.
 */
export async function fetchGame(run: FillRun, game: GameTarget): Promise<FetchOutcome | undefined> {
  const { job, ports, result } = run;
  try {
    return await ports.client.fetchGame(job.endpoint, game.gameId);
  } catch (e) {
    if (e instanceof QuotaExhaustedError || e instanceof ApiKeyError) {
      result.stoppedBy ??= e instanceof QuotaExhaustedError ? 'quota' : 'api-key';
      result.stopMessage ??= e.message;
      run.queue.unshift(game);
      await ports.checkpoints.release(job.endpoint, game.gameId, job.owner);
      return undefined;
    }
    return { kind: 'failed', reason: `fetch: ${errorMessage(e)}`, attempts: 1 };
  }
}

/**
 * Step 4: the game's layers written create-only (raw, bronze, silver; the deadletter record for an empty answer),
 * and their partitions noted for the catalog. Returns the status to finish the game with.
 */
export async function writeGame(
  run: FillRun,
  game: GameTarget,
  outcome: Exclude<FetchOutcome, { kind: 'failed' }>,
  ingestedAt: string,
): Promise<'done' | 'empty'> {
  const { job, ports } = run;
  if (outcome.kind === 'empty') {
    await writeEmptyDeadletter(ports.store, ports.layout, job.endpoint, game.gameId, ingestedAt);
    return 'empty';
  }
  const layers = prepareGameLayers(job.endpoint, game, outcome.records, job.key, job.rules);
  await writeGameLayers(ports.store, ports.layout, job.endpoint, game, layers, ingestedAt);
  const partitions = [
    { name: 'season', value: String(game.season) },
    { name: 'date', value: game.date },
  ];
  run.result.partitions.push(
    { database: job.databases.bronze, table: job.endpoint, partitions },
    { database: job.databases.silver, table: ENDPOINT_TABLES[job.endpoint]!, partitions },
  );
  return 'done';
}

/**
 * Step 5: the checkpoint, only after the layers are written. A lease lost meanwhile (another run took the game
 * over) skips it: the other run checkpoints it.
 */
export async function finishGame(
  run: FillRun,
  game: GameTarget,
  status: 'done' | 'empty',
  ingestedAt: string,
): Promise<void> {
  const { job, ports, result } = run;
  if (await ports.checkpoints.finish(job.endpoint, game.gameId, job.owner, status, ingestedAt))
    result[status].push(game.gameId);
  else
    result.skipped.push({
      gameId: game.gameId,
      reason:
        status === 'done'
          ? 'lease lost before the checkpoint (its layers are written)'
          : 'lease lost before the checkpoint',
    });
}

/** A game that failed: logged, counted, and checkpointed `failed` with the reason (the next run tries it again). */
export async function failGame(run: FillRun, game: GameTarget, reason: string): Promise<void> {
  const { job, ports } = run;
  ports.logger.warn(`${job.endpoint} game ${game.gameId} failed: ${reason}`);
  run.result.failed.push({ gameId: game.gameId, reason });
  await ports.checkpoints.fail(job.endpoint, game.gameId, job.owner, reason);
}

/** Steps 3 to 5 for a game this run holds: fetch, write, finish, or fail with the reason. */
export async function fillGame(run: FillRun, game: GameTarget): Promise<void> {
  try {
    const outcome = await fetchGame(run, game);
    if (!outcome) return;
    if (outcome.kind === 'failed') return await failGame(run, game, outcome.reason);
    const ingestedAt = run.ports.ingestedAt();
    try {
      await finishGame(run, game, await writeGame(run, game, outcome, ingestedAt), ingestedAt);
    } catch (e) {
      // A schema conflict is the answer's, not the write's: nothing was written, and fetching again changes nothing.
      await failGame(run, game, e instanceof SchemaConflictError ? e.message : `write: ${errorMessage(e)}`);
    }
  } finally {
    run.leased.delete(game.gameId);
    reportProgress(run);
  }
}

/** Step 6: the shard locks given back (a failure is logged: the lock then expires on its own). */
export async function releaseShards(run: FillRun): Promise<void> {
  const { job, ports } = run;
  for (const ref of run.locks)
    await ports.checkpoints
      .releaseShardLock(ref, job.owner)
      .catch((e: unknown) => ports.logger.warn(`could not release the shard lock: ${errorMessage(e)}`));
}
