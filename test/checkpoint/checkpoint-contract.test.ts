import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CheckpointStore, ShardRef } from '../../src/checkpoint/checkpoint-store.js';
import { createDynamoDbCheckpoints } from '../../src/checkpoint/dynamodb-checkpoints.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { LEASE_RULES, rowMeets, type RuleRow } from '../../src/checkpoint/lease-rules.js';
import { paramsHash } from '../../src/layout/hash.js';
import { mapLimit } from '../../src/util/pool.js';
import { testDynamoClient } from '../helpers/aws.js';
import { NODE24 } from '../helpers/node-binaries.js';
import { createCheckpointTable } from '../stack/aws-stack.js';

/** A row as stored: the DynamoDB item's attributes (S as strings, N as numbers), or the file document. */
type RawRow = Record<string, string | number>;

/** One backing store per suite; `open` gives another adapter over it (another run), all on one test clock. */
interface Backend {
  clock: { t: number };
  open(): CheckpointStore;
  /** Writes a row as the pipeline's gap-fill does: key and payload, nothing else. */
  seedPipelineRow(endpoint: string, gameId: number, season: number, ingestedAt: string): Promise<void>;
  /** Writes a game row with these attributes besides key and payload (a state the rules are tried on). */
  seedRow(endpoint: string, gameId: number, attrs: RawRow): Promise<void>;
  raw(endpoint: string, gameId: number): Promise<RawRow | undefined>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
const MINUTE = 60_000;

async function dynamoBackend(): Promise<Backend> {
  const table = `cbbd_checkpoints_${randomUUID().slice(0, 8)}`;
  await createCheckpointTable(inject('dynamodbEndpoint'), table);
  const client = testDynamoClient();
  const clock = { t: T0 };
  const key = (endpoint: string, gameId: number) => ({
    endpoint: { S: `gap_fill:${endpoint}` },
    parameter_hash: { S: paramsHash({ gameId }) },
  });
  return {
    clock,
    open: () => createDynamoDbCheckpoints(client, table, { now: () => clock.t }),
    async seedPipelineRow(endpoint, gameId, season, ingestedAt) {
      const payload = `{"game_id": ${gameId}, "season": ${season}, "ingested_at": "${ingestedAt}"}`;
      await client.send(
        new PutItemCommand({ TableName: table, Item: { ...key(endpoint, gameId), payload: { S: payload } } }),
      );
    },
    async seedRow(endpoint, gameId, attrs) {
      const item = Object.fromEntries(
        Object.entries({ payload: rulePayload(gameId), ...attrs }).map(([k, v]) => [
          k,
          typeof v === 'number' ? { N: String(v) } : { S: v },
        ]),
      );
      await client.send(
        new PutItemCommand({ TableName: table, Item: { ...key(endpoint, gameId), ...item } }),
      );
    },
    async raw(endpoint, gameId) {
      const out = await client.send(new GetItemCommand({ TableName: table, Key: key(endpoint, gameId) }));
      if (!out.Item) return undefined;
      return Object.fromEntries(Object.entries(out.Item).map(([k, v]) => [k, v.S ?? Number(v.N)]));
    },
    async close() {
      client.destroy();
    },
  };
}

async function fileBackend(): Promise<Backend> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-checkpoints-'));
  const clock = { t: T0 };
  const docPath = (endpoint: string, gameId: number) =>
    path.join(dir, `gap_fill%3A${endpoint}`, `${paramsHash({ gameId })}.json`);
  return {
    clock,
    open: () => createFileCheckpoints(dir, { now: () => clock.t }),
    async seedPipelineRow(endpoint, gameId, season, ingestedAt) {
      const file = docPath(endpoint, gameId);
      await mkdir(path.dirname(file), { recursive: true });
      const payload = `{"game_id": ${gameId}, "season": ${season}, "ingested_at": "${ingestedAt}"}`;
      const doc = { endpoint: `gap_fill:${endpoint}`, parameter_hash: paramsHash({ gameId }), payload };
      await writeFile(file, JSON.stringify(doc));
    },
    async seedRow(endpoint, gameId, attrs) {
      const file = docPath(endpoint, gameId);
      await mkdir(path.dirname(file), { recursive: true });
      const doc = { endpoint: `gap_fill:${endpoint}`, parameter_hash: paramsHash({ gameId }) };
      await writeFile(file, JSON.stringify({ ...doc, payload: rulePayload(gameId), ...attrs }));
    },
    async raw(endpoint, gameId) {
      try {
        return JSON.parse(await readFile(docPath(endpoint, gameId), 'utf8')) as RawRow;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

const rulePayload = (gameId: number) => `{"game_id": ${gameId}, "season": 2024, "ingested_at": null}`;

/** Game rows in each state the lease rules tell apart, for `me` asking at T0 (`null`: no row). */
const RULE_ROWS: [string, RuleRow | null][] = [
  ['no row', null],
  ["the pipeline's row (no status)", {}],
  ['leased to me, live', { status: 'leased', lease_owner: 'me', lease_expires_at: T0 + MINUTE }],
  ['leased to me, expired', { status: 'leased', lease_owner: 'me', lease_expires_at: T0 - 1 }],
  ['leased to another, live', { status: 'leased', lease_owner: 'other', lease_expires_at: T0 + MINUTE }],
  ['leased to another, expiring now', { status: 'leased', lease_owner: 'other', lease_expires_at: T0 }],
  ['leased to another, expired', { status: 'leased', lease_owner: 'other', lease_expires_at: T0 - 1 }],
  ['done by another', { status: 'done', lease_owner: 'other' }],
  ['empty by me', { status: 'empty', lease_owner: 'me' }],
  ['failed by another', { status: 'failed', lease_owner: 'other' }],
  ['a status the bot does not know', { status: 'archived', lease_owner: 'me', lease_expires_at: T0 - 1 }],
];

/** Shard lock rows in each state the lock rules tell apart (`null`: no lock). */
const LOCK_ROWS: [string, { owner: string; expiresAt: number } | null][] = [
  ['no lock', null],
  ['mine, live', { owner: 'me', expiresAt: T0 + MINUTE }],
  ['mine, expired', { owner: 'me', expiresAt: T0 - 1 }],
  ["another's, live", { owner: 'other', expiresAt: T0 + MINUTE }],
  ["another's, expiring now", { owner: 'other', expiresAt: T0 }],
  ["another's, expired", { owner: 'other', expiresAt: T0 - 1 }],
];

let endpointCount = 0;
/** Every test works under its own endpoint, so the suites' shared table and directory never mix tests. */
const freshEndpoint = () => `plays_game_t${++endpointCount}`;

describe.each([
  ['dynamodb (dynalite)', dynamoBackend],
  ['file', fileBackend],
])('CheckpointStore contract: %s', (_name, makeBackend) => {
  let backend: Backend;
  let store: CheckpointStore;
  beforeAll(async () => {
    backend = await makeBackend();
    store = backend.open();
  });
  afterAll(() => backend.close());
  beforeEach(() => {
    backend.clock.t = T0;
  });

  it('leases a new game to one owner and tells a second who holds it until when', async () => {
    const ep = freshEndpoint();
    expect(await store.tryLease(ep, 401, 2024, 'run-a', MINUTE)).toEqual({ taken: true, attempts: 1 });
    expect(await store.tryLease(ep, 401, 2024, 'run-b', MINUTE)).toEqual({
      taken: false,
      current: {
        gameId: 401,
        status: 'leased',
        season: 2024,
        owner: 'run-a',
        leaseExpiresAt: T0 + MINUTE,
        attempts: 1,
        lastError: undefined,
      },
    });
    // The holder asking again still holds it, and that is not another attempt.
    expect(await store.tryLease(ep, 401, 2024, 'run-a', MINUTE)).toEqual({ taken: true, attempts: 1 });
  });

  it('finishes a leased game as done with the payload the pipeline writes, and never leases it again', async () => {
    const ep = freshEndpoint();
    await store.tryLease(ep, 402, 2024, 'run-a', MINUTE);
    expect(await store.finish(ep, 402, 'run-a', 'done', '2026-01-15')).toBe(true);
    const row = await backend.raw(ep, 402);
    expect(row).toMatchObject({
      endpoint: `gap_fill:${ep}`,
      parameter_hash: paramsHash({ gameId: 402 }),
      payload: '{"game_id": 402, "season": 2024, "ingested_at": "2026-01-15"}',
      status: 'done',
      lease_owner: 'run-a',
      attempts: 1,
      updated_at: new Date(T0).toISOString(),
    });
    expect(row).not.toHaveProperty('lease_expires_at');
    backend.clock.t = T0 + 60 * MINUTE;
    expect(await store.tryLease(ep, 402, 2024, 'run-b', MINUTE)).toMatchObject({
      taken: false,
      current: { status: 'done', owner: 'run-a' },
    });
  });

  it('finishes a game as empty, lists it among the empty ids, and never leases it again', async () => {
    const ep = freshEndpoint();
    for (const id of [503, 501, 502]) await store.tryLease(ep, id, 2023, 'run-a', MINUTE);
    expect(await store.finish(ep, 503, 'run-a', 'empty', '2026-01-15')).toBe(true);
    expect(await store.finish(ep, 501, 'run-a', 'empty', '2026-01-15')).toBe(true);
    expect(await store.idsWithStatus(ep, 'empty')).toEqual([501, 503]);
    expect(await store.idsWithStatus(ep, 'leased')).toEqual([502]);
    backend.clock.t = T0 + 60 * MINUTE;
    expect(await store.tryLease(ep, 501, 2023, 'run-b', MINUTE)).toMatchObject({
      taken: false,
      current: { status: 'empty' },
    });
  });

  it("counts the pipeline's payload-only row as done and never leases or changes it", async () => {
    const ep = freshEndpoint();
    await backend.seedPipelineRow(ep, 601, 2022, '2025-11-02');
    const before = await backend.raw(ep, 601);
    expect((await store.getMany(ep, [601])).get(601)).toEqual({
      gameId: 601,
      status: 'done',
      season: 2022,
      owner: undefined,
      leaseExpiresAt: undefined,
      attempts: 0,
      lastError: undefined,
    });
    expect(await store.tryLease(ep, 601, 2022, 'run-a', MINUTE)).toMatchObject({
      taken: false,
      current: { status: 'done', season: 2022 },
    });
    expect(await store.finish(ep, 601, 'run-a', 'done', '2026-01-15')).toBe(false);
    expect(await store.fail(ep, 601, 'run-a', 'boom')).toBe(false);
    expect(await store.idsWithStatus(ep, 'done')).toEqual([601]);
    expect(await backend.raw(ep, 601)).toEqual(before);
  });

  it('lets another owner take an expired lease, after which the old owner can no longer finish it', async () => {
    const ep = freshEndpoint();
    await store.tryLease(ep, 701, 2024, 'run-a', MINUTE);
    backend.clock.t = T0 + MINUTE;
    expect(await store.tryLease(ep, 701, 2024, 'run-b', MINUTE)).toMatchObject({ taken: false });
    backend.clock.t = T0 + MINUTE + 1;
    const other = backend.open();
    expect(await other.tryLease(ep, 701, 2024, 'run-b', MINUTE)).toEqual({ taken: true, attempts: 2 });
    expect(await store.finish(ep, 701, 'run-a', 'done', '2026-01-15')).toBe(false);
    expect(await store.fail(ep, 701, 'run-a', 'late')).toBe(false);
    expect(await store.heartbeat(ep, [701], 'run-a', MINUTE)).toEqual([701]);
    await store.release(ep, 701, 'run-a');
    expect((await store.getMany(ep, [701])).get(701)).toMatchObject({ status: 'leased', owner: 'run-b' });
    expect(await other.finish(ep, 701, 'run-b', 'done', '2026-01-15')).toBe(true);
  });

  it('records a failure with its error cut to about 1 KB, and leases a failed game again as a new attempt', async () => {
    const ep = freshEndpoint();
    await store.tryLease(ep, 801, 2024, 'run-a', MINUTE);
    const error = `HTTP 500 from /plays/game/801: ${'x'.repeat(5000)}`;
    expect(await store.fail(ep, 801, 'run-a', error)).toBe(true);
    const failed = (await store.getMany(ep, [801])).get(801);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed?.lastError?.startsWith('HTTP 500 from /plays/game/801: xxx')).toBe(true);
    expect(failed?.lastError?.length).toBeGreaterThan(900);
    expect(failed?.lastError?.length).toBeLessThanOrEqual(1024);
    expect(await store.idsWithStatus(ep, 'failed')).toEqual([801]);
    // A failed game is free at once, with no lease to wait out.
    expect(await store.tryLease(ep, 801, 2024, 'run-b', MINUTE)).toEqual({ taken: true, attempts: 2 });
    expect(await store.finish(ep, 801, 'run-b', 'done', '2026-01-16')).toBe(true);
    expect(await store.getMany(ep, [801])).toEqual(
      new Map([[801, expect.objectContaining({ status: 'done', owner: 'run-b', attempts: 2 })]]),
    );
  });

  it('refuses finish and fail from an owner that never held the game, and changes nothing', async () => {
    const ep = freshEndpoint();
    expect(await store.finish(ep, 901, 'run-a', 'done', '2026-01-15')).toBe(false);
    expect(await backend.raw(ep, 901)).toBeUndefined();
    await store.tryLease(ep, 901, 2024, 'run-a', MINUTE);
    const before = await backend.raw(ep, 901);
    expect(await store.finish(ep, 901, 'run-b', 'done', '2026-01-15')).toBe(false);
    expect(await store.fail(ep, 901, 'run-b', 'not mine')).toBe(false);
    await store.release(ep, 901, 'run-b');
    expect(await backend.raw(ep, 901)).toEqual(before);
  });

  it('gives a released game back at once, without counting the attempt', async () => {
    const ep = freshEndpoint();
    await store.tryLease(ep, 1001, 2024, 'run-a', 10 * MINUTE);
    await store.release(ep, 1001, 'run-a');
    expect(await store.finish(ep, 1001, 'run-a', 'done', '2026-01-15')).toBe(false);
    expect(await store.tryLease(ep, 1001, 2024, 'run-b', MINUTE)).toEqual({ taken: true, attempts: 1 });
  });

  it('extends live leases on heartbeat and reports the ones the owner no longer holds', async () => {
    const ep = freshEndpoint();
    for (const id of [1101, 1102, 1103]) await store.tryLease(ep, id, 2024, 'run-a', MINUTE);
    await store.tryLease(ep, 1104, 2024, 'run-b', MINUTE);
    await store.finish(ep, 1103, 'run-a', 'done', '2026-01-15');
    backend.clock.t = T0 + MINUTE / 2;
    const lost = await store.heartbeat(ep, [1101, 1102, 1103, 1104, 1199], 'run-a', MINUTE);
    expect(lost.sort()).toEqual([1103, 1104, 1199]);
    expect((await store.getMany(ep, [1101])).get(1101)?.leaseExpiresAt).toBe(T0 + MINUTE / 2 + MINUTE);
    // Past the first expiry the extended leases still hold, and a lost one is lost for good.
    backend.clock.t = T0 + MINUTE + 1;
    expect(await store.tryLease(ep, 1101, 2024, 'run-c', MINUTE)).toMatchObject({
      taken: false,
      current: { owner: 'run-a' },
    });
    await store.tryLease(ep, 1102, 2024, 'run-a', MINUTE);
    backend.clock.t = T0 + 3 * MINUTE;
    expect(await store.tryLease(ep, 1102, 2024, 'run-c', MINUTE)).toMatchObject({ taken: true, attempts: 2 });
    expect(await store.heartbeat(ep, [1101, 1102], 'run-a', MINUTE)).toEqual([1102]);
  });

  it('reads more than 100 games at once, leaving absent games out', async () => {
    const ep = freshEndpoint();
    const ids = Array.from({ length: 250 }, (_, i) => 20_000 + i);
    await mapLimit(
      ids.filter((id) => id % 5 !== 0),
      16,
      (id) => store.tryLease(ep, id, 2025, 'run-a', MINUTE),
    );
    const found = await store.getMany(ep, [...ids, 20_001, 20_002]);
    expect(found.size).toBe(200);
    expect(found.has(20_000)).toBe(false);
    expect(found.get(20_249)).toMatchObject({
      gameId: 20_249,
      status: 'leased',
      season: 2025,
      owner: 'run-a',
    });
    expect(await store.getMany(ep, [])).toEqual(new Map());
  });

  it('lists ids by status for one endpoint only', async () => {
    const ep = freshEndpoint();
    const elsewhere = freshEndpoint();
    await backend.seedPipelineRow(ep, 1201, 2024, '2025-03-01');
    for (const id of [1202, 1203, 1204, 1205]) await store.tryLease(ep, id, 2024, 'run-a', MINUTE);
    await store.finish(ep, 1202, 'run-a', 'done', '2026-01-15');
    await store.finish(ep, 1203, 'run-a', 'empty', '2026-01-15');
    await store.fail(ep, 1204, 'run-a', 'boom');
    await store.tryLease(elsewhere, 1206, 2024, 'run-a', MINUTE);
    await store.finish(elsewhere, 1206, 'run-a', 'empty', '2026-01-15');
    expect(await store.idsWithStatus(ep, 'done')).toEqual([1201, 1202]);
    expect(await store.idsWithStatus(ep, 'empty')).toEqual([1203]);
    expect(await store.idsWithStatus(ep, 'failed')).toEqual([1204]);
    expect(await store.idsWithStatus(ep, 'leased')).toEqual([1205]);
    expect(await store.idsWithStatus(freshEndpoint(), 'done')).toEqual([]);
  });

  it('gives a shard lock to one owner, refuses a second with holder and expiry, renews, expires and releases', async () => {
    const shard: ShardRef = { endpoint: freshEndpoint(), season: 2024, shard: '2/4' };
    const other = backend.open();
    expect(await store.acquireShardLock(shard, 'run-a', 10 * MINUTE)).toEqual({ acquired: true });
    expect(await store.acquireShardLock(shard, 'run-a', 10 * MINUTE)).toEqual({ acquired: true });
    expect(await other.acquireShardLock(shard, 'run-b', 10 * MINUTE)).toEqual({
      acquired: false,
      holder: 'run-a',
      expiresAt: T0 + 10 * MINUTE,
    });
    // Another shard of the same season is a different lock.
    expect(await other.acquireShardLock({ ...shard, shard: '3/4' }, 'run-b', 10 * MINUTE)).toEqual({
      acquired: true,
    });

    backend.clock.t = T0 + 9 * MINUTE;
    expect(await store.renewShardLock(shard, 'run-a', 10 * MINUTE)).toBe(true);
    expect(await other.renewShardLock(shard, 'run-b', 10 * MINUTE)).toBe(false);
    backend.clock.t = T0 + 15 * MINUTE;
    expect(await other.acquireShardLock(shard, 'run-b', 10 * MINUTE)).toMatchObject({
      acquired: false,
      expiresAt: T0 + 19 * MINUTE,
    });

    backend.clock.t = T0 + 19 * MINUTE + 1;
    expect(await other.acquireShardLock(shard, 'run-b', 10 * MINUTE)).toEqual({ acquired: true });
    expect(await store.renewShardLock(shard, 'run-a', 10 * MINUTE)).toBe(false);
    await store.releaseShardLock(shard, 'run-a');
    expect(await store.acquireShardLock(shard, 'run-a', 10 * MINUTE)).toMatchObject({
      acquired: false,
      holder: 'run-b',
    });
    await other.releaseShardLock(shard, 'run-b');
    expect(await store.acquireShardLock(shard, 'run-a', 10 * MINUTE)).toEqual({ acquired: true });
  });

  // The one statement of the lease rules (lease-rules.ts), held against this adapter row state by row state.
  it.each(RULE_ROWS)('follows the lease rules for a game row: %s', async (_state, row) => {
    const ep = freshEndpoint();
    if (row) await backend.seedRow(ep, 1, row as RawRow);
    if (row) await backend.seedRow(ep, 2, row as RawRow);
    const rule = (r: keyof typeof LEASE_RULES) => rowMeets(LEASE_RULES[r], row ?? undefined, 'me', T0);
    const leased = await store.tryLease(ep, 1, 2024, 'me', MINUTE);
    expect(leased.taken).toBe(rule('canLease') || rule('holdsLease'));
    expect(await store.heartbeat(ep, [2], 'me', MINUTE)).toEqual(rule('holdsLease') ? [] : [2]);
    const after = (await store.getMany(ep, [2])).get(2);
    if (rule('holdsLease')) expect(after?.leaseExpiresAt).toBe(T0 + MINUTE);
    else expect(after?.leaseExpiresAt).toBe(row?.lease_expires_at);
  });

  it.each(LOCK_ROWS)('follows the lock rules for a shard lock: %s', async (_state, lock) => {
    const shard: ShardRef = { endpoint: freshEndpoint(), season: 2024, shard: '1/1' };
    if (lock) {
      backend.clock.t = lock.expiresAt - MINUTE;
      expect(await backend.open().acquireShardLock(shard, lock.owner, MINUTE)).toEqual({ acquired: true });
      backend.clock.t = T0;
    }
    const row = lock ? { lease_owner: lock.owner, lease_expires_at: lock.expiresAt } : undefined;
    const holds = rowMeets(LEASE_RULES.holdsLock, row, 'me', T0);
    expect(await store.renewShardLock(shard, 'me', 2 * MINUTE)).toBe(holds);
    const renewed = holds ? { lease_owner: 'me', lease_expires_at: T0 + 2 * MINUTE } : row;
    const canLock = rowMeets(LEASE_RULES.canLock, renewed, 'me', T0);
    expect((await store.acquireShardLock(shard, 'me', MINUTE)).acquired).toBe(canLock);
  });

  it("lists an API key's live budget holders in join order, keeps join times on renewal, drops dead and leaving ones", async () => {
    const key = `k${freshEndpoint()}`;
    const other = backend.open();
    expect(await store.holdBudget(key, 'run-a', MINUTE)).toEqual([
      { owner: 'run-a', joinedAt: T0, expiresAt: T0 + MINUTE },
    ]);
    backend.clock.t = T0 + 1000;
    expect((await other.holdBudget(key, 'run-b', MINUTE)).map((h) => h.owner)).toEqual(['run-a', 'run-b']);
    expect(await other.holdBudget(`${key}x`, 'run-c', MINUTE)).toHaveLength(1);
    backend.clock.t = T0 + 30_000;
    expect(await store.holdBudget(key, 'run-a', MINUTE)).toEqual([
      { owner: 'run-a', joinedAt: T0, expiresAt: T0 + 30_000 + MINUTE },
      { owner: 'run-b', joinedAt: T0 + 1000, expiresAt: T0 + 1000 + MINUTE },
    ]);
    // run-b stops beating: once its entry expires it is no longer counted.
    backend.clock.t = T0 + 1000 + MINUTE + 1;
    expect((await store.holdBudget(key, 'run-a', MINUTE)).map((h) => h.owner)).toEqual(['run-a']);
    await store.leaveBudget(key, 'run-a');
    expect((await other.holdBudget(key, 'run-b', MINUTE)).map((h) => [h.owner, h.joinedAt])).toEqual([
      ['run-b', T0 + 1000],
    ]);
  });

  it("keeps a leaving holder's last starts, counted as no holder, until they no longer count", async () => {
    const key = `k${freshEndpoint()}`;
    await store.holdBudget(key, 'run-a', MINUTE);
    await store.leaveBudget(key, 'run-a', { starts: [T0 - 300, T0 - 100], until: T0 + 1000 });
    expect(await backend.open().holdBudget(key, 'run-b', MINUTE)).toEqual([
      { owner: 'run-a', joinedAt: T0, expiresAt: T0 + 1000, leftStarts: [T0 - 300, T0 - 100] },
      { owner: 'run-b', joinedAt: T0, expiresAt: T0 + MINUTE },
    ]);
    backend.clock.t = T0 + 1001;
    expect((await store.holdBudget(key, 'run-b', MINUTE)).map((h) => h.owner)).toEqual(['run-b']);
  });

  it("keeps an API key's quota ledger beside its holders: 20 runs reserving at once never take the same calls, a dead holder's reservation lapses", async () => {
    const key = `k${freshEndpoint()}`;
    const owners = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    for (const o of owners) await store.holdBudget(key, o, MINUTE);
    // The count is known: 100 left, 10 in reserve. Each asks for 8: only 11 runs can have 8, one gets the 2 left.
    await store.changeQuota(key, () => ({
      next: { seen: { remaining: 100, at: T0 }, reserved: {} },
      result: 0,
    }));
    const grants = await Promise.all(
      owners.map((o) =>
        backend.open().changeQuota(key, (ledger, live) => {
          const holding = new Set(live.map((h) => h.owner));
          const held = Object.entries(ledger.reserved).reduce((n, [w, c]) => n + (holding.has(w) ? c : 0), 0);
          const granted = Math.max(0, Math.min(8, ledger.seen!.remaining - 10 - held));
          return { next: { ...ledger, reserved: { ...ledger.reserved, [o]: granted } }, result: granted };
        }),
      ),
    );
    expect(grants.reduce((a, b) => a + b, 0)).toBe(90);
    expect(grants.filter((g) => g === 8)).toHaveLength(11);
    // The holders' rows are still listed as holders, the ledger row is not one.
    expect((await store.holdBudget(key, 'run-0', MINUTE)).map((h) => h.owner).sort()).toEqual(
      [...owners].sort(),
    );
    // Everyone but run-0 dies: only run-0's reservation is live; a decision that writes nothing reads it.
    backend.clock.t = T0 + MINUTE + 1;
    await store.holdBudget(key, 'run-0', MINUTE);
    const read = await backend
      .open()
      .changeQuota(key, (ledger, live) => ({ result: { ledger, live: live.map((h) => h.owner) } }));
    expect(read.live).toEqual(['run-0']);
    expect(read.ledger.seen).toEqual({ remaining: 100, at: T0 });
    expect(Object.values(read.ledger.reserved).reduce((a, b) => a + b, 0)).toBe(90);
  });

  it('gives each of 200 games to exactly one of 10 owners racing for all of them', async () => {
    const ep = freshEndpoint();
    const games = Array.from({ length: 200 }, (_, i) => 30_000 + i);
    const owners = Array.from({ length: 10 }, (_, i) => `run-${i}`);
    const takers = new Map<number, string[]>();
    await Promise.all(
      owners.map(async (owner, i) => {
        const mine = backend.open();
        await mapLimit(shuffled(games, i + 1), 8, async (id) => {
          const r = await mine.tryLease(ep, id, 2024, owner, 10 * MINUTE);
          if (r.taken) takers.set(id, [...(takers.get(id) ?? []), owner]);
        });
      }),
    );
    expect(games.filter((id) => takers.get(id)?.length !== 1)).toEqual([]);
    const rows = await store.getMany(ep, games);
    for (const id of games) expect(rows.get(id)).toMatchObject({ owner: takers.get(id)?.[0], attempts: 1 });
  });
});

describe('file checkpoints across processes', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-checkpoints-'));
    dirs.push(dir);
    return dir;
  };

  it('gives each of 300 games to exactly one of 3 processes racing for them', async () => {
    const dir = await tempDir();
    const workers = [0, 1, 2].map((i) => startLeaseWorker(NODE24, dir, `proc-${i}`, 300));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const taken = await Promise.all(workers.map((w) => w.done));
    const all = taken.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const store = createFileCheckpoints(dir);
    const rows = await store.getMany('plays_game', all);
    expect([...rows.values()].filter((r) => r.attempts !== 1)).toEqual([]);
  });

  it('breaks a lock a crashed process left behind, and waits for a live one', async () => {
    const dir = await tempDir();
    const store = createFileCheckpoints(dir);
    const doc = path.join(dir, 'gap_fill%3Aplays_game', `${paramsHash({ gameId: 7 })}.json`);
    await mkdir(`${doc}.lock`, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(`${doc}.lock`, old, old);
    expect(await store.tryLease('plays_game', 7, 2024, 'run-a', MINUTE)).toEqual({
      taken: true,
      attempts: 1,
    });
    await expect(stat(`${doc}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });

    await mkdir(`${doc}.lock`);
    let settled = false;
    const finishing = store.finish('plays_game', 7, 'run-a', 'done', '2026-01-15').finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await rm(`${doc}.lock`, { recursive: true });
    expect(await finishing).toBe(true);
  });
});

describe('DynamoDB checkpoints: requests, retries and lost answers', () => {
  let table: string;
  beforeAll(async () => {
    table = `cbbd_checkpoints_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
  });

  it('reads 250 games in 3 BatchGetItem calls, plus one for keys left unprocessed', async () => {
    const { client, calls, leaveUnprocessed } = instrumentedClient();
    const store = createDynamoDbCheckpoints(client, table);
    const ids = Array.from({ length: 250 }, (_, i) => 40_000 + i);
    await mapLimit(ids, 16, (id) => store.tryLease('plays_game', id, 2024, 'run-a', MINUTE));
    calls.length = 0;
    leaveUnprocessed.push(60);
    const found = await store.getMany('plays_game', ids);
    expect(found.size).toBe(250);
    expect(calls.filter((c) => c === 'BatchGetItemCommand')).toHaveLength(4);
    client.destroy();
  });

  it('retries throttling and 5xx answers, and never a refused condition', async () => {
    const { client, calls, faults } = instrumentedClient();
    const store = createDynamoDbCheckpoints(client, table);
    faults.push(
      { command: 'UpdateItemCommand', error: throttled },
      { command: 'UpdateItemCommand', error: throttled },
      { command: 'UpdateItemCommand', error: serverError },
    );
    expect(await store.tryLease('games', 1, 2024, 'run-a', MINUTE)).toEqual({ taken: true, attempts: 1 });
    expect(calls).toEqual(Array(4).fill('UpdateItemCommand'));
    calls.length = 0;
    expect(await store.tryLease('games', 1, 2024, 'run-b', MINUTE)).toMatchObject({ taken: false });
    expect(calls).toEqual(['UpdateItemCommand', 'GetItemCommand']);
  });

  it('recognises its own writes when the answer to the first try was lost and the retry is refused', async () => {
    const { client, faults } = instrumentedClient();
    const store = createDynamoDbCheckpoints(client, table);
    faults.push({ command: 'UpdateItemCommand', error: serverError, afterSending: true });
    expect(await store.tryLease('games', 2, 2024, 'run-a', MINUTE)).toEqual({ taken: true, attempts: 1 });
    faults.push({ command: 'UpdateItemCommand', error: serverError, afterSending: true });
    expect(await store.finish('games', 2, 'run-a', 'done', '2026-01-15')).toBe(true);
    await store.tryLease('games', 3, 2024, 'run-a', MINUTE);
    faults.push({ command: 'UpdateItemCommand', error: serverError, afterSending: true });
    expect(await store.fail('games', 3, 'run-a', 'boom')).toBe(true);
    faults.push({ command: 'PutItemCommand', error: serverError, afterSending: true });
    const shard = { endpoint: 'games', season: 2024, shard: '1/1' };
    expect(await store.acquireShardLock(shard, 'run-a', MINUTE)).toEqual({ acquired: true });
  });
});

interface Fault {
  command: string;
  error: () => Error;
  /** Let the request reach the server first, then lose its answer. */
  afterSending?: boolean;
}

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'test: throttled', $metadata: {} });
const serverError = () =>
  new InternalServerError({ message: 'test: internal error', $metadata: { httpStatusCode: 500 } });

/**
 * A real client with a middleware in front of the SDK's own retries that records each command, injects faults
 * (`faults`, used in order) and makes the next BatchGetItem leave all but N keys unprocessed (`leaveUnprocessed`).
 */
function instrumentedClient(): {
  client: DynamoDBClient;
  calls: string[];
  faults: Fault[];
  leaveUnprocessed: number[];
} {
  const client = testDynamoClient();
  const calls: string[] = [];
  const faults: Fault[] = [];
  const leaveUnprocessed: number[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      calls.push(command);
      const at = faults.findIndex((f) => f.command === command);
      const fault = at >= 0 ? faults.splice(at, 1)[0] : undefined;
      if (fault && !fault.afterSending) throw fault.error();
      const keep = command === 'BatchGetItemCommand' ? leaveUnprocessed.shift() : undefined;
      if (keep === undefined) {
        const out = await next(args);
        if (fault) throw fault.error();
        return out;
      }
      const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
      const [table, request] = Object.entries(input.RequestItems)[0] ?? [];
      if (!table || !request) throw new Error('test: BatchGetItem without a table');
      const trimmed = {
        ...input,
        RequestItems: { [table]: { ...request, Keys: request.Keys.slice(0, keep) } },
      };
      const out = await next({ ...args, input: trimmed });
      (out.output as { UnprocessedKeys?: unknown }).UnprocessedKeys = {
        [table]: { ...request, Keys: request.Keys.slice(keep) },
      };
      return out;
    },
    { step: 'initialize', name: 'checkpointTestFaults' },
  );
  return { client, calls, faults, leaveUnprocessed };
}

/** A child process that leases games 1..count as `owner` with 8 workers, once told to go; prints the ids it took. */
function startLeaseWorker(binary: string, dir: string, owner: string, count: number) {
  const moduleUrl = pathToFileURL(path.resolve('src/checkpoint/file-checkpoints.ts')).href;
  const script = `
    const [moduleUrl, dir, owner, count] = process.argv.slice(1);
    const { createFileCheckpoints } = await import(moduleUrl);
    const store = createFileCheckpoints(dir);
    process.stdout.write('ready\\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const taken = [];
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let id = 1 + w; id <= Number(count); id += 8) {
        const r = await store.tryLease('plays_game', id, 2024, owner, 600000);
        if (r.taken) taken.push(id);
      }
    }));
    process.stdout.write(JSON.stringify(taken) + '\\n');
    process.stdin.destroy();
  `;
  const child = spawn(
    binary,
    ['--import', 'tsx', '--input-type=module', '-e', script, moduleUrl, dir, owner, String(count)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<number[]>((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${owner} (${binary}) exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.slice('ready\n'.length)) as number[]);
    }),
  );
  // A worker that dies before it is ready fails the test through `done`, not a hung `ready`.
  const readyOrDied = Promise.race([ready, done.then(() => undefined)]);
  return { ready: readyOrDied, done, go: () => child.stdin.write('go\n') };
}

/** The items in an order fixed by `seed` (a small LCG), so each owner races through the games differently. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
