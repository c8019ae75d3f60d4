import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../util/pool.js';
import type {
  BudgetHolder,
  CheckpointStore,
  QuotaLedger,
  GameCheckpoint,
  LeaseResult,
  ShardLockResult,
  ShardRef,
} from './checkpoint-store.js';
import { LEASE_RULES, rowMeets } from './lease-rules.js';
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

/** One checkpoint document: the DynamoDB item's attributes, as JSON. A pipeline document has the first three only. */
interface CheckpointDoc {
  endpoint: string;
  parameter_hash: string;
  payload?: string;
  status?: string;
  lease_owner?: string;
  /** Epoch milliseconds. */
  lease_expires_at?: number;
  attempts?: number;
  updated_at?: string;
  last_error?: string;
  /** A budget holder's first registration, epoch ms. */
  joined_at?: number;
  /** A budget holder that left: its last starts, epoch ms. */
  left_starts?: number[];
  /** The quota ledger: the last monthly count seen, when (epoch ms), the calls each holder reserved. */
  quota_remaining?: number;
  quota_seen_at?: number;
  reserved?: Record<string, number>;
}

/** What a change to one document decides: the next document (`null` deletes it; absent writes nothing). */
interface Change<R> {
  next?: CheckpointDoc | null;
  result: R;
}

/** Documents read or changed at once for one call over many games. */
const CONCURRENCY = 16;
/** A document's mutex is held for one read-modify-write (milliseconds); one this old was left by a crashed process. */
const STALE_LOCK_MS = 10_000;
/** Waiting longer than this for a mutex means something other than a crash holds it. */
const LOCK_WAIT_MS = 30_000;

/**
 * The checkpoint port over a directory (a file lake's `_checkpoints`), with the DynamoDB adapter's conditions
 * across processes: one JSON document per item at `<dir>/<endpoint key>/<parameter_hash>.json`, each change a
 * compare-and-swap under a per-document mutex (an atomic `mkdir`) that writes a temporary file and renames it
 * into place, so readers never see half a document.
 */
