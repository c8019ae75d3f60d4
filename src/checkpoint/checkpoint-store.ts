/**
 * The checkpoint port: per-game state of a fill, compatible with the `cbbd_etl` pipeline's DynamoDB table
 * (`cbbd_checkpoints`: hash key `endpoint`, range key `parameter_hash`, attribute `payload` JSON text).
 *
 * A game row: `endpoint = "gap_fill:<endpoint>"`, `parameter_hash` = sha256 of `{"gameId": N}` as the pipeline
 * hashes it (layout/hash.ts), `payload` = `{"game_id", "season", "ingested_at"}`. A row the pipeline wrote
 * (payload only, no status) counts as done. The bot adds `status`, `lease_owner`, `lease_expires_at`,
 * `attempts`, `updated_at`, `last_error`.
 */

export type GameStatus = 'leased' | 'done' | 'empty' | 'failed';

/** One game's checkpoint as read back. */
export interface GameCheckpoint {
  gameId: number;
  /** `done` also for the pipeline's payload-only rows. */
  status: GameStatus;
  season: number | undefined;
  owner: string | undefined;
  /** Epoch milliseconds. */
  leaseExpiresAt: number | undefined;
  attempts: number;
  lastError: string | undefined;
}

/** The answer to a lease request: taken, or who holds the game (or that it is finished). */
export type LeaseResult = { taken: true; attempts: number } | { taken: false; current: GameCheckpoint };

/** The answer to a shard lock request. */
export type ShardLockResult = { acquired: true } | { acquired: false; holder: string; expiresAt: number };

/** Identifies a shard of a fill: endpoint, season, and `I/N`. */
export interface ShardRef {
  endpoint: string;
  season: number;
  shard: string;
}

/** A run holding a share of one API key's budget, as the store lists them. */
export interface BudgetHolder {
  owner: string;
  /** Epoch ms of its first registration (the queue order). */
  joinedAt: number;
  /** Epoch ms; an entry past it is a dead run's and no longer counted. */
  expiresAt: number;
  /** Only on a run that left: its last request starts (epoch ms), kept while they still count in a window. */
  leftStarts?: number[];
}

/** What a leaving run leaves behind: its last starts, until they no longer count. */
export interface LeftStarts {
  starts: readonly number[];
  /** Epoch ms; the entry goes then. */
  until: number;
}

/**
 * One API key's quota ledger (issue #12), kept beside its budget holders: the monthly count last seen by any run of
 * the key, and the calls each run has reserved and not yet spent.
 */
export interface QuotaLedger {
  /** The last `X-CallLimit-Remaining` a run of the key saw, and when (epoch ms); absent before the first. */
  seen?: { remaining: number; at: number };
  /** Calls reserved and not yet spent, by holder; a holder's reservation counts only while its entry lives. */
  reserved: Record<string, number>;
}

/** What a change to the quota ledger decides: the next ledger (absent: nothing is written) and the answer. */
export interface QuotaChange<R> {
  next?: QuotaLedger;
  result: R;
}

/** The port. Every state change is a conditional write, so two shards, runs or machines never take one game. */
export interface CheckpointStore {
  readonly kind: 'dynamodb' | 'file';
  /** Checkpoints of many games at once (absent games are absent from the map). */
  getMany(endpoint: string, gameIds: readonly number[]): Promise<Map<number, GameCheckpoint>>;
  /** Every game checkpointed with a status, for the audit's known-empty ids. */
  idsWithStatus(endpoint: string, status: GameStatus): Promise<number[]>;
  /**
   * Takes a game for `leaseMs`: only when it has no row, or its lease expired, or it `failed` before. A `done`
   * or `empty` game (or a pipeline row) is never taken again.
   */
  tryLease(
    endpoint: string,
    gameId: number,
    season: number,
    owner: string,
    leaseMs: number,
  ): Promise<LeaseResult>;
  /** Extends this owner's leases; returns the ids whose lease it no longer holds. */
  heartbeat(endpoint: string, gameIds: readonly number[], owner: string, leaseMs: number): Promise<number[]>;
  /** Marks a leased game `done` or `empty` (only if this owner still holds it); `ingestedAt` goes in the payload. */
  finish(
    endpoint: string,
    gameId: number,
    owner: string,
    status: 'done' | 'empty',
    ingestedAt: string,
  ): Promise<boolean>;
  /** Marks a leased game `failed` with the error (only if this owner still holds it). */
  fail(endpoint: string, gameId: number, owner: string, error: string): Promise<boolean>;
  /** Gives a lease back untouched (the fill stopped before fetching it): the game is free at once. */
  release(endpoint: string, gameId: number, owner: string): Promise<void>;
  /** One run per shard: a second fill of the same shard learns who holds it and exits. */
  acquireShardLock(shard: ShardRef, owner: string, leaseMs: number): Promise<ShardLockResult>;
  renewShardLock(shard: ShardRef, owner: string, leaseMs: number): Promise<boolean>;
  releaseShardLock(shard: ShardRef, owner: string): Promise<void>;
  /**
   * Registers (or renews) `owner` as a holder of the shared budget of the API key hashed as `keyHash` (never the
   * key itself) until now + `ttlMs`, and returns the live holders, earliest joined first.
   */
  holdBudget(keyHash: string, owner: string, ttlMs: number): Promise<BudgetHolder[]>;
  /**
   * Leaves the key's budget at once: the other holders' shares grow on their next heartbeat. With `left`, the entry
   * stays (marked left, listed with `leftStarts`, counted as no holder) until `left.until`, so the next run of the
   * key counts those starts in its first window.
   */
  leaveBudget(keyHash: string, owner: string, left?: LeftStarts): Promise<void>;
  /**
   * Reads the key's quota ledger and live holders and writes what `decide` (pure) makes of them, only if no other
   * run changed the ledger in between (else it reads and decides again), so two runs never reserve the same calls.
   */
  changeQuota<R>(
    keyHash: string,
    decide: (ledger: QuotaLedger, live: readonly BudgetHolder[], now: number) => QuotaChange<R>,
  ): Promise<R>;
}
