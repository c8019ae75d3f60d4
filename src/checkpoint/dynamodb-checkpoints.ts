import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type QueryCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { paramsHash } from '../layout/hash.js';
import { mapLimit } from '../util/pool.js';
import type {
  BudgetHolder,
  CheckpointStore,
  QuotaChange,
  QuotaLedger,
  GameCheckpoint,
  GameStatus,
  LeaseResult,
  ShardLockResult,
  ShardRef,
} from './checkpoint-store.js';
import {
  batchGet,
  conditional,
  getItem,
  iso,
  num,
  queryPages,
  str,
  withRetry,
  type Item,
  type Table,
} from './dynamodb-io.js';
import { conditionExpression, LEASE_RULES } from './lease-rules.js';
import {
  budgetPartition,
  budgetRowKey,
  isHolderRow,
  liveHolders,
  quotaRowKey,
  gamePartition,
  gamePayload,
  gameRowKey,
  lockRowKey,
  parsePayload,
  seasonOf,
  statusFrom,
  truncateError,
  type RowKey,
} from './rows.js';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;
/** Requests in flight at once for one call over many games (heartbeat, getMany). */
const CONCURRENCY = 16;
/** Ledger writes lost to other runs' in a row before giving up (each round waits a little longer). */
const QUOTA_ROUNDS = 50;
/** A row deleted between a refused write and the read back is asked for again, this many times at most. */
const VANISHED_ROUNDS = 3;

/** Conditions of every state change, from the one statement of the lease rules. `#s` stands for `status`. */
const CAN_LEASE = conditionExpression(LEASE_RULES.canLease);
const HOLDS_LEASE = conditionExpression(LEASE_RULES.holdsLease);
const CAN_LOCK = conditionExpression(LEASE_RULES.canLock);
const HOLDS_LOCK = conditionExpression(LEASE_RULES.holdsLock);

/**
 * The checkpoint port over the pipeline's DynamoDB table (`cbbd_checkpoints`). Game rows live under
 * `gap_fill:<endpoint>` with the pipeline's parameter hash, shard locks under `gap_fill_lock:<endpoint>` with
 * `season=<S>/shard=<I/N>`. Every state change is one conditional write; a refusal is read back to say why.
 */
export function createDynamoDbCheckpoints(
  client: DynamoDBClient,
  table: string,
  opts: { now?: () => number } = {},
): CheckpointStore {
  const t: Table = { client, name: table, now: opts.now ?? Date.now };
  return {
    kind: 'dynamodb',
    getMany: (endpoint, gameIds) => getMany(t, endpoint, gameIds),
    idsWithStatus: (endpoint, status) => idsWithStatus(t, endpoint, status),
    tryLease: (endpoint, gameId, season, owner, leaseMs) =>
      tryLease(t, endpoint, gameId, season, owner, leaseMs),
    heartbeat: (endpoint, gameIds, owner, leaseMs) => heartbeat(t, endpoint, gameIds, owner, leaseMs),
    finish: (endpoint, gameId, owner, status, ingestedAt) =>
      finish(t, endpoint, gameId, owner, status, ingestedAt),
    fail: (endpoint, gameId, owner, error) =>
      updateHeld(
        t,
        endpoint,
        gameId,
        owner,
        {
          UpdateExpression: 'SET #s = :failed, last_error = :err, updated_at = :at REMOVE lease_expires_at',
          ExpressionAttributeValues: { ':failed': str('failed'), ':err': str(truncateError(error)) },
        },
        (c) => c.status === 'failed',
      ),
    // Untouched: the lease ends now (an expired lease is free to take) and its attempt is given back.
    release: async (endpoint, gameId, owner) => {
      await updateHeld(
        t,
        endpoint,
        gameId,
        owner,
        {
          UpdateExpression:
            'SET lease_expires_at = :zero, attempts = attempts - :one, updated_at = :at REMOVE lease_owner',
          ExpressionAttributeValues: { ':zero': num(0), ':one': num(1) },
        },
        () => true,
      );
    },
    acquireShardLock: (shard, owner, leaseMs) => acquireShardLock(t, shard, owner, leaseMs),
    holdBudget: (keyHash, owner, ttlMs) => holdBudget(t, keyHash, owner, ttlMs),
    changeQuota: (keyHash, decide) => changeQuota(t, keyHash, decide),
    leaveBudget: async (keyHash, owner, left) => {
      const Key = asItemKey(budgetRowKey(keyHash, owner));
      await withRetry(() =>
        t.client.send(
          left && left.starts.length > 0
            ? new UpdateItemCommand({
                TableName: t.name,
                Key,
                UpdateExpression: 'SET left_starts = :s, lease_expires_at = :exp, updated_at = :at',
                ExpressionAttributeValues: {
                  ':s': { L: left.starts.map((at) => num(at)) },
                  ':exp': num(left.until),
                  ':at': iso(t.now()),
                },
              })
            : new DeleteItemCommand({ TableName: t.name, Key }),
        ),
      );
    },
    renewShardLock: (shard, owner, leaseMs) =>
      conditional(() => {
        const at = t.now();
        return t.client.send(
          new UpdateItemCommand({
            TableName: t.name,
            Key: lockKey(shard),
            UpdateExpression: 'SET lease_expires_at = :exp, updated_at = :at',
            ConditionExpression: HOLDS_LOCK,
            ExpressionAttributeValues: { ':me': str(owner), ':exp': num(at + leaseMs), ':at': iso(at) },
          }),
        );
      }),
    releaseShardLock: async (shard, owner) => {
      await conditional(() =>
        t.client.send(
          new DeleteItemCommand({
            TableName: t.name,
            Key: lockKey(shard),
            ConditionExpression: HOLDS_LOCK,
            ExpressionAttributeValues: { ':me': str(owner) },
          }),
        ),
      );
    },
  };
}

