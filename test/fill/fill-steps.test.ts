import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../src/checkpoint/checkpoint-store.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { DEMO_SEED } from '../../src/demo/generate-lake.js';
import { syntheticGames } from '../../src/demo/synthetic-api.js';
import { tableRules } from '../../src/fill/column-rules.js';
import { newFillRun, type FillJob, type FillPorts, type FillRun } from '../../src/fill/fill-run.js';
import {
  failGame,
  fetchCalls,
  fillUnit,
  finishGame,
  leaseUnit,
  lockShards,
  nextUnit,
  RECHECK_MS,
  releaseShards,
  writeGame,
} from '../../src/fill/fill-steps.js';
import { gameUnit, type CallUnit } from '../../src/fill/call-plan.js';
import { runFill } from '../../src/fill/run-fill.js';
import { budgetKeyHash } from '../../src/fill/budget-share.js';
import type { GameTarget } from '../../src/fill/targets.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { layoutFrom } from '../../src/layout/keys.js';
import { createHttpCbbdClient } from '../../src/source/http-cbbd-client.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { shippedConfig } from '../helpers/lakes.js';

const SEASONS = [2023, 2024];
const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
const LEASE_MS = 30_000;
const config = shippedConfig();
const GAMES: GameTarget[] = SEASONS.flatMap((season) =>
  syntheticGames(DEMO_SEED, season, 4).map((g) => ({ gameId: g.id, season, date: g.startDate.slice(0, 10) })),
);

/** One fill's world: a fresh lake directory, file checkpoints on a test clock, the fake API over HTTP. */
interface World {
  run: FillRun;
  checkpoints: CheckpointStore;
  clock: { t: number };
  root: string;
  logger: ReturnType<typeof createMemoryLogger>;
}

