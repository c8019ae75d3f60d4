import { setTimeout as delay } from 'node:timers/promises';
import type { CheckpointStore, ShardRef } from '../checkpoint/checkpoint-store.js';
import type { ObjectStore } from '../lake/object-store.js';
import type { LakeLayout } from '../layout/keys.js';
import type { ApiUsage, CbbdClient, FetchOutcome } from '../source/cbbd-client.js';
import { errorMessage, QuotaExhaustedError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ENDPOINT_TABLES } from '../config/pipeline-tables.js';
import { shardName, type Shard } from './shards.js';
import type { GameTarget } from './targets.js';
import { SchemaConflictError, type LayerRules } from './column-rules.js';
import { prepareGameLayers, writeEmptyDeadletter, writeGameLayers } from './write-game.js';
import type { WrittenPartition } from './register-partitions.js';
import { gameUnit, type CallUnit } from './call-plan.js';
import { fetchUnit } from './bulk-split.js';

/** How soon a game another run holds is asked for again. */
const RECHECK_MS = 1000;

/** One shard's fill, as the command sets it up. */
export interface FillJob {
  endpoint: string;
  /** The table's key, for the silver dedupe. */
  key: readonly string[];
  /** This shard's games, in id order. */
  targets: readonly GameTarget[];
  /** The calls that bring them (call-plan.ts); without them, each game's own call. */
  units?: readonly CallUnit[];
  shard: Shard;
  /** Who this run is in leases and locks: run id, host, pid. */
  owner: string;
  leaseMs: number;
  /** Games worked on at once (the client caps requests in flight on its own). */
  workers: number;
  databases: { bronze: string; silver: string };
  /** Column types the catalog declares for the bronze and silver tables (`loadLayerRules`). */
  rules: LayerRules;
}

/** Progress after each game. */
export interface FillProgress {
  done: number;
  empty: number;
  failed: number;
  skipped: number;
  total: number;
}

/** The ports a fill runs on. */
export interface FillPorts {
  store: ObjectStore;
  layout: LakeLayout;
  client: CbbdClient;
  checkpoints: CheckpointStore;
  logger: Logger;
  ingestedAt: () => string;
  onProgress?: (p: FillProgress) => void;
  /** Timers, so tests can drive heartbeats; defaults to setInterval. */
  every?: (ms: number, fn: () => void) => () => void;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, to compare with lease expiries. */
  now?: () => number;
}

/** What a shard's fill did. */
export interface FillResult {
  endpoint: string;
  shard: string;
  seasons: { season: number; ran: boolean; heldBy?: string }[];
  done: number[];
  empty: number[];
  failed: { gameId: number; reason: string }[];
  skipped: { gameId: number; reason: string }[];
  /** Games not attempted because the fill stopped (quota, key). */
  left: number;
  /** Why the fill stopped early: the monthly quota, a refused key, or an error it could not work around. */
  stoppedBy: 'quota' | 'api-key' | 'error' | undefined;
  stopMessage: string | undefined;
  partitions: WrittenPartition[];
  usage: ApiUsage;
}

/**
 * Fills one shard: per season a shard lock (a second run of the same shard exits at once), then each game by a
 * conditional lease, one fetch, the three layers written create-only, and only then the checkpoint `done`
 * (`empty` after the deadletter record; `failed` with the reason). Leases and locks are heartbeated. The
 * monthly quota or a refused key stops everything at once: games not yet fetched are released, not failed.
 */