export function createFileCheckpoints(dir: string, opts: { now?: () => number } = {}): CheckpointStore {
  const root = path.resolve(dir);
  const now = opts.now ?? Date.now;
  const mutex = createMutex();
  /** The holders of a key's budget, live or not (the partition's other document is its quota ledger). */
  const readHolders = async (keyHash: string): Promise<BudgetHolder[]> =>
    (await readFolder(path.join(root, fileName(budgetPartition(keyHash)))))
      .filter((d) => isHolderRow(d.parameter_hash))
      .map((d) => ({
        owner: d.lease_owner ?? '',
        joinedAt: d.joined_at ?? 0,
        expiresAt: d.lease_expires_at ?? 0,
        ...(d.left_starts ? { leftStarts: d.left_starts } : {}),
      }));
  const fileOf = (key: RowKey) =>
    path.join(root, fileName(key.endpoint), `${fileName(key.parameter_hash)}.json`);
  const gameFile = (endpoint: string, gameId: number) => fileOf(gameRowKey(endpoint, gameId));
  const lockFile = (s: ShardRef) => fileOf(lockRowKey(s));
  const change = <R>(file: string, decide: (doc: CheckpointDoc | undefined) => Change<R>) =>
    mutex(file, async () => {
      const { next, result } = decide(await readDoc(file));
      if (next === null) await fs.rm(file, { force: true });
      else if (next) await writeDoc(file, next);
      return result;
    });
  /** A change to a game `owner` holds; true if made, or if this same change was made before (`already`). */
  const changeHeld = (
    endpoint: string,
    gameId: number,
    owner: string,
    already: (doc: CheckpointDoc) => boolean,
    apply: (doc: CheckpointDoc) => CheckpointDoc,
  ) =>
    change(gameFile(endpoint, gameId), (doc): Change<boolean> => {
      // Refused: true only if this same change was made before (as the DynamoDB adapter reads a refusal back).
      if (!doc) return { result: false };
      if (!holdsLease(doc, owner)) return { result: doc.lease_owner === owner && already(doc) };
      return { next: { ...apply(doc), updated_at: new Date(now()).toISOString() }, result: true };
    });

  return {
    kind: 'file',

    async getMany(endpoint, gameIds) {
      const ids = [...new Set(gameIds)];
      const docs = await mapLimit(ids, CONCURRENCY, (id) => readDoc(gameFile(endpoint, id)));
      const found = new Map<number, GameCheckpoint>();
      docs.forEach((doc, i) => {
        const id = ids[i] as number;
        if (doc) found.set(id, toCheckpoint(doc, id));
      });
      return found;
    },

    async idsWithStatus(endpoint, status) {
      const docs = await readFolder(path.join(root, fileName(gamePartition(endpoint))));
      const ids: number[] = [];
      for (const doc of docs) {
        const id = parsePayload(doc.payload).game_id;
        if (typeof id === 'number' && Number.isInteger(id) && statusFrom(doc.status) === status) ids.push(id);
      }
      return ids.sort((a, b) => a - b);
    },

    tryLease(endpoint, gameId, season, owner, leaseMs) {
      const t = now();
      return change(gameFile(endpoint, gameId), (doc): Change<LeaseResult> => {
        if (canLease(doc, t)) {
          const attempts = (doc?.attempts ?? 0) + 1;
          const next: CheckpointDoc = {
            ...(doc ?? gameRowKey(endpoint, gameId)),
            payload: gamePayload(gameId, season, null),
            status: 'leased',
            lease_owner: owner,
            lease_expires_at: t + leaseMs,
            attempts,
            updated_at: new Date(t).toISOString(),
          };
          return { next, result: { taken: true, attempts } };
        }
        const current = toCheckpoint(doc as CheckpointDoc, gameId);
        // Already ours (a second ask): this owner holds the game, as the DynamoDB adapter answers.
        if (current.status === 'leased' && current.owner === owner)
          return { result: { taken: true, attempts: current.attempts } };
        return { result: { taken: false, current } };
      });
    },

    async heartbeat(endpoint, gameIds, owner, leaseMs) {
      const t = now();
      const ids = [...new Set(gameIds)];
      const held = await mapLimit(ids, CONCURRENCY, (id) =>
        change(gameFile(endpoint, id), (doc): Change<boolean> =>
          doc && holdsLease(doc, owner)
            ? {
                next: { ...doc, lease_expires_at: t + leaseMs, updated_at: new Date(t).toISOString() },
                result: true,
              }
            : { result: false },
        ),
      );
      return ids.filter((_, i) => !held[i]);
    },

    finish(endpoint, gameId, owner, status, ingestedAt) {
      return changeHeld(
        endpoint,
        gameId,
        owner,
        (doc) => doc.status === status,
        ({ lease_expires_at: _, ...doc }) => ({
          ...doc,
          payload: gamePayload(gameId, toCheckpoint(doc, gameId).season, ingestedAt),
          status,
        }),
      );
    },

    fail(endpoint, gameId, owner, error) {
      return changeHeld(
        endpoint,
        gameId,
        owner,
        (doc) => doc.status === 'failed',
        ({ lease_expires_at: _, ...doc }) => ({ ...doc, status: 'failed', last_error: truncateError(error) }),
      );
    },

    async release(endpoint, gameId, owner) {
      // Untouched: the lease ends now (an expired lease is free to take) and its attempt is given back.
      await changeHeld(
        endpoint,
        gameId,
        owner,
        () => false,
        ({ lease_owner: _, ...doc }) => ({ ...doc, lease_expires_at: 0, attempts: (doc.attempts ?? 1) - 1 }),
      );
    },

    acquireShardLock(shard, owner, leaseMs) {
      const t = now();
      const file = lockFile(shard);
      return change(file, (doc): Change<ShardLockResult> => {
        if (doc && !canLock(doc, owner, t))
          return {
            result: { acquired: false, holder: doc.lease_owner ?? '', expiresAt: doc.lease_expires_at ?? 0 },
          };
        const next: CheckpointDoc = {
          ...lockRowKey(shard),
          lease_owner: owner,
          lease_expires_at: t + leaseMs,
          updated_at: new Date(t).toISOString(),
        };
        return { next, result: { acquired: true } };
      });
    },

    renewShardLock(shard, owner, leaseMs) {
      const t = now();
      return change(lockFile(shard), (doc): Change<boolean> =>
        doc && holdsLock(doc, owner)
          ? {
              next: { ...doc, lease_expires_at: t + leaseMs, updated_at: new Date(t).toISOString() },
              result: true,
            }
          : { result: false },
      );
    },

    async holdBudget(keyHash, owner, ttlMs) {
      const t = now();
      await change(fileOf(budgetRowKey(keyHash, owner)), (doc): Change<void> => ({
        next: {
          ...budgetRowKey(keyHash, owner),
          lease_owner: owner,
          lease_expires_at: t + ttlMs,
          joined_at: doc?.joined_at ?? t,
          updated_at: new Date(t).toISOString(),
        },
        result: undefined,
      }));
      return liveHolders(await readHolders(keyHash), t);
    },

    async leaveBudget(keyHash, owner, left) {
      await change(fileOf(budgetRowKey(keyHash, owner)), (doc): Change<void> => ({
        next:
          doc && left && left.starts.length > 0
            ? {
                ...doc,
                left_starts: [...left.starts],
                lease_expires_at: left.until,
                updated_at: new Date(now()).toISOString(),
              }
            : null,
        result: undefined,
      }));
    },

    // The ledger's document changes under its mutex, so the holders read in it are the ones it decides on.
    changeQuota(keyHash, decide) {
      const key = quotaRowKey(keyHash);
      return mutex(fileOf(key), async () => {
        const t = now();
        const live = liveHolders(await readHolders(keyHash), t);
        const doc = await readDoc(fileOf(key));
        const { next, result } = decide(toLedger(doc), live, t);
        if (next)
          await writeDoc(fileOf(key), {
            ...key,
            ...(next.seen ? { quota_remaining: next.seen.remaining, quota_seen_at: next.seen.at } : {}),
            reserved: next.reserved,
            updated_at: new Date(t).toISOString(),
          });
        return result;
      });
    },

    async releaseShardLock(shard, owner) {
      await change(lockFile(shard), (doc): Change<void> =>
        holdsLock(doc, owner) ? { next: null, result: undefined } : { result: undefined },
      );
    },
  };
}

