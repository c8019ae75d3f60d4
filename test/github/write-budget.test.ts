import { describe, expect, it } from 'vitest';
import { createWriteBudget, describeBudget, GITHUB_WRITE_LIMITS } from '../../src/github/write-budget.js';

describe('WriteBudget', () => {
  it('fits whole units, charges each write, and refuses a write over the limit before it is sent', () => {
    const budget = createWriteBudget(3);
    expect(budget.canAfford(3)).toBe(true);
    expect(budget.canAfford(4)).toBe(false);
    budget.consume('issue-close');
    budget.consume('comment');
    expect([budget.used(), budget.remaining(), budget.canAfford(2)]).toEqual([2, 1, false]);
    budget.consume('label');
    expect(() => budget.consume('comment')).toThrow(/3 of 3 writes this run; a comment write was refused/);
    expect(budget.usedByKind()).toEqual({ 'issue-close': 1, comment: 1, label: 1 });
  });

  it('holds reserved writes back from others until released', () => {
    const budget = createWriteBudget(10);
    const release = budget.reserve(7);
    expect([budget.canAfford(3), budget.canAfford(4)]).toEqual([true, false]);
    release();
    release();
    expect(budget.canAfford(10)).toBe(true);
  });

  it('counts deferrals and describes the run', () => {
    const budget = createWriteBudget(5);
    budget.consume('issue-create');
    budget.defer('close', 2);
    budget.defer('report');
    expect(describeBudget(budget)).toBe(
      '1 GitHub writes of 5 (1 issue-create); deferred to the next run: 2 close, 1 report',
    );
  });

  it('stays under GitHub’s hourly limit by default', () => {
    expect(createWriteBudget().limit).toBeLessThan(GITHUB_WRITE_LIMITS.perHour);
    expect(() => createWriteBudget(-1)).toThrow(/whole number of writes/);
  });
});