async function getMany(
  t: Table,
  endpoint: string,
  gameIds: readonly number[],
): Promise<Map<number, GameCheckpoint>> {
  const ids = [...new Set(gameIds)];
  const idByHash = new Map(ids.map((id) => [paramsHash({ gameId: id }), id]));
  const batches: number[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_GET_KEYS) batches.push(ids.slice(i, i + BATCH_GET_KEYS));
  const found = new Map<number, GameCheckpoint>();
  await mapLimit(batches, Math.ceil(CONCURRENCY / 4), async (batch) => {
    const keys = batch.map((id) => gameKey(endpoint, id));
    for (const item of await batchGet(t, { Keys: keys, ConsistentRead: true })) {
      const id = idByHash.get(item.parameter_hash?.S ?? '');
      if (id !== undefined) found.set(id, toCheckpoint(item, id));
    }
  });
  return found;
}

async function idsWithStatus(t: Table, endpoint: string, status: GameStatus): Promise<number[]> {
  const ids: number[] = [];
  const input: QueryCommandInput = {
    TableName: t.name,
    KeyConditionExpression: 'endpoint = :e',
    ProjectionExpression: 'payload, #s',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':e': str(gamePartition(endpoint)) },
  };
  for await (const page of queryPages(t, input)) {
    for (const item of page.Items ?? []) {
      const id = parsePayload(item.payload?.S).game_id;
      if (typeof id === 'number' && Number.isInteger(id) && statusFrom(item.status?.S) === status)
        ids.push(id);
    }
  }
  return ids.sort((a, b) => a - b);
}

