import { ENDPOINT_TABLES } from '../config/pipeline-tables.js';
import type { FetchOutcome } from '../source/cbbd-client.js';
import { errorMessage, QuotaExhaustedError } from '../util/errors.js';
import { fetchUnit, type UnitFetch } from './bulk-split.js';
import { gameUnit, type CallUnit } from './call-plan.js';
import { SchemaConflictError } from './column-rules.js';
import { reportProgress, type FillRun } from './fill-run.js';
import type { GameTarget } from './targets.js';
import { prepareGameLayers, writeEmptyDeadletter, writeGameLayers } from './write-game.js';

/*
 * The steps of one shard's fill, in the order they run: lock the shards, then per call unit (call-plan.ts) lease
 * its games and make its calls, per game write and finish (or fail), then release the locks. Each works on the
 * run's state (fill-run.ts) and nothing else.
 */

/** How soon a game another run holds is asked for again. */
export const RECHECK_MS = 1000;

/**
 * Step 1: one shard lock per season. A season another run holds is left to it (its games counted as `held`);
 * the call units of the seasons locked go on the queue (a unit's games are of one season).
 */
export async function lockShards(run: FillRun): Promise<void> {
  const { job, ports, result } = run;
  const units = job.units ?? job.targets.map((t) => gameUnit(job.endpoint, t));
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
    run.queue.push(...units.filter((u) => u.games[0]?.season === season));
  }
  run.total = run.queue.reduce((n, u) => n + u.games.length, 0);
}

/**
 * The next call unit to lease the games of: the queue first, then games another run held, each once its
 * `notBefore` is reached. Nothing once the fill has stopped or crashed.
 */
export async function nextUnit(run: FillRun, now: () => number, sleep: (ms: number) => Promise<void>) {
  for (;;) {
    if (run.result.stoppedBy || run.crashed) return undefined;
    if (run.queue.length > 0) return run.queue.shift();
    if (run.deferred.length === 0) return undefined;
    run.deferred.sort((a, b) => a.notBefore - b.notBefore);
    const wait = run.deferred[0]!.notBefore - now();
    if (wait <= 0) return run.deferred.shift()!.unit;
    await sleep(Math.min(wait, RECHECK_MS));
  }
}

/**
 * Step 2: a conditional lease on each game of the unit, before any of its calls; returns the games this run
 * holds. A game another run holds is asked again (by its own call) within RECHECK_MS, or when that lease runs out
 * if sooner: a live holder is usually quick, and a dead one's lease expires. A finished game is skipped, so a
 * game already done is never in a call's lease. A store error puts the unit's games not yet filled back on the
 * queue (left, not lost; the leases taken expire).
 */
export async function leaseUnit(run: FillRun, unit: CallUnit, now: () => number): Promise<GameTarget[]> {
  const { job, ports } = run;
  const taken: GameTarget[] = [];
  for (const [i, game] of unit.games.entries()) {
    const lease = await ports.checkpoints
      .tryLease(job.endpoint, game.gameId, game.season, job.owner, job.leaseMs)
      .catch((e: unknown) => {
        run.queue.unshift(ownCalls(job.endpoint, [...taken, ...unit.games.slice(i)]));
        for (const g of taken) run.leased.delete(g.gameId);
        throw e;
      });
    if (lease.taken) {
      taken.push(game);
      run.leased.add(game.gameId);
      continue;
    }
    const c = lease.current;
    if (c.status === 'leased' && c.leaseExpiresAt !== undefined) {
      const notBefore = Math.min(c.leaseExpiresAt + 50, now() + RECHECK_MS);
      run.deferred.push({ unit: gameUnit(job.endpoint, game), notBefore });
      continue;
    }
    run.result.skipped.push({ gameId: game.gameId, reason: c.status });
    reportProgress(run);
  }
  return taken;
}

/** Games as one unit of their own calls (what is left of a unit when it cannot go on as planned). */
function ownCalls(endpoint: string, games: readonly GameTarget[]): CallUnit {
  return { calls: games.flatMap((g) => gameUnit(endpoint, g).calls), games: [...games] };
}

/**
 * Step 3: the unit's calls for its `taken` games, each answer split per game (bulk-split.ts): every game gets the
 * outcome its own call would have had. The monthly quota or a refused key stops the fill: the games without an
 * outcome are released untouched and put back on the queue (left, not failed). Any other error is the games':
 * each comes back as a `failed` outcome.
 */
export async function fetchCalls(
  run: FillRun,
  unit: CallUnit,
  taken: readonly GameTarget[],
): Promise<Map<number, FetchOutcome>> {
  const { job, ports, result } = run;
  let fetched: UnitFetch;
  try {
    const ids = new Set(taken.map((g) => g.gameId));
    fetched = await fetchUnit(ports.client, job.endpoint, unit, ids, ports.logger);
  } catch (e) {
    const failed: FetchOutcome = { kind: 'failed', reason: `fetch: ${errorMessage(e)}`, attempts: 1 };
    return new Map(taken.map((g) => [g.gameId, failed]));
  }
  const stop = fetched.stop;
  if (stop) {
    result.stoppedBy ??= stop instanceof QuotaExhaustedError ? 'quota' : 'api-key';
    result.stopMessage ??= stop.message;
    for (const game of taken.filter((g) => !fetched.outcomes.has(g.gameId))) {
      run.queue.unshift(gameUnit(job.endpoint, game));
      await ports.checkpoints.release(job.endpoint, game.gameId, job.owner);
    }
  }
  return fetched.outcomes;
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

/**
 * Steps 3 to 5 for a unit whose `taken` games this run holds: its calls, then per game write and finish, or fail
 * with the reason. Every game is let go of (its lease no longer heartbeated) whatever its outcome.
 */
export async function fillUnit(run: FillRun, unit: CallUnit, taken: readonly GameTarget[]): Promise<void> {
  try {
    const outcomes = await fetchCalls(run, unit, taken);
    for (const game of taken) {
      const outcome = outcomes.get(game.gameId);
      if (!outcome) continue;
      await fillGame(run, game, outcome);
      reportProgress(run);
    }
  } finally {
    for (const game of taken) run.leased.delete(game.gameId);
    reportProgress(run);
  }
}

/** Steps 4 and 5 for one game of a unit, from the outcome its calls brought: write, finish, or fail. */
export async function fillGame(run: FillRun, game: GameTarget, outcome: FetchOutcome): Promise<void> {
  if (outcome.kind === 'failed') return failGame(run, game, outcome.reason);
  const ingestedAt = run.ports.ingestedAt();
  try {
    await finishGame(run, game, await writeGame(run, game, outcome, ingestedAt), ingestedAt);
  } catch (e) {
    // A schema conflict is the answer's, not the write's: nothing was written, and fetching again changes nothing.
    await failGame(run, game, e instanceof SchemaConflictError ? e.message : `write: ${errorMessage(e)}`);
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
