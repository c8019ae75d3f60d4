import { setTimeout as timersSleep } from 'node:timers/promises';

/** Waits `ms`; may honour `signal` (the limiter also races the signal itself, so a fake sleep may ignore it). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = (ms, signal) => timersSleep(ms, undefined, signal ? { signal } : {});

/**
 * Added to every window. Starts are counted when granted, the server counts them on arrival, and the two differ
 * by event-loop and network jitter; 40 ms absorbs the ordinary kind for 4% of the rate. A request held up longer
 * (a cold TLS connection, a starved process) can still let the server count one start too many in a second: at
 * worst a 429 with Retry-After, which the retry policy waits out.
 */
export const WINDOW_MARGIN_MS = 40;

/** How often a start waiting on a cold start still in flight looks again. */
const COLD_POLL_MS = 20;

/**
 * The sliding-window rule for a rate of R starts a second: at most `starts` starts in any window of `windowMs`.
 *
 * - R ≥ 1: ⌊R⌋ starts per 1000 ms (+ margin). Any one-second window lies inside one of ours, so it never holds
 *   more than ⌊R⌋ ≤ R starts; sustained ⌊R⌋·1000/1040 — 0.96·R for a whole R.
 * - R < 1: 1 start per 1000/R ms (+ margin), e.g. 0.75 → one start per 1373 ms: a second never holds more than
 *   one start and any 1000/R ms never more than one; sustained ≥ 0.96·R.
 * - A fractional R above 1 (2.5) gets ⌊R⌋ (2): counts are whole, so "never more than 2.5 in any second" *is*
 *   "never more than 2", and no rule can honour that and sustain more than 2/s. Plan shard shares as whole
 *   numbers or as fractions below 1 to lose nothing.
 */
export function windowRule(
  ratePerSec: number,
  marginMs = WINDOW_MARGIN_MS,
): { starts: number; windowMs: number } {
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) {
    throw new RangeError(`rate must be a positive number of requests per second, got ${ratePerSec}`);
  }
  if (!(marginMs >= 0)) throw new RangeError(`window margin must be ≥ 0 ms, got ${marginMs}`);
  return ratePerSec >= 1
    ? { starts: Math.floor(ratePerSec), windowMs: 1000 + marginMs }
    : { starts: 1, windowMs: 1000 / ratePerSec + marginMs };
}

export interface RateLimiterOptions {
  /** Requests started per second; may be fractional (a shard's share). */
  ratePerSec: number;
  /** Requests in flight at once. */
  concurrency: number;
  now?: () => number;
  sleep?: Sleep;
  marginMs?: number;
  /**
   * Count the first window's starts from when their requests end: on fresh connections a request can reach the
   * server well after it was sent, and the next window's starts, sent on warm ones, would arrive inside its second.
   */
  coldStarts?: boolean;
  /**
   * Count each start from when its request was actually sent (`sent()` on what `acquire` returns; until then, and
   * if it never comes, from the end of the request): a process busy elsewhere (a Parquet write, a large answer to
   * parse) can hold a granted request back for longer than the margin, and the server counts it when it arrives.
   */
  anchorOnSend?: boolean;
}

/** What `acquire` resolves with: frees the slot (idempotent); `sent` tells when the request went out. */
export type LimiterSlot = (() => void) & { sent(): void };

export interface RateLimiterCounters {
  /** Starts granted. */
  started: number;
  /** Granted and not yet released (a caller still waiting for the window holds a slot but is not counted). */
  inFlight: number;
  maxInFlight: number;
}

export interface RateLimiter {
  /** The window rule in force (it changes with `setShare`). */
  readonly rule: { starts: number; windowMs: number };
  /**
   * Changes the rate and the concurrency from the next start on: a run's share of a budget it shares with other
   * runs. A lower concurrency takes effect as requests in flight end; 0 admits nothing until raised (queued).
   */
  setShare(share: { ratePerSec: number; concurrency: number }): void;
  /** Counts starts made elsewhere with the same key (another run that just ended), epoch ms. */
  countStarts(at: readonly number[]): void;
  /** The starts the window looks back on, epoch ms (a cold start still in flight counts as now). */
  recentStarts(): number[];
  /**
   * Waits for a free slot and then for the window to admit a start, in arrival order; resolves with the function
   * that frees the slot (idempotent). Start the request right away: the start is recorded when granted (with
   * `anchorOnSend`, when `sent` is called).
   */
  acquire(signal?: AbortSignal): Promise<LimiterSlot>;
  counters(): RateLimiterCounters;
}