describe('the fill, step by step', () => {
  let api: FakeCbbdApi;
  const dirs: string[] = [];
  beforeAll(async () => {
    api = await startFakeCbbdApi({
      seed: DEMO_SEED,
      seasons: SEASONS,
      gamesPerSeason: 4,
      playsPerGame: [5, 8],
      keys: { k: 1000, spent: 0 },
      emptyGames: { plays_game: [GAMES[1]!.gameId] },
    });
  });
  afterAll(async () => {
    await api.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  afterEach(() => api.reset());

  async function world(
    opts: {
      key?: string;
      targets?: GameTarget[];
      ports?: Partial<FillPorts>;
      owner?: string;
      shared?: string;
    } = {},
  ) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-fill-steps-'));
    dirs.push(root);
    const clock = { t: T0 };
    const logger = createMemoryLogger();
    const checkpoints = createFileCheckpoints(opts.shared ?? path.join(root, '_checkpoints'), {
      now: () => clock.t,
    });
    const client = createHttpCbbdClient({
      baseUrl: api.url,
      apiKey: opts.key ?? 'k',
      endpoints: config.endpoints,
      rate: 100,
      concurrency: 4,
      timeoutMs: 5000,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      quotaReserve: 0,
      logger,
    });
    const job: FillJob = {
      endpoint: 'plays_game',
      key: ['id'],
      targets: opts.targets ?? GAMES,
      shard: { index: 1, count: 1 },
      owner: opts.owner ?? 'me',
      leaseMs: LEASE_MS,
      workers: 2,
      databases: { bronze: 'cbbd_bronze', silver: 'cbbd_silver' },
      rules: {
        bronze: tableRules('bronze', 'cbbd_bronze', 'plays_game'),
        silver: tableRules('silver', 'cbbd_silver', 'fct_plays'),
      },
    };
    const ports: FillPorts = {
      store: createFsStore(root),
      layout: layoutFrom(config.s3_layout),
      client,
      checkpoints,
      logger,
      ingestedAt: () => '2026-01-15',
      now: () => clock.t,
      ...opts.ports,
    };
    return { run: newFillRun(job, ports), checkpoints, clock, root, logger } satisfies World;
  }

  it('locks the shard of each season, and leaves a season another run holds to it, counted', async () => {
    const w = await world();
    await w.checkpoints.acquireShardLock(
      { endpoint: 'plays_game', season: 2023, shard: '1/1' },
      'other',
      LEASE_MS,
    );
    await lockShards(w.run);
    expect(w.run.result.seasons).toEqual([
      { season: 2023, ran: false, heldBy: 'other' },
      { season: 2024, ran: true },
    ]);
    expect(w.run.locks).toEqual([{ endpoint: 'plays_game', season: 2024, shard: '1/1' }]);
    expect(w.run.queue.map((u) => u.games.map((g) => g.season))).toEqual([[2024], [2024], [2024], [2024]]);
    expect([w.run.held, w.run.total]).toEqual([4, 4]);
  });

  it('releases the locks it took, and only those', async () => {
    const w = await world();
    await lockShards(w.run);
    await releaseShards(w.run);
    for (const season of SEASONS)
      expect(
        await w.checkpoints.acquireShardLock(
          { endpoint: 'plays_game', season, shard: '1/1' },
          'next',
          LEASE_MS,
        ),
      ).toEqual({ acquired: true });
  });

  it('leases a free game, defers one another run holds, and skips one already done', async () => {
    const w = await world();
    const [free, held, done] = GAMES as [GameTarget, GameTarget, GameTarget];
    await w.checkpoints.tryLease('plays_game', held.gameId, held.season, 'other', 400);
    await w.checkpoints.tryLease('plays_game', done.gameId, done.season, 'other', LEASE_MS);
    await w.checkpoints.finish('plays_game', done.gameId, 'other', 'done', '2026-01-14');
    const now = () => w.clock.t;
    // One unit of three games (as a bulk call's): each leased on its own, before any call.
    const unit = {
      calls: [free, held, done].flatMap((g) => gameUnit('plays_game', g).calls),
      games: [free, held, done],
    };
    expect(await leaseUnit(w.run, unit, now)).toEqual([free]);
    expect([...w.run.leased]).toEqual([free.gameId]);
    // Asked again (by its own call) when the holder's short lease runs out (+50 ms), not a whole recheck later.
    expect(w.run.deferred).toEqual([{ unit: gameUnit('plays_game', held), notBefore: T0 + 400 + 50 }]);
    expect(w.run.result.skipped).toEqual([{ gameId: done.gameId, reason: 'done' }]);
  });

  it('takes queued games first, then waits for a deferred one, and gives none once the fill stopped', async () => {
    const w = await world();
    const [a, b] = (GAMES as [GameTarget, GameTarget]).map((g) => gameUnit('plays_game', g)) as [
      CallUnit,
      CallUnit,
    ];
    w.run.queue.push(a);
    w.run.deferred.push({ unit: b, notBefore: T0 + 2500 });
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      w.clock.t += ms;
    };
    const now = () => w.clock.t;
    expect(await nextUnit(w.run, now, sleep)).toBe(a);
    expect(slept).toEqual([]);
    expect(await nextUnit(w.run, now, sleep)).toBe(b);
    expect(slept).toEqual([RECHECK_MS, RECHECK_MS, 500]);
    expect(await nextUnit(w.run, now, sleep)).toBeUndefined();
    w.run.queue.push(a);
    w.run.result.stoppedBy = 'quota';
    expect(await nextUnit(w.run, now, sleep)).toBeUndefined();
  });

  it('fetches a game once, and on a spent quota stops the fill, releasing the game untaken', async () => {
    const w = await world();
    const [a] = GAMES as [GameTarget];
    const unit = gameUnit('plays_game', a);
    expect((await fetchCalls(w.run, unit, [a])).get(a.gameId)).toMatchObject({ kind: 'records' });
    expect(api.callsFor('plays_game', a.gameId)).toBe(1);

    const spent = await world({ key: 'spent' });
    await spent.checkpoints.tryLease('plays_game', a.gameId, a.season, 'me', LEASE_MS);
    expect((await fetchCalls(spent.run, unit, [a])).size).toBe(0);
    expect(spent.run.result.stoppedBy).toBe('quota');
    expect(spent.run.queue).toEqual([unit]);
    expect(await spent.checkpoints.tryLease('plays_game', a.gameId, a.season, 'next', LEASE_MS)).toEqual({
      taken: true,
      attempts: 1,
    });
  });

  it('writes the three layers of a game with records, the deadletter of an empty one, and notes partitions', async () => {
    const w = await world();
    const [a, empty] = GAMES as [GameTarget, GameTarget];
    const records = (await fetchCalls(w.run, gameUnit('plays_game', a), [a])).get(a.gameId);
    if (records?.kind !== 'records') throw new Error('expected records');
    expect(await writeGame(w.run, a, records, '2026-01-15')).toBe('done');
    expect(await writeGame(w.run, empty, { kind: 'empty' }, '2026-01-15')).toBe('empty');
    const keys: string[] = [];
    for await (const o of w.run.ports.store.list('')) keys.push(o.key);
    const under = (prefix: string) => keys.filter((k) => k.startsWith(prefix)).length;
    expect([under('raw/'), under('bronze/'), under('silver/'), under('deadletter/')]).toEqual([1, 1, 1, 1]);
    expect(w.run.result.partitions.map((p) => p.table)).toEqual(['plays_game', 'fct_plays']);
  });

  it('checkpoints a game done only while it holds the lease; a lost lease is skipped, not counted done', async () => {
    const w = await world();
    const [a, b] = GAMES as [GameTarget, GameTarget];
    await w.checkpoints.tryLease('plays_game', a.gameId, a.season, 'me', LEASE_MS);
    await w.checkpoints.tryLease('plays_game', b.gameId, b.season, 'me', LEASE_MS);
    await finishGame(w.run, a, 'done', '2026-01-15');
    w.clock.t = T0 + LEASE_MS + 1;
    await w.checkpoints.tryLease('plays_game', b.gameId, b.season, 'other', LEASE_MS);
    await finishGame(w.run, b, 'done', '2026-01-15');
    expect(w.run.result.done).toEqual([a.gameId]);
    expect(w.run.result.skipped).toEqual([
      { gameId: b.gameId, reason: 'lease lost before the checkpoint (its layers are written)' },
    ]);
  });

  it('fails a game with its reason, in the result and the checkpoint', async () => {
    const w = await world();
    const [a] = GAMES as [GameTarget];
    await w.checkpoints.tryLease('plays_game', a.gameId, a.season, 'me', LEASE_MS);
    await failGame(w.run, a, 'HTTP 404');
    expect(w.run.result.failed).toEqual([{ gameId: a.gameId, reason: 'HTTP 404' }]);
    expect((await w.checkpoints.getMany('plays_game', [a.gameId])).get(a.gameId)).toMatchObject({
      status: 'failed',
      lastError: 'HTTP 404',
    });
  });

  it('fills a leased game end to end and lets go of it, whatever the outcome', async () => {
    const w = await world();
    const [a, empty] = GAMES as [GameTarget, GameTarget];
    for (const g of [a, empty]) {
      const unit = gameUnit('plays_game', g);
      expect(await leaseUnit(w.run, unit, () => w.clock.t)).toEqual([g]);
      await fillUnit(w.run, unit, [g]);
    }
    expect([w.run.result.done, w.run.result.empty, [...w.run.leased]]).toEqual([
      [a.gameId],
      [empty.gameId],
      [],
    ]);
  });

  it('runs every step for a whole job: each game fetched once, checkpointed, the locks given back', async () => {
    const w = await world();
    const result = await runFill(w.run.job, w.run.ports);
    expect(result.done).toHaveLength(GAMES.length - 1);
    expect(result.empty).toEqual([GAMES[1]!.gameId]);
    expect([result.failed, result.skipped, result.left, result.stoppedBy]).toEqual([[], [], 0, undefined]);
    for (const g of GAMES) expect(api.callsFor('plays_game', g.gameId)).toBe(1);
    const rows = await w.checkpoints.getMany(
      'plays_game',
      GAMES.map((g) => g.gameId),
    );
    expect([...rows.values()].filter((r) => r.status === 'leased')).toEqual([]);
    expect(
      await w.checkpoints.acquireShardLock({ endpoint: 'plays_game', season: 2024, shard: '1/1' }, 'next', 1),
    ).toEqual({ acquired: true });
  });

  it('two fills of one key at once share its budget: the server never sees more than 3 starts a second or 3 in flight', async () => {
    const shared = await mkdtemp(path.join(os.tmpdir(), 'cbbd-fill-budget-'));
    dirs.push(shared);
    const budget = {
      keyHash: budgetKeyHash('k'),
      whole: { rate: 3, concurrency: 3 },
      beatMs: 300,
      cap: { rate: 100, concurrency: 4 },
      quotaReserve: 0,
    };
    const runs = await Promise.all(
      SEASONS.map((season) =>
        world({
          shared,
          owner: `run-${season}`,
          targets: GAMES.filter((g) => g.season === season),
          ports: { budget },
        }),
      ),
    );
    const results = await Promise.all(runs.map((w) => runFill(w.run.job, w.run.ports)));
    expect(results.map((r) => r.done.length + r.empty.length)).toEqual([4, 4]);
    for (const g of GAMES) expect(api.callsFor('plays_game', g.gameId)).toBe(1);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(3);
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    // Both left the budget when done, leaving their last starts for the next run of the key.
    const rows = await createFileCheckpoints(shared).holdBudget(budget.keyHash, 'probe', 1000);
    expect(rows.filter((r) => !r.leftStarts).map((r) => r.owner)).toEqual(['probe']);
    for (const r of rows.filter((r) => r.leftStarts)) expect(r.leftStarts!.length).toBeLessThanOrEqual(3);
  });
});
