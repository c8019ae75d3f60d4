/**
 * GitHub's documented secondary limits on content-creating requests (REST "Rate limits", "About secondary rate
 * limits"): no more than 80 a minute and no more than 500 an hour. The client spaces writes a second apart (60 a
 * minute), so the hourly figure is the one a run can break.
 */
export const GITHUB_WRITE_LIMITS = { perMinute: 80, perHour: 500 } as const;

/**
 * Writes one run may make: the hourly limit less a share for the fill workflow and people's own tools acting as
 * the same token in that hour.
 */
export const DEFAULT_WRITES_PER_RUN = 400;

/** What a write does; the summary reports writes and deferrals by these. */
export type WriteKind =
  'issue-create' | 'issue-update' | 'issue-close' | 'issue-reopen' | 'comment' | 'label' | 'git' | 'pull';

/** Units of work left for the next run because the budget could not fit them. */
export type DeferredWork = 'create' | 'update' | 'close' | 'reopen' | 'duplicate' | 'report';

/**
 * The writes one run may still make, as a value (like actions/stale's operations budget): each unit of work asks
 * `canAfford` for its whole cost first and is deferred when it does not fit; every write then calls `consume`
 * before it is sent. Writes a unit is sure to need can be held back for it with `reserve`.
 */
export interface WriteBudget {
  readonly limit: number;
  /** Whether `writes` more fit, leaving what is reserved untouched. */
  canAfford(writes: number): boolean;
  /** Charges one write; throws when none is left (a unit that skipped `canAfford`), before anything is sent. */
  consume(kind: WriteKind): void;
  /** Holds `writes` back from `canAfford` until the returned function releases them. */
  reserve(writes: number): () => void;
  defer(work: DeferredWork, count?: number): void;
  used(): number;
  remaining(): number;
  usedByKind(): Partial<Record<WriteKind, number>>;
  deferred(): Partial<Record<DeferredWork, number>>;
}

/** A budget of `limit` writes (default `DEFAULT_WRITES_PER_RUN`). */
export function createWriteBudget(limit = DEFAULT_WRITES_PER_RUN): WriteBudget {
  if (!Number.isInteger(limit) || limit < 0)
    throw new Error(`a write budget is a whole number of writes, 0 or more; got ${limit}`);
  let used = 0;
  let reserved = 0;
  const byKind: Partial<Record<WriteKind, number>> = {};
  const deferred: Partial<Record<DeferredWork, number>> = {};
  return {
    limit,
    canAfford: (writes) => used + reserved + writes <= limit,
    consume(kind) {
      if (used >= limit)
        throw new Error(
          `GitHub write budget spent: ${used} of ${limit} writes this run; a ${kind} write was refused before it was sent`,
        );
      used += 1;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    },
    reserve(writes) {
      reserved += writes;
      let released = false;
      return () => {
        if (!released) reserved -= writes;
        released = true;
      };
    },
    defer(work, count = 1) {
      if (count > 0) deferred[work] = (deferred[work] ?? 0) + count;
    },
    used: () => used,
    remaining: () => limit - used,
    usedByKind: () => ({ ...byKind }),
    deferred: () => ({ ...deferred }),
  };
}

/** `12 writes of 400 (3 issue-create, 9 comment)`; deferrals, when any, as `; deferred: 2 close, 1 report`. */
export function describeBudget(budget: WriteBudget): string {
  const list = (counts: Partial<Record<string, number>>) =>
    Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
  const used = list(budget.usedByKind());
  const deferred = list(budget.deferred());
  return (
    `${budget.used()} GitHub writes of ${budget.limit}${used ? ` (${used})` : ''}` +
    (deferred ? `; deferred to the next run: ${deferred}` : '')
  );
}
