import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointStore, ShardRef } from '../../src/checkpoint/checkpoint-store.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { tableRules } from '../../src/fill/column-rules.js';
import { newFillRun, type FillRun } from '../../src/fill/fill-run.js';
import { heartbeatInterval, startHeartbeat } from '../../src/fill/heartbeat.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { layoutFrom } from '../../src/layout/keys.js';
import type { CbbdClient } from '../../src/source/cbbd-client.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig } from '../helpers/lakes.js';
import { testTimers } from '../helpers/test-timers.js';

const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
const SHARD: ShardRef = { endpoint: 'plays_game', season: 2024, shard: '1/1' };
const GAME = 202_400_001;

/** The client is never called by a heartbeat; this one says so if it is. */
const noClient: CbbdClient = {
  fetchGame: () => Promise.reject(new Error('a heartbeat fetched a game')),
  fetchCall: () => Promise.reject(new Error('a heartbeat made a call')),
  usage: () => ({ calls: 0, charged: 0, retries: 0, quotaRemaining: undefined, maxInFlight: 0 }),
};

describe('the fill heartbeat', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function setup(leaseMs: number, wrap: (c: CheckpointStore) => CheckpointStore = (c) => c) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-heartbeat-'));
    dirs.push(root);
    const clock = { t: T0 };
    const checkpoints = createFileCheckpoints(root, { now: () => clock.t });
    const timers = testTimers(clock);
    const run: FillRun = newFillRun(
      {
        endpoint: 'plays_game',
        key: ['id'],
        targets: [{ gameId: GAME, season: 2024, date: '2024-01-01' }],
        shard: { index: 1, count: 1 },
        owner: 'me',
        leaseMs,
        workers: 1,
        databases: { bronze: 'b', silver: 's' },
        rules: {
          bronze: tableRules('bronze', 'b', 'plays_game'),
          silver: tableRules('silver', 's', 'fct_plays'),
        },
      },
      {
        store: createFsStore(root),
        layout: layoutFrom(shippedConfig().s3_layout),
        client: noClient,
        checkpoints: wrap(checkpoints),
        logger: createMemoryLogger(),
        ingestedAt: () => '2026-01-15',
        every: timers.every,
        now: () => clock.t,
      },
    );
    expect(await checkpoints.acquireShardLock(SHARD, 'me', leaseMs)).toEqual({ acquired: true });
    expect(await checkpoints.tryLease('plays_game', GAME, 2024, 'me', leaseMs)).toMatchObject({
      taken: true,
    });
    run.locks.push(SHARD);
    run.leased.add(GAME);
    return { run, clock, checkpoints, timers };
  }

  it.each([
    [30_000, 10_000],
    [600_000, 200_000],
    [1_200, 1_000],
  ])('beats three times a lease: a %i ms lease every %i ms', (leaseMs, beat) => {
    expect(heartbeatInterval(leaseMs)).toBe(beat);
  });

  it('keeps the game and the shard lock from every other run for three whole leases, second by second', async () => {
    const leaseMs = 30_000;
    const { run, clock, checkpoints, timers } = await setup(leaseMs);
    const heartbeat = startHeartbeat(run);
    const takenOver: number[] = [];
    for (let s = 1; s <= (3 * leaseMs) / 1000; s++) {
      await timers.advanceTo(T0 + s * 1000, heartbeat.settled);
      const lease = await checkpoints.tryLease('plays_game', GAME, 2024, 'other', leaseMs);
      const lock = await checkpoints.acquireShardLock(SHARD, 'other', leaseMs);
      if (lease.taken || lock.acquired) takenOver.push(s);
    }
    expect(takenOver).toEqual([]);
    const row = (await checkpoints.getMany('plays_game', [GAME])).get(GAME);
    expect(row?.leaseExpiresAt).toBeGreaterThan(clock.t);
    await heartbeat.stop();
  });

  it('lets the lease run out once stopped, and another run take the game', async () => {
    const leaseMs = 30_000;
    const { run, checkpoints, timers } = await setup(leaseMs);
    const heartbeat = startHeartbeat(run);
    await timers.advanceTo(T0 + 15_000, heartbeat.settled);
    await heartbeat.stop();
    await timers.advanceTo(T0 + 10_000 + leaseMs + 1, heartbeat.settled);
    expect(await checkpoints.tryLease('plays_game', GAME, 2024, 'other', leaseMs)).toMatchObject({
      taken: true,
    });
  });

  it('waits, when stopped, for the beat in flight to land before it returns', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const renewed: number[] = [];
    const { run, timers } = await setup(30_000, (c) => ({
      ...c,
      renewShardLock: async (...args) => {
        await gate;
        renewed.push(1);
        return c.renewShardLock(...args);
      },
    }));
    const heartbeat = startHeartbeat(run);
    timers.timers[0]!.fn();
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect([stopped, renewed.length]).toEqual([false, 0]);
    open();
    await stopping;
    expect(renewed).toEqual([1]);
    expect(timers.timers[0]!.stopped).toBe(true);
  });
});