/** The lease rules (lease-rules.ts) over a document, as the DynamoDB adapter sends them as conditions. */
const canLease = (doc: CheckpointDoc | undefined, now: number) =>
  rowMeets(LEASE_RULES.canLease, doc, '', now);
const holdsLease = (doc: CheckpointDoc | undefined, owner: string) =>
  rowMeets(LEASE_RULES.holdsLease, doc, owner, 0);
const canLock = (doc: CheckpointDoc | undefined, owner: string, now: number) =>
  rowMeets(LEASE_RULES.canLock, doc, owner, now);
const holdsLock = (doc: CheckpointDoc | undefined, owner: string) =>
  rowMeets(LEASE_RULES.holdsLock, doc, owner, 0);

/**
 * A per-document mutex across processes: `mkdir <file>.lock` succeeds for exactly one caller. Callers in this
 * process queue on a promise first, so they do not poll the file system against each other.
 */
function createMutex() {
  const queues = new Map<string, Promise<unknown>>();
  return async <T>(file: string, fn: () => Promise<T>): Promise<T> => {
    const before = queues.get(file) ?? Promise.resolve();
    const run = before.then(async () => {
      const lock = `${file}.lock`;
      await acquireDirLock(lock);
      try {
        return await fn();
      } finally {
        // force: a holder stalled past STALE_LOCK_MS may find its lock already broken.
        await fs.rm(lock, { recursive: true, force: true });
      }
    });
    const tail = run.catch(() => undefined);
    queues.set(file, tail);
    try {
      return await run;
    } finally {
      if (queues.get(file) === tail) queues.delete(file);
    }
  };
}

async function acquireDirLock(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let round = 0; ; round++) {
    try {
      await fs.mkdir(lock);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await fs.mkdir(path.dirname(lock), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    if (await isStale(lock)) {
      await breakStaleLock(lock);
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${lock} has been held for over ${LOCK_WAIT_MS / 1000} s; if no fill is running, remove that directory`,
      );
    await sleep(Math.random() * Math.min(50, 2 + round * 2));
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await fs.stat(lock)).mtimeMs > STALE_LOCK_MS;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Removes a crashed process's lock. Two processes may both see it stale; only the one that makes `<lock>.break`
 * removes it, after checking again that it is still the stale one (not a fresh lock another process just made).
 */
async function breakStaleLock(lock: string): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    await fs.mkdir(breaker);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (await isStale(breaker)) await fs.rm(breaker, { recursive: true, force: true });
    return;
  }
  try {
    if (await isStale(lock)) await fs.rm(lock, { recursive: true, force: true });
  } finally {
    await fs.rmdir(breaker);
  }
}

/** Every document of one partition's folder (none if the folder does not exist). */
async function readFolder(folder: string): Promise<CheckpointDoc[]> {
  let names: string[];
  try {
    names = (await fs.readdir(folder)).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const docs = await mapLimit(names, CONCURRENCY, (n) => readDoc(path.join(folder, n)));
  return docs.filter((d): d is CheckpointDoc => d !== undefined);
}

async function readDoc(file: string): Promise<CheckpointDoc | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as CheckpointDoc;
  } catch (e) {
    throw new Error(`${file}: not a checkpoint document (${(e as Error).message})`);
  }
}

async function writeDoc(file: string, doc: CheckpointDoc): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  const handle = await fs.open(tmp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(doc, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** An item key as one path segment: `%XX` for `/` and the characters Windows refuses in names (`:` among them). */
function fileName(key: string): string {
  return key.replace(
    /[%/\\:*?"<>|]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function toLedger(doc: CheckpointDoc | undefined): QuotaLedger {
  const seen =
    doc?.quota_remaining !== undefined
      ? { seen: { remaining: doc.quota_remaining, at: doc.quota_seen_at ?? 0 } }
      : {};
  return { ...seen, reserved: { ...doc?.reserved } };
}

function toCheckpoint(doc: CheckpointDoc, gameId: number): GameCheckpoint {
  const season = seasonOf(parsePayload(doc.payload).season);
  return {
    gameId,
    status: statusFrom(doc.status),
    season,
    owner: doc.lease_owner,
    leaseExpiresAt: doc.lease_expires_at,
    attempts: doc.attempts ?? 0,
    lastError: doc.last_error,
  };
}