async function tryLease(
  t: Table,
  endpoint: string,
  gameId: number,
  season: number,
  owner: string,
  leaseMs: number,
): Promise<LeaseResult> {
  for (let round = 1; ; round++) {
    const at = t.now();
    try {
      const out = await withRetry(() =>
        t.client.send(
          new UpdateItemCommand({
            TableName: t.name,
            Key: gameKey(endpoint, gameId),
            UpdateExpression:
              'SET payload = :payload, #s = :leased, lease_owner = :me, lease_expires_at = :exp, ' +
              'attempts = if_not_exists(attempts, :zero) + :one, updated_at = :at',
            ConditionExpression: CAN_LEASE,
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':payload': str(gamePayload(gameId, season, null)),
              ':leased': str('leased'),
              ':failed': str('failed'),
              ':me': str(owner),
              ':now': num(at),
              ':exp': num(at + leaseMs),
              ':zero': num(0),
              ':one': num(1),
              ':at': iso(at),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return { taken: true, attempts: Number(out.Attributes?.attempts?.N ?? 1) };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const current = await getGame(t, endpoint, gameId);
    // Already ours: a retried request whose first try landed, or a second ask. Either way this owner holds it.
    if (current?.status === 'leased' && current.owner === owner)
      return { taken: true, attempts: current.attempts };
    if (current) return { taken: false, current };
    if (round >= VANISHED_ROUNDS)
      throw new Error(`checkpoint of game ${gameId} keeps vanishing from ${t.name}`);
  }
}

async function heartbeat(
  t: Table,
  endpoint: string,
  gameIds: readonly number[],
  owner: string,
  leaseMs: number,
): Promise<number[]> {
  const at = t.now();
  const ids = [...new Set(gameIds)];
  const held = await mapLimit(ids, CONCURRENCY, (id) =>
    conditional(() =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.name,
          Key: gameKey(endpoint, id),
          UpdateExpression: 'SET lease_expires_at = :exp, updated_at = :at',
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':me': str(owner),
            ':leased': str('leased'),
            ':exp': num(at + leaseMs),
            ':at': iso(at),
          },
        }),
      ),
    ),
  );
  return ids.filter((_, i) => !held[i]);
}

async function finish(
  t: Table,
  endpoint: string,
  gameId: number,
  owner: string,
  status: 'done' | 'empty',
  ingestedAt: string,
): Promise<boolean> {
  // The payload is JSON text, so the new one is built from the season the lease wrote into the old one.
  const current = await getGame(t, endpoint, gameId);
  if (current?.owner !== owner) return false;
  if (current.status !== 'leased') return current.status === status;
  return updateHeld(
    t,
    endpoint,
    gameId,
    owner,
    {
      UpdateExpression: 'SET payload = :payload, #s = :status, updated_at = :at REMOVE lease_expires_at',
      ExpressionAttributeValues: {
        ':payload': str(gamePayload(gameId, current.season, ingestedAt)),
        ':status': str(status),
      },
    },
    (c) => c.status === status,
  );
}

/**
 * A write to a game `owner` holds, with `:me`, `:leased` and `:at` bound. After a refusal it reads the row back:
 * `landed` says whether an earlier try of this same write (a retry whose first answer was lost) already did it.
 */
async function updateHeld(
  t: Table,
  endpoint: string,
  gameId: number,
  owner: string,
  write: Pick<UpdateItemCommandInput, 'UpdateExpression' | 'ExpressionAttributeValues'>,
  landed: (current: GameCheckpoint) => boolean,
): Promise<boolean> {
  const ok = await conditional(() =>
    t.client.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: gameKey(endpoint, gameId),
        UpdateExpression: write.UpdateExpression,
        ConditionExpression: HOLDS_LEASE,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':me': str(owner),
          ':leased': str('leased'),
          ':at': iso(t.now()),
          ...write.ExpressionAttributeValues,
        },
      }),
    ),
  );
  if (ok) return true;
  const current = await getGame(t, endpoint, gameId);
  return current?.owner === owner && landed(current);
}

async function acquireShardLock(
  t: Table,
  shard: ShardRef,
  owner: string,
  leaseMs: number,
): Promise<ShardLockResult> {
  const key = lockKey(shard);
  for (let round = 1; ; round++) {
    const at = t.now();
    const acquired = await conditional(() =>
      t.client.send(
        new PutItemCommand({
          TableName: t.name,
          Item: { ...key, lease_owner: str(owner), lease_expires_at: num(at + leaseMs), updated_at: iso(at) },
          ConditionExpression: CAN_LOCK,
          ExpressionAttributeValues: { ':me': str(owner), ':now': num(at) },
        }),
      ),
    );
    if (acquired) return { acquired: true };
    const current = await getItem(t, key);
    if (current)
      return {
        acquired: false,
        holder: current.lease_owner?.S ?? '',
        expiresAt: Number(current.lease_expires_at?.N ?? 0),
      };
    if (round >= VANISHED_ROUNDS)
      throw new Error(`shard lock ${key.parameter_hash?.S} keeps vanishing from ${t.name}`);
  }
}

async function getGame(t: Table, endpoint: string, gameId: number): Promise<GameCheckpoint | undefined> {
  const item = await getItem(t, gameKey(endpoint, gameId));
  return item && toCheckpoint(item, gameId);
}

/** One holder's row renewed (its join time kept), then every holder of the key read back consistently. */
async function holdBudget(t: Table, keyHash: string, owner: string, ttlMs: number): Promise<BudgetHolder[]> {
  const at = t.now();
  await withRetry(() =>
    t.client.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: asItemKey(budgetRowKey(keyHash, owner)),
        UpdateExpression:
          'SET lease_owner = :me, lease_expires_at = :exp, joined_at = if_not_exists(joined_at, :now), updated_at = :at',
        ExpressionAttributeValues: {
          ':me': str(owner),
          ':exp': num(at + ttlMs),
          ':now': num(at),
          ':at': iso(at),
        },
      }),
    ),
  );
  return liveHolders((await readBudget(t, keyHash)).holders, at);
}

