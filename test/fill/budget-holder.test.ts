import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { holdBudgetShare, type BudgetHolding } from '../../src/fill/budget-holder.js';
import { budgetKeyHash, type BudgetShare } from '../../src/fill/budget-share.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { testTimers } from '../helpers/test-timers.js';

const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
const BEAT = 2000;
const BUDGET = { rate: 3, concurrency: 3 };
type Owner = 'a' | 'b';
const rateOf = (s: BudgetShare | undefined) => (s?.kind === 'active' ? s.rate : 0);
const concOf = (s: BudgetShare | undefined) => (s?.kind === 'active' ? s.concurrency : 0);

describe('holding a share of one API budget through the checkpoint store', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** Two runs of one key on one test clock, through one file store; `storeDown` makes a run's renewals fail. */
  async function twoRuns() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-budget-'));
    dirs.push(dir);
    const clock = { t: T0 };
    const inForce: Partial<Record<Owner, BudgetShare>> = {};
    const counted: Record<Owner, number[]> = { a: [], b: [] };
    const storeDown: Record<Owner, boolean> = { a: false, b: false };
    const timers = { a: testTimers(clock), b: testTimers(clock) };
    const holders: Partial<Record<Owner, BudgetHolding>> = {};
    const sums: number[][] = [];
    const hold = async (owner: Owner) => {
      const store = createFileCheckpoints(dir, { now: () => clock.t });
      holders[owner] = await holdBudgetShare({
        checkpoints: {
          ...store,
          holdBudget: (...args) =>
            storeDown[owner] ? Promise.reject(new Error('store unreachable')) : store.holdBudget(...args),
        },
        keyHash: budgetKeyHash('k'),
        owner,
        budget: BUDGET,
        beatMs: BEAT,
        every: timers[owner].every,
        after: timers[owner].after,
        now: () => clock.t,
        apply: (s) => (inForce[owner] = s),
        countStarts: (at) => counted[owner].push(...at),
        logger: createMemoryLogger(),
      });
    };
    /** Advances the live runs' timers to `t` in 100 ms steps, noting the shares in force after each. */
    const advance = async (t: number, alive: Owner[] = ['a', 'b']) => {
      for (let at = clock.t + 100; at <= t; at += 100) {
        for (const o of alive) if (holders[o]) await timers[o].advanceTo(at, holders[o]!.settled);
        clock.t = at;
        sums.push([rateOf(inForce.a) + rateOf(inForce.b), concOf(inForce.a) + concOf(inForce.b)]);
      }
    };
    /** a alone, then b joining; both settled at 2 and 1 requests a second. */
    const start = async () => {
      await hold('a');
      await advance(T0 + BEAT + 700);
      await hold('b');
      await advance(T0 + 5 * BEAT);
      expect([rateOf(inForce.a), rateOf(inForce.b)]).toEqual([2, 1]);
    };
    const neverOver = () => {
      expect(Math.max(...sums.map((s) => s[0]!))).toBeLessThanOrEqual(BUDGET.rate);
      expect(Math.max(...sums.map((s) => s[1]!))).toBeLessThanOrEqual(BUDGET.concurrency);
    };
    return { clock, inForce, counted, storeDown, holders, hold, advance, start, neverOver };
  }

  it('a second run halves the first without the two ever exceeding the budget', async () => {
    const runs = await twoRuns();
    await runs.hold('a');
    // Alone, a starts at once; b, finding a, waits a beat (a shrinks) and a window (a's starts age out).
    expect(runs.inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });
    await runs.advance(T0 + BEAT + 700);
    await runs.hold('b');
    expect(runs.inForce.b?.kind).toBe('queued');
    await runs.advance(T0 + 5 * BEAT);
    expect([runs.inForce.a, runs.inForce.b]).toEqual([
      { kind: 'active', rate: 2, concurrency: 2, holders: 2 },
      { kind: 'active', rate: 1, concurrency: 1, holders: 2 },
    ]);
    runs.neverOver();
    await runs.holders.a!.stop();
    await runs.holders.b!.stop();
  });

  // b dies (no more beats, no leave) early, midway and late in its beat: its entry lives 1.5 beats past its last
  // renewal, and a reads the holders again the moment it expires.
  for (const intoBeat of [100, BEAT / 2, BEAT - 100]) {
    it(`kills one of two holders ${intoBeat} ms into its beat: the survivor has the whole budget within two beats, and counts the dead run's last starts`, async () => {
      const runs = await twoRuns();
      await runs.start();
      // b's beats fall at its join time plus whole beats.
      const bJoined = T0 + BEAT + 700;
      const killedAt = bJoined + Math.ceil((runs.clock.t - bJoined) / BEAT) * BEAT + intoBeat;
      await runs.advance(killedAt);
      const lastRenewal = killedAt - intoBeat;
      let wholeAt: number | undefined;
      for (let at = killedAt + 100; at <= killedAt + 4 * BEAT && wholeAt === undefined; at += 100) {
        await runs.advance(at, ['a']);
        if (rateOf(runs.inForce.a) === 3) wholeAt = at;
      }
      expect(wholeAt! - killedAt).toBeLessThanOrEqual(2 * BEAT);
      // At b's expiry (to the 100 ms step), not at a's next beat.
      expect(wholeAt! - lastRenewal).toBeLessThanOrEqual(1.5 * BEAT + 100);
      expect(runs.inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });
      // b's share (1 request a second) counted as made at its expiry, the latest it could have sent.
      expect(runs.counted.a).toEqual([lastRenewal + 1.5 * BEAT]);
      await runs.holders.a!.stop();
    });
  }

  it('a run that cannot renew its entry stops sending by the time the entry expires, before the other grows', async () => {
    const runs = await twoRuns();
    await runs.start();
    runs.storeDown.b = true;
    await runs.advance(runs.clock.t + 4 * BEAT);
    expect(runs.inForce.b).toEqual({ kind: 'queued', position: 0, holders: 2 });
    expect(runs.inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });
    runs.neverOver();
    // Back: a shrinks at once, b waits a beat and a window before it sends again.
    runs.storeDown.b = false;
    await runs.advance(runs.clock.t + 5 * BEAT);
    expect([rateOf(runs.inForce.a), rateOf(runs.inForce.b)]).toEqual([2, 1]);
    runs.neverOver();
    await runs.holders.a!.stop();
    await runs.holders.b!.stop();
  });
});
