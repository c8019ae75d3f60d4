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
const rateOf = (s: BudgetShare | undefined) => (s?.kind === 'active' ? s.rate : 0);
const concOf = (s: BudgetShare | undefined) => (s?.kind === 'active' ? s.concurrency : 0);

describe('holding a share of one API budget through the checkpoint store', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a second run halves the first without the two ever exceeding the budget; a dead run’s share comes back', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-budget-'));
    dirs.push(dir);
    const clock = { t: T0 };
    const inForce: Record<string, BudgetShare | undefined> = {};
    const timers = { a: testTimers(clock), b: testTimers(clock) };
    const hold = (owner: 'a' | 'b') =>
      holdBudgetShare({
        checkpoints: createFileCheckpoints(dir, { now: () => clock.t }),
        keyHash: budgetKeyHash('k'),
        owner,
        budget: BUDGET,
        beatMs: BEAT,
        every: timers[owner].every,
        now: () => clock.t,
        apply: (s) => (inForce[owner] = s),
        logger: createMemoryLogger(),
      });
    const holders: Partial<Record<'a' | 'b', BudgetHolding>> = {};
    const sums: number[][] = [];
    /** Advances both runs' timers to `t`, beat by beat, noting the shares in force after each. */
    const advance = async (t: number, alive: ('a' | 'b')[] = ['a', 'b']) => {
      for (let at = clock.t + 100; at <= t; at += 100) {
        for (const o of alive) if (holders[o]) await timers[o].advanceTo(at, holders[o]!.settled);
        clock.t = at;
        sums.push([rateOf(inForce.a) + rateOf(inForce.b), concOf(inForce.a) + concOf(inForce.b)]);
      }
    };

    holders.a = await hold('a');
    // Alone, a starts at once; b, finding a, waits one beat so that a shrinks first.
    expect(inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });
    await advance(T0 + BEAT);
    expect(inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });

    await advance(T0 + BEAT + 700);
    holders.b = await hold('b');
    expect(inForce.b?.kind).toBe('queued');
    await advance(T0 + 4 * BEAT);
    expect([rateOf(inForce.a), rateOf(inForce.b)]).toEqual([2, 1]);
    expect(Math.max(...sums.map((s) => s[0]!))).toBeLessThanOrEqual(3);
    expect(Math.max(...sums.map((s) => s[1]!))).toBeLessThanOrEqual(3);

    // b dies (no more beats, no leave): its entry lives 1.5 beats, and a's next beat takes the whole budget back.
    const killedAt = clock.t;
    let wholeAt: number | undefined;
    for (let at = killedAt + 100; at <= killedAt + 4 * BEAT && wholeAt === undefined; at += 100) {
      await advance(at, ['a']);
      if (rateOf(inForce.a) === 3) wholeAt = at;
    }
    expect(wholeAt! - killedAt).toBeLessThanOrEqual(2.5 * BEAT);
    expect(inForce.a).toEqual({ kind: 'active', rate: 3, concurrency: 3, holders: 1 });
    await holders.a.stop();
  });
});