/** Every row of a key's budget partition, read consistently: its holders, and its quota ledger with its version. */
async function readBudget(
  t: Table,
  keyHash: string,
): Promise<{ holders: BudgetHolder[]; quota: { ledger: QuotaLedger; version: number } | undefined }> {
  const holders: BudgetHolder[] = [];
  let quota: { ledger: QuotaLedger; version: number } | undefined;
  const input: QueryCommandInput = {
    TableName: t.name,
    KeyConditionExpression: 'endpoint = :e',
    ExpressionAttributeValues: { ':e': str(budgetPartition(keyHash)) },
    ConsistentRead: true,
  };
  for await (const page of queryPages(t, input))
    for (const item of page.Items ?? []) {
      if (item.parameter_hash?.S === quotaRowKey(keyHash).parameter_hash) quota = toLedger(item);
      else if (isHolderRow(item.parameter_hash?.S))
        holders.push({
          owner: item.lease_owner?.S ?? '',
          joinedAt: Number(item.joined_at?.N ?? 0),
          expiresAt: Number(item.lease_expires_at?.N ?? 0),
          ...(item.left_starts?.L ? { leftStarts: item.left_starts.L.map((v) => Number(v.N)) } : {}),
        });
    }
  return { holders, quota };
}

/** The ledger changes only by a write conditional on the version read: a run that lost the race decides again. */
async function changeQuota<R>(
  t: Table,
  keyHash: string,
  decide: (ledger: QuotaLedger, live: readonly BudgetHolder[], now: number) => QuotaChange<R>,
): Promise<R> {
  for (let round = 1; ; round++) {
    const at = t.now();
    const { holders, quota } = await readBudget(t, keyHash);
    const { next, result } = decide(quota?.ledger ?? { reserved: {} }, liveHolders(holders, at), at);
    if (!next) return result;
    const seen: Item = next.seen
      ? { quota_remaining: num(next.seen.remaining), quota_seen_at: num(next.seen.at) }
      : {};
    const reserved = Object.fromEntries(Object.entries(next.reserved).map(([o, n]) => [o, num(n)]));
    const written = await conditional(() =>
      t.client.send(
        new PutItemCommand({
          TableName: t.name,
          Item: {
            ...asItemKey(quotaRowKey(keyHash)),
            ...seen,
            reserved: { M: reserved },
            version: num((quota?.version ?? 0) + 1),
            updated_at: iso(at),
          },
          ...(quota
            ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': num(quota.version) } }
            : { ConditionExpression: 'attribute_not_exists(parameter_hash)' }),
        }),
      ),
    );
    if (written) return result;
    if (round >= QUOTA_ROUNDS)
      throw new Error(
        `the quota ledger of API budget ${keyHash} changed under ${QUOTA_ROUNDS} writes in a row`,
      );
    await sleep(Math.random() * 10 * round);
  }
}

function toLedger(item: Item): { ledger: QuotaLedger; version: number } {
  const remaining = item.quota_remaining?.N;
  const reserved = Object.entries(item.reserved?.M ?? {}).map(([o, v]) => [o, Number(v.N ?? 0)]);
  return {
    ledger: {
      ...(remaining !== undefined
        ? { seen: { remaining: Number(remaining), at: Number(item.quota_seen_at?.N ?? 0) } }
        : {}),
      reserved: Object.fromEntries(reserved),
    },
    version: Number(item.version?.N ?? 0),
  };
}

function gameKey(endpoint: string, gameId: number): Item {
  return asItemKey(gameRowKey(endpoint, gameId));
}

function lockKey(shard: ShardRef): Item {
  return asItemKey(lockRowKey(shard));
}

const asItemKey = (key: RowKey): Item => ({
  endpoint: str(key.endpoint),
  parameter_hash: str(key.parameter_hash),
});

function toCheckpoint(item: Item, gameId: number): GameCheckpoint {
  const season = seasonOf(parsePayload(item.payload?.S).season);
  const expires = item.lease_expires_at?.N;
  return {
    gameId,
    status: statusFrom(item.status?.S),
    season,
    owner: item.lease_owner?.S,
    leaseExpiresAt: expires === undefined ? undefined : Number(expires),
    attempts: Number(item.attempts?.N ?? 0),
    lastError: item.last_error?.S,
  };
}
