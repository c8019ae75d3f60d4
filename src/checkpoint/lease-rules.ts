/**
 * The lease state machine, stated once. Each rule is a condition over a checkpoint row (a game's or a shard
 * lock's) that a state change requires; the DynamoDB adapter sends it as a `ConditionExpression`
 * (`conditionExpression`), the file store evaluates it over its document (`rowMeets`). Both read the row as
 * DynamoDB does: a comparison with a missing attribute is false, so a pipeline row (payload only, no `status`)
 * meets no lease clause and stays done.
 */

/** A clause of a rule. `:me` is the owner asking, `:now` the time of the ask (epoch ms). */
export type Clause =
  | { is: 'absent' }
  | { is: 'status'; status: 'leased' | 'failed' }
  | { is: 'owned' }
  | { is: 'expired' }
  | { is: 'all'; of: Clause[] }
  | { is: 'any'; of: Clause[] };

const absent: Clause = { is: 'absent' };
const owned: Clause = { is: 'owned' };
const expired: Clause = { is: 'expired' };
const status = (s: 'leased' | 'failed'): Clause => ({ is: 'status', status: s });
const all = (...of: Clause[]): Clause => ({ is: 'all', of });
const any = (...of: Clause[]): Clause => ({ is: 'any', of });

/** The rules: which row a lease, a write under a lease, a shard lock and a write under a lock may change. */
export const LEASE_RULES = {
  /** A game may be leased when it has no row, its lease ran out, or it failed before; never once done/empty. */
  canLease: any(absent, all(status('leased'), expired), status('failed')),
  /** Heartbeat, finish, fail and release need the game leased to the owner asking. */
  holdsLease: all(owned, status('leased')),
  /** A shard lock may be taken when there is none, it ran out, or the asker holds it already. */
  canLock: any(absent, expired, owned),
  /** Renewing or releasing a lock needs the lock held by the owner asking. */
  holdsLock: owned,
} as const satisfies Record<string, Clause>;

export type LeaseRule = keyof typeof LEASE_RULES;

/** The attributes of a row the rules read. */
export interface RuleRow {
  status?: string | undefined;
  lease_owner?: string | undefined;
  lease_expires_at?: number | undefined;
}

/**
 * A rule as a DynamoDB `ConditionExpression`. It uses `#s` for `status` (a reserved word) and those of the values
 * `:leased`, `:failed`, `:me` and `:now` it names, which the caller binds.
 */
export function conditionExpression(clause: Clause, top = true): string {
  switch (clause.is) {
    case 'absent':
      return 'attribute_not_exists(parameter_hash)';
    case 'status':
      return `#s = :${clause.status}`;
    case 'owned':
      return 'lease_owner = :me';
    case 'expired':
      return 'lease_expires_at < :now';
    case 'all': {
      const text = clause.of.map((c) => conditionExpression(c, false)).join(' AND ');
      return top ? text : `(${text})`;
    }
    case 'any': {
      const text = clause.of.map((c) => conditionExpression(c, false)).join(' OR ');
      return top ? text : `(${text})`;
    }
  }
}

/** Whether a row (or no row) meets a rule, for `me` asking at `now`, read as DynamoDB reads its conditions. */
export function rowMeets(clause: Clause, row: RuleRow | undefined, me: string, now: number): boolean {
  switch (clause.is) {
    case 'absent':
      return row === undefined;
    case 'status':
      return row?.status === clause.status;
    case 'owned':
      return row?.lease_owner !== undefined && row.lease_owner === me;
    case 'expired':
      return row?.lease_expires_at !== undefined && row.lease_expires_at < now;
    case 'all':
      return clause.of.every((c) => rowMeets(c, row, me, now));
    case 'any':
      return clause.of.some((c) => rowMeets(c, row, me, now));
  }
}