export async function runFill(job: FillJob, ports: FillPorts): Promise<FillResult> {
  const { checkpoints, logger } = ports;
  const result: FillResult = {
    endpoint: job.endpoint,
    shard: shardName(job.shard),
    seasons: [],
    done: [],
    empty: [],
    failed: [],
    skipped: [],
    left: 0,
    stoppedBy: undefined,
    stopMessage: undefined,
    partitions: [],
    usage: ports.client.usage(),
  };
  const table = ENDPOINT_TABLES[job.endpoint]!;
  const locks: ShardRef[] = [];
  /** Games of seasons another run holds the shard lock of: left to that run, and counted as left. */
  let held = 0;
  const queue: CallUnit[] = [];
  const units = job.units ?? job.targets.map((t) => gameUnit(job.endpoint, t));
  const gamesIn = (list: readonly { games: readonly GameTarget[] }[]) =>
    list.reduce((n, u) => n + u.games.length, 0);
  for (const season of [...new Set(job.targets.map((t) => t.season))].sort((a, b) => a - b)) {
    const ref = { endpoint: job.endpoint, season, shard: result.shard };
    const lock = await checkpoints.acquireShardLock(ref, job.owner, job.leaseMs);
    if (!lock.acquired) {
      logger.info(
        `${job.endpoint} ${season} shard ${result.shard} is being filled by ${lock.holder} (until ${new Date(lock.expiresAt).toISOString()}); leaving it to that run`,
      );
      result.seasons.push({ season, ran: false, heldBy: lock.holder });
      held += job.targets.filter((t) => t.season === season).length;
      continue;
    }
    locks.push(ref);
    result.seasons.push({ season, ran: true });
    queue.push(...units.filter((u) => u.games[0]?.season === season));
  }
  const total = gamesIn(queue);
  const leased = new Set<number>();
  const every =
    ports.every ??
    ((ms, fn) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  // One beat at a time, and the one in flight is awaited before the locks are released: a beat still retrying
  // after the fill ended would renew a lock the release could not delete (DynamoDB down) for a run that is gone.
  let beating: Promise<void> | undefined;
  const stopHeartbeat = every(Math.max(1000, Math.floor(job.leaseMs / 3)), () => {
    beating ??= heartbeat().finally(() => (beating = undefined));
  });
  const progress = () =>
    ports.onProgress?.({
      done: result.done.length,
      empty: result.empty.length,
      failed: result.failed.length,
      skipped: result.skipped.length,
      total,
    });

  // Games another run holds: asked again once its lease runs out. A live holder heartbeats and then finishes
  // them (we skip them as done); a dead one's lease expires and we take the game over.
  const deferred: { unit: CallUnit; games: GameTarget[]; notBefore: number }[] = [];
  const sleep = ports.sleep ?? ((ms: number) => delay(ms));
  const now = ports.now ?? Date.now;
  // The first error a worker cannot handle (the checkpoint store down for longer than its retries): the other
  // workers take no new game, and it is rethrown once all are back, so nothing runs on after the fill has ended.
  let crashed: { error: unknown } | undefined;
  const nextUnit = async (): Promise<CallUnit | undefined> => {
    for (;;) {
      if (result.stoppedBy || crashed) return undefined;
      if (queue.length > 0) return queue.shift()!;
      if (deferred.length === 0) return undefined;
      deferred.sort((a, b) => a.notBefore - b.notBefore);
      const wait = deferred[0]!.notBefore - now();
      if (wait <= 0) return deferred.shift()!.unit;
      await sleep(Math.min(wait, 1000));
    }
  };
  const worker = async () => {
    try {
      await work();
    } catch (error) {
      crashed ??= { error };
    }
  };
  const work = async () => {
    for (let unit = await nextUnit(); unit; unit = await nextUnit()) {
      // A unit's games are leased together before its calls; a game done or held elsewhere is never in them.
      const taken: GameTarget[] = [];
      for (const [i, game] of unit.games.entries()) {
        const lease = await checkpoints
          .tryLease(job.endpoint, game.gameId, game.season, job.owner, job.leaseMs)
          .catch((e: unknown) => {
            // Never fetched: left for the next run, and counted so. Leases taken so far expire (the store is down).
            queue.unshift(gameUnitsOf([...taken, ...unit.games.slice(i)]));
            for (const g of taken) leased.delete(g.gameId);
            throw e;
          });
        if (lease.taken) {
          taken.push(game);
          leased.add(game.gameId);
          continue;
        }
        const c = lease.current;
        if (c.status === 'leased' && c.leaseExpiresAt !== undefined) {
          // Ask again within a second, or when the lease runs out if sooner: a live holder is usually quick.
          const notBefore = Math.min(c.leaseExpiresAt + 50, now() + RECHECK_MS);
          deferred.push({ unit: gameUnit(job.endpoint, game), games: [game], notBefore });
          continue;
        }
        result.skipped.push({ gameId: game.gameId, reason: c.status });
        progress();
      }
      if (taken.length === 0) continue;
      try {
        await fillUnit(unit, taken);
      } finally {
        for (const g of taken) leased.delete(g.gameId);
        progress();
      }
    }
  };

  /** Games left over from a unit, each by its own call. */
  function gameUnitsOf(games: readonly GameTarget[]): CallUnit {
    return { calls: games.flatMap((g) => gameUnit(job.endpoint, g).calls), games: [...games] };
  }

  /** A unit's calls for its leased games, each game's outcome written as its own call's would be. */
  async function fillUnit(unit: CallUnit, taken: GameTarget[]): Promise<void> {
    let fetched;
    try {
      fetched = await fetchUnit(
        ports.client,
        job.endpoint,
        unit,
        new Set(taken.map((g) => g.gameId)),
        logger,
      );
    } catch (e) {
      for (const game of taken) await failGame(game, `fetch: ${errorMessage(e)}`);
      return;
    }
    for (const game of taken) {
      const outcome = fetched.outcomes.get(game.gameId);
      if (outcome) await writeOutcome(game, outcome);
    }
    const e = fetched.stop;
    if (!e) return;
    // The monthly quota or the key: games not yet fetched are released, not failed, and left for the next run.
    result.stoppedBy ??= e instanceof QuotaExhaustedError ? 'quota' : 'api-key';
    result.stopMessage ??= e.message;
    for (const game of taken.filter((g) => !fetched.outcomes.has(g.gameId))) {
      queue.unshift(gameUnit(job.endpoint, game));
      await checkpoints.release(job.endpoint, game.gameId, job.owner);
    }
  }

  async function writeOutcome(game: GameTarget, outcome: FetchOutcome): Promise<void> {
    try {
      if (outcome.kind === 'failed') return failGame(game, outcome.reason);
      const ingestedAt = ports.ingestedAt();
      if (outcome.kind === 'empty') {
        await writeEmptyDeadletter(ports.store, ports.layout, job.endpoint, game.gameId, ingestedAt);
        if (await checkpoints.finish(job.endpoint, game.gameId, job.owner, 'empty', ingestedAt))
          result.empty.push(game.gameId);
        else result.skipped.push({ gameId: game.gameId, reason: 'lease lost before the checkpoint' });
        return;
      }
      const layers = prepareGameLayers(job.endpoint, game, outcome.records, job.key, job.rules);
      await writeGameLayers(ports.store, ports.layout, job.endpoint, game, layers, ingestedAt);
      const partitions = [
        { name: 'season', value: String(game.season) },
        { name: 'date', value: game.date },
      ];
      result.partitions.push(
        { database: job.databases.bronze, table: job.endpoint, partitions },
        { database: job.databases.silver, table, partitions },
      );
      if (await checkpoints.finish(job.endpoint, game.gameId, job.owner, 'done', ingestedAt))
        result.done.push(game.gameId);
      else
        result.skipped.push({
          gameId: game.gameId,
          reason: 'lease lost before the checkpoint (its layers are written)',
        });
    } catch (e) {
      // A schema conflict is the answer's, not the write's: nothing was written, and fetching again changes nothing.
      await failGame(game, e instanceof SchemaConflictError ? e.message : `write: ${errorMessage(e)}`);
    }
  }

  async function failGame(game: GameTarget, reason: string): Promise<void> {
    logger.warn(`${job.endpoint} game ${game.gameId} failed: ${reason}`);
    result.failed.push({ gameId: game.gameId, reason });
    await checkpoints.fail(job.endpoint, game.gameId, job.owner, reason);
  }

  async function heartbeat(): Promise<void> {
    try {
      for (const ref of locks) await checkpoints.renewShardLock(ref, job.owner, job.leaseMs);
      const lost = await checkpoints.heartbeat(job.endpoint, [...leased], job.owner, job.leaseMs);
      for (const id of lost) logger.warn(`lease of game ${id} was lost (another run may fetch it again)`);
    } catch (e) {
      logger.warn(`heartbeat failed: ${errorMessage(e)}`);
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(job.workers, total || 1)) }, worker));
  } finally {
    stopHeartbeat();
    await beating;
    for (const ref of locks)
      await checkpoints
        .releaseShardLock(ref, job.owner)
        .catch((e: unknown) => logger.warn(`could not release the shard lock: ${errorMessage(e)}`));
  }
  if (crashed) {
    // The games finished so far are written and checkpointed: report them with the error, do not lose them.
    result.stoppedBy = 'error';
    result.stopMessage = errorMessage(crashed.error);
    logger.error(`fill stopped: ${result.stopMessage}`);
  }
  result.left = gamesIn(queue) + gamesIn(deferred) + held;
  result.usage = ports.client.usage();
  return result;
}