/**
 * The CBBD API's request budget as a value: at most R requests started in any one-second window, at most C in
 * flight. Time is injected (`now`, `sleep`) so the invariants are tested on a fake clock, without wall time.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  let { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  let rule = windowRule(options.ratePerSec, options.marginMs);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const counters: RateLimiterCounters = { started: 0, inFlight: 0, maxInFlight: 0 };
  /**
   * The last `rule.starts` starts; `open`: a start not yet anchored (it counts as now): a cold start until its
   * request ends, with `anchorOnSend` any start until its request is sent.
   */
  const recent: { at: number; open: boolean; cold?: boolean }[] = [];
  let coldLeft = options.coldStarts ? rule.starts : 0;
  const timeOf = (r: { at: number; open: boolean }) => (r.open ? Math.max(r.at, now()) : r.at);
  /** Keeps the newest `rule.starts` starts, oldest first. */
  const trim = () => {
    recent.sort((a, b) => timeOf(a) - timeOf(b));
    while (recent.length > rule.starts) recent.shift();
  };
  /** Concurrency slots taken: the requests in flight plus those waiting for the window. */
  let slotsHeld = 0;
  const slotWaiters: (() => void)[] = [];
  /** Slot holders pass the window one at a time, in the order they got their slot. */
  let gate: Promise<void> = Promise.resolve();

  // A freed slot goes to the next waiter, unless the concurrency was lowered below the slots still held.
  const freeSlot = () => {
    const next = slotsHeld > concurrency ? undefined : slotWaiters.shift();
    if (next) next();
    else slotsHeld--;
  };
  const grantFreeSlots = () => {
    while (slotsHeld < concurrency && slotWaiters.length > 0) {
      slotsHeld++;
      slotWaiters.shift()!();
    }
  };

  const takeSlot = async (signal?: AbortSignal) => {
    if (slotsHeld < concurrency) {
      slotsHeld++;
    } else {
      let handOver = () => {};
      const handed = new Promise<void>((resolve) => (handOver = resolve));
      slotWaiters.push(handOver);
      try {
        await abortable(handed, signal);
      } catch (e) {
        const i = slotWaiters.indexOf(handOver);
        // Still queued: leave the queue. Already handed the slot (the hand-over raced the abort): pass it on.
        if (i >= 0) slotWaiters.splice(i, 1);
        else freeSlot();
        throw e;
      }
    }
  };

  const waitForStart = async (signal?: AbortSignal) => {
    for (;;) {
      signal?.throwIfAborted();
      trim();
      const oldest = recent.length < rule.starts ? undefined : recent[0]!;
      const waitMs = oldest === undefined ? 0 : timeOf(oldest) + rule.windowMs - now();
      if (waitMs <= 0) break;
      // A cold start still in flight moves its window when it ends: look again soon.
      const pending = recent.some((r) => r.open);
      await abortable(sleep(pending ? Math.min(waitMs, COLD_POLL_MS) : waitMs, signal), signal);
    }
    const cold = coldLeft > 0;
    const start = { at: now(), open: cold || Boolean(options.anchorOnSend), cold };
    if (cold) coldLeft--;
    recent.push(start);
    trim();
    counters.started++;
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    return start;
  };

  return {
    get rule() {
      return rule;
    },
    setShare(share) {
      if (!Number.isInteger(share.concurrency) || share.concurrency < 0)
        throw new RangeError(`concurrency must be a whole number ≥ 0, got ${share.concurrency}`);
      if (share.concurrency > 0) {
        rule = windowRule(share.ratePerSec, options.marginMs);
        // The starts already made still count: the newest of them, as many as the new rule looks back on.
        trim();
      }
      concurrency = share.concurrency;
      grantFreeSlots();
    },
    countStarts(at) {
      for (const t of at) recent.push({ at: t, open: false });
      trim();
    },
    recentStarts: () => recent.map(timeOf),
    async acquire(signal) {
      signal?.throwIfAborted();
      await takeSlot(signal);
      let start: { at: number; open: boolean; cold?: boolean };
      try {
        const turn = gate.then(() => waitForStart(signal));
        gate = turn.then(
          () => {},
          () => {},
        );
        start = await abortable(turn, signal);
      } catch (e) {
        freeSlot();
        throw e;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (start.open) [start.at, start.open] = [now(), false];
        counters.inFlight--;
        freeSlot();
      };
      const sent = () => {
        if (start.open && !start.cold && !released) [start.at, start.open] = [now(), false];
      };
      return Object.assign(release, { sent });
    },
    counters: () => ({ ...counters }),
  };
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
