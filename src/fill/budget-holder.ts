import type { BudgetHolder, CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { nextShare, shareOf, type Budget, type BudgetShare } from './budget-share.js';

/** What a run needs to hold a share of its API key's budget. */
export interface BudgetHolderOptions {
  checkpoints: CheckpointStore;
  /** `budgetKeyHash(apiKey)`. */
  keyHash: string;
  owner: string;
  budget: Budget;
  /** How often the holder renews its entry and reads the others; entries live 1.5 beats. */
  beatMs: number;
  every: (ms: number, fn: () => void) => () => void;
  /** A one-shot timer; returns its cancel. */
  after: (ms: number, fn: () => void) => () => void;
  now: () => number;
  /** Puts a share into force (the client's `setShare`). */
  apply: (share: BudgetShare) => void;
  /**
   * Counts starts other runs of the key may have made (the client's `countStarts`): the last starts of a run that
   * left, and for one that died, as many as its share allowed, at the moment its entry expired; each run's once.
   */
  countStarts?: (at: number[]) => void;
  /** Told of every change of the share in force (its place in line while queued), after the beat that made it. */
  onShare?: (share: BudgetShare) => void;
  logger: Logger;
}

/** A run's hold on its key's budget. */
export interface BudgetHolding {
  /** The share in force. */
  share(): BudgetShare;
  /** Waits for the beat in flight, if any. */
  settled(): Promise<void>;
  /**
   * Stops beating and leaves the budget, so the other holders grow on their next beat; `lastStarts` (epoch ms) stay
   * in the store for a window, for the next run of the key to count.
   */
  stop(lastStarts?: number[]): Promise<void>;
}

/**
 * Registers the run as a holder and re-reads the holders every beat: a smaller share is taken at once; a newcomer
 * that finds others starts only a beat and a rate window after joining, when every other holder has read the new
 * count, shrunk, and its starts from before have aged out of the server's window (one that finds none starts at
 * once); a share that grows because a holder left or died is taken at once (that holder no longer sends).
 *
 * A dead run's share comes back the moment its entry expires, not at the next beat: the holder reads the holders
 * again then. Its entry outlives its last renewal by 1.5 beats, so the share is back within 1.5 beats of the death.
 * What the dead run sent in its last moments is unknown; it is counted as its whole share of starts made at its
 * expiry, the latest it could have sent (a run that cannot renew its entry queues itself when the entry would
 * expire, before the others count it gone), so the rate the server sees stays within the budget.
 */
export async function holdBudgetShare(o: BudgetHolderOptions): Promise<BudgetHolding> {
  const ttlMs = Math.ceil(o.beatMs * 1.5);
  let used: BudgetShare = { kind: 'queued', position: 0, holders: 0 };
  /** Beats in a row that found this run entitled to an active share (while it waited for the others). */
  let entitledBeats = 0;
  /** A beat for the others to read this run and shrink, then enough beats for their earlier starts to age out. */
  const waitBeats = 1 + Math.ceil(serverWindowMs(o.budget.rate) / o.beatMs);
  let told: BudgetShare | undefined;
  const counted = new Set<string>();
  /** Starts of runs that left or died, read this beat, to count once the beat's share is in force. */
  const othersStarts: number[] = [];
  /** The live holders the last beat read, to tell a holder that died (gone, never marked left) from one that left. */
  let lastHolders: BudgetHolder[] = [];
  /** Cancels the one-shot timers of the last beat: this run queueing itself, and the read at another's expiry. */
  const cancelTimers: (() => void)[] = [];
  const beat = async () => {
    const renewing = o.now();
    try {
      const rows = await o.checkpoints.holdBudget(o.keyHash, o.owner, ttlMs);
      for (const r of rows)
        if (r.leftStarts && !counted.has(r.owner)) {
          counted.add(r.owner);
          othersStarts.push(...r.leftStarts);
        }
      const holders = rows.filter((r) => !r.leftStarts);
      othersStarts.push(...diedStarts(o.budget, lastHolders, rows, counted, o.now()));
      // A run back after its entry expired is counted again should it die.
      for (const h of holders) counted.delete(h.owner);
      lastHolders = holders;
      const fresh = shareOf(o.budget, holders, o.owner);
      for (const cancel of cancelTimers.splice(0)) cancel();
      // The store dates the entry no earlier than `renewing`: stop sending before it can expire unrenewed.
      cancelTimers.push(o.after(Math.max(0, renewing + ttlMs - o.now()), queueUnrenewed));
      // Read again the moment an active holder's entry would expire, to take its share back then if it died.
      const nextExpiry = Math.min(
        ...holders
          .filter((h) => h.owner !== o.owner && shareOf(o.budget, holders, h.owner).kind === 'active')
          .map((h) => h.expiresAt),
      );
      if (fresh.kind === 'active' && nextExpiry - o.now() < o.beatMs)
        cancelTimers.push(o.after(Math.max(0, nextExpiry - o.now()) + 1, beatOnce));
      // An active holder's share only grows when a holder left or died, so it is safe to take at once.
      entitledBeats = fresh.kind === 'active' ? entitledBeats + 1 : 0;
      // Alone, it starts at once: a run joining after this read sees it and waits, by when this one shrank. Found
      // others, it waits a beat (they read it and shrink) and then a window (their starts before shrinking age out).
      const settled = used.kind === 'active' || holders.length === 1 || entitledBeats > waitBeats;
      used = nextShare(used.kind === 'active' ? used : undefined, fresh, settled);
    } catch (e) {
      o.logger.warn(`budget heartbeat failed: ${errorMessage(e)}`);
    }
    inForce();
  };
  const inForce = () => {
    const before = told;
    told = used;
    o.apply(used);
    // Counted under the share just put in force: a limiter keeps only as many starts as its share looks back on,
    // so counted before a share grew they would be cut to the old share's count (and a start too many let through).
    if (othersStarts.length > 0) o.countStarts?.(othersStarts.splice(0));
    if (!before || !sameShare(before, used)) o.onShare?.(used);
  };
  /** The entry expires unrenewed: the others no longer count this run, so it sends nothing until it is back. */
  const queueUnrenewed = () => {
    entitledBeats = 0;
    if (used.kind !== 'active') return;
    o.logger.warn('budget entry expired unrenewed: sending nothing until it is renewed');
    used = { kind: 'queued', position: 0, holders: used.holders };
    inForce();
  };
  let beating: Promise<void> | undefined;
  const beatOnce = () => {
    beating ??= beat().finally(() => (beating = undefined));
  };
  beating = beat();
  await beating;
  beating = undefined;
  const stopTimer = o.every(o.beatMs, beatOnce);
  const settled = async () => {
    await beating;
  };
  return {
    share: () => used,
    settled,
    async stop(lastStarts = []) {
      stopTimer();
      await settled();
      for (const cancel of cancelTimers.splice(0)) cancel();
      const until = Math.max(0, ...lastStarts) + serverWindowMs(o.budget.rate);
      await o.checkpoints.leaveBudget(o.keyHash, o.owner, { starts: lastStarts, until });
    },
  };
}

/**
 * The starts to count for holders the last beat saw that are gone now past their expiry (died, not left: a run that
 * leaves without recent starts deletes its entry before it expires): each one's share of the rate at the last beat's
 * count, made at its expiry. Marks them counted.
 */
function diedStarts(
  budget: Budget,
  before: readonly BudgetHolder[],
  rows: readonly BudgetHolder[],
  counted: Set<string>,
  now: number,
): number[] {
  const starts: number[] = [];
  for (const h of before) {
    if (counted.has(h.owner) || now < h.expiresAt || rows.some((r) => r.owner === h.owner)) continue;
    counted.add(h.owner);
    const share = shareOf(budget, before, h.owner);
    if (share.kind === 'active') starts.push(...Array<number>(Math.ceil(share.rate)).fill(h.expiresAt));
  }
  return starts;
}

const sameShare = (a: BudgetShare, b: BudgetShare) => JSON.stringify(a) === JSON.stringify(b);

/** The span a limiter at `rate` looks back on, with room for its margin: a second, or one start's turn below 1/s. */
function serverWindowMs(rate: number): number {
  return Math.ceil(1000 / Math.min(1, rate)) + 100;
}
