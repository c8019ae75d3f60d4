/**
 * One API key's budget shared among the runs that hold it (issue #12): each live holder gets an equal part of the
 * requests a second and of the requests in flight. Pure: the holders come from the checkpoint store's
 * `holdBudget`, read again on every heartbeat.
 */

import { createHash } from 'node:crypto';

/** The key's whole budget: `api.rate_limit_per_sec` and `api.max_concurrency`. */
export interface Budget {
  rate: number;
  concurrency: number;
}

/** What one holder may use now; `queued` holders wait (their 1-based place in line is `position`). */
export type BudgetShare =
  | { kind: 'active'; rate: number; concurrency: number; holders: number }
  | { kind: 'queued'; position: number; holders: number };

/** The budget's row key: a hash of the API key, never the key itself. */
export function budgetKeyHash(apiKey: string): string {
  return createHash('sha256').update(`cbbd-gap-bot budget\n${apiKey}`).digest('hex').slice(0, 32);
}

/**
 * `me`'s share among `holders` (earliest joined first). At most one holder per whole request a second is active
 * (and never more than the concurrency), so no run starts at a useless rate; the rest queue in join order.
 * Active holders split the rate and the concurrency as evenly as whole requests allow, the earliest getting the
 * remainder, so the shares never sum above the budget.
 */
export function shareOf(budget: Budget, holders: readonly { owner: string }[], me: string): BudgetShare {
  const at = holders.findIndex((h) => h.owner === me);
  const n = holders.length;
  if (at < 0) return { kind: 'queued', position: n + 1, holders: n };
  const slots = Math.max(1, Math.min(Math.floor(budget.rate), budget.concurrency));
  const active = Math.min(n, slots);
  if (at >= active) return { kind: 'queued', position: at - active + 1, holders: n };
  return {
    kind: 'active',
    rate: partOf(budget.rate, active, at),
    concurrency: partOf(budget.concurrency, active, at),
    holders: n,
  };
}

/**
 * Holder `at`'s part of `whole` split among `active` holders in whole requests, the earliest taking the remainder:
 * 3 req/s among two is 2 and 1, not 1.5 each, since a limiter counts whole starts (1.5/s would be 1 per second).
 * One holder alone gets all of it, a fraction below 1 included.
 */
function partOf(whole: number, active: number, at: number): number {
  if (active === 1) return whole;
  const units = Math.floor(whole);
  const base = Math.floor(units / active);
  return base + (at < units - base * active ? 1 : 0);
}

/**
 * The share to use until the next heartbeat, given the one used so far: a smaller share is taken at once, a larger
 * one only after a heartbeat has passed since the holders changed (`settled`), by which time every other holder has
 * read the new count and taken its smaller share. So the shares in use never sum above the budget in a change-over.
 */
export function nextShare(used: BudgetShare | undefined, fresh: BudgetShare, settled: boolean): BudgetShare {
  if (fresh.kind === 'queued') return fresh;
  if (!used || used.kind === 'queued')
    return settled ? fresh : { kind: 'queued', position: 0, holders: fresh.holders };
  if (settled) return fresh;
  return {
    kind: 'active',
    rate: Math.min(used.rate, fresh.rate),
    concurrency: Math.min(used.concurrency, fresh.concurrency),
    holders: fresh.holders,
  };
}
