import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
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
  now: () => number;
  /** Puts a share into force (the client's `setShare`). */
  apply: (share: BudgetShare) => void;
  /** Counts the last starts of runs of the key that left (the client's `countStarts`); each run's once. */
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
 * count, shrunk, and its starts from before have aged out of the server's window (one that finds none starts at once); a share that grows
 * because a holder left or died is taken at once (that holder no longer sends). A holder that cannot renew its entry
 * for as long as it lives queues itself, since the others stop counting it.
 */
export async function holdBudgetShare(o: BudgetHolderOptions): Promise<BudgetHolding> {
  const ttlMs = Math.ceil(o.beatMs * 1.5);
  let used: BudgetShare = { kind: 'queued', position: 0, holders: 0 };
  /** Beats in a row that found this run entitled to an active share (while it waited for the others). */
  let entitledBeats = 0;
  /** A beat for the others to read this run and shrink, then enough beats for their earlier starts to age out. */
  const waitBeats = 1 + Math.ceil(serverWindowMs(o.budget.rate) / o.beatMs);
  let lastRenewed = o.now();
  let told: BudgetShare | undefined;
  const counted = new Set<string>();
  const beat = async () => {
    try {
      const rows = await o.checkpoints.holdBudget(o.keyHash, o.owner, ttlMs);
      lastRenewed = o.now();
      for (const r of rows)
        if (r.leftStarts && !counted.has(r.owner)) {
          counted.add(r.owner);
          o.countStarts?.(r.leftStarts);
        }
      const holders = rows.filter((r) => !r.leftStarts);
      const fresh = shareOf(o.budget, holders, o.owner);
      // An active holder's share only grows when a holder left or died, so it is safe to take at once.
      entitledBeats = fresh.kind === 'active' ? entitledBeats + 1 : 0;
      // Alone, it starts at once: a run joining after this read sees it and waits, by when this one shrank. Found
      // others, it waits a beat (they read it and shrink) and then a window (their starts before shrinking age out).
      const settled = used.kind === 'active' || holders.length === 1 || entitledBeats > waitBeats;
      used = nextShare(used.kind === 'active' ? used : undefined, fresh, settled);
    } catch (e) {
      o.logger.warn(`budget heartbeat failed: ${errorMessage(e)}`);
      if (o.now() - lastRenewed >= ttlMs) used = { kind: 'queued', position: 0, holders: used.holders };
    }
    const before = told;
    told = used;
    o.apply(used);
    if (!before || !sameShare(before, used)) o.onShare?.(used);
  };
  let beating: Promise<void> | undefined = beat();
  await beating;
  beating = undefined;
  const stopTimer = o.every(o.beatMs, () => {
    beating ??= beat().finally(() => (beating = undefined));
  });
  const settled = async () => {
    await beating;
  };
  return {
    share: () => used,
    settled,
    async stop(lastStarts = []) {
      stopTimer();
      await settled();
      const until = Math.max(0, ...lastStarts) + serverWindowMs(o.budget.rate);
      await o.checkpoints.leaveBudget(o.keyHash, o.owner, { starts: lastStarts, until });
    },
  };
}

const sameShare = (a: BudgetShare, b: BudgetShare) => JSON.stringify(a) === JSON.stringify(b);

/** The span a limiter at `rate` looks back on, with room for its margin: a second, or one start's turn below 1/s. */
function serverWindowMs(rate: number): number {
  return Math.ceil(1000 / Math.min(1, rate)) + 100;
}
