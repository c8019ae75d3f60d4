import { describe, expect, it } from 'vitest';
import { budgetKeyHash, nextShare, shareOf, type BudgetShare } from '../../src/fill/budget-share.js';

const BUDGET = { rate: 3, concurrency: 3 };
const holders = (n: number) => Array.from({ length: n }, (_, i) => ({ owner: `run-${i + 1}` }));
const active = (s: BudgetShare) => (s.kind === 'active' ? s : { rate: 0, concurrency: 0 });

describe('one API budget shared by its holders', () => {
  it('hashes the key, never keeping it', () => {
    const hash = budgetKeyHash('secret-key');
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(hash).not.toContain('secret');
    expect(budgetKeyHash('secret-key')).toBe(hash);
    expect(budgetKeyHash('other-key')).not.toBe(hash);
  });

  it.each([1, 2, 3, 4, 5])('never gives %i holders more than the budget in all, nor a useless share', (n) => {
    const shares = holders(n).map((h) => shareOf(BUDGET, holders(n), h.owner));
    const rates = shares.map((s) => active(s).rate);
    const conc = shares.map((s) => active(s).concurrency);
    expect(rates.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(BUDGET.rate + 1e-9);
    expect(conc.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(BUDGET.concurrency);
    for (const s of shares)
      if (s.kind === 'active') expect([s.rate >= 1, s.concurrency >= 1]).toEqual([true, true]);
    expect(shares.filter((s) => s.kind === 'active')).toHaveLength(Math.min(n, 3));
  });

  it('splits 3 req/s among two holders in whole requests, the earlier one taking the spare start and slot', () => {
    expect(shareOf(BUDGET, holders(2), 'run-1')).toEqual({
      kind: 'active',
      rate: 2,
      concurrency: 2,
      holders: 2,
    });
    expect(shareOf(BUDGET, holders(2), 'run-2')).toEqual({
      kind: 'active',
      rate: 1,
      concurrency: 1,
      holders: 2,
    });
  });

  it('gives a lone holder the whole budget, a fractional rate included', () => {
    expect(shareOf({ rate: 0.5, concurrency: 2 }, holders(1), 'run-1')).toEqual({
      kind: 'active',
      rate: 0.5,
      concurrency: 2,
      holders: 1,
    });
  });

  it('queues holders beyond one request a second each, in join order, with their place in line', () => {
    expect(shareOf(BUDGET, holders(5), 'run-4')).toEqual({ kind: 'queued', position: 1, holders: 5 });
    expect(shareOf(BUDGET, holders(5), 'run-5')).toEqual({ kind: 'queued', position: 2, holders: 5 });
  });

  it('takes a smaller share at once and a larger one only once the change has settled', () => {
    const whole = shareOf(BUDGET, holders(1), 'run-1');
    const half = shareOf(BUDGET, holders(2), 'run-1');
    expect(nextShare(whole, half, false)).toEqual({ ...half });
    expect(active(nextShare(half, whole, false))).toMatchObject({ rate: 2, concurrency: 2 });
    expect(nextShare(half, whole, true)).toEqual(whole);
    // A newcomer starts only after a heartbeat, when the others have shrunk.
    expect(nextShare(undefined, half, false).kind).toBe('queued');
    expect(nextShare(undefined, half, true)).toEqual(half);
  });
});
