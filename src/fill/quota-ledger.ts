import type {
  BudgetHolder,
  CheckpointStore,
  QuotaChange,
  QuotaLedger,
} from '../checkpoint/checkpoint-store.js';
import type { CallAllowance, CbbdClient } from '../source/cbbd-client.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** What one run asks of its key's quota ledger. */
export interface QuotaAsk {
  owner: string;
  /** Calls it still means to make (planned, less those already charged). */
  want: number;
  /** The lowest `X-CallLimit-Remaining` its own client has seen, if any. */
  seen: number | undefined;
  /** `api.quota_reserve`: calls no fill spends. */
  reserve: number;
}

/** The ledger's answer: the calls granted, and what they were weighed against. */
export interface QuotaGrant {
  granted: number;
  /** The monthly calls left as the ledger knows them (this month's lowest count seen); undefined before any. */
  remaining: number | undefined;
  /** Calls held by the other live runs of the key, and how many runs hold them. */
  held: number;
  holders: number;
}

/**
 * One run's reservation, decided over the ledger (pure; the store writes it only if no other run wrote in
 * between). The remaining count is this month's lowest seen (a count from an earlier month is stale: the quota
 * reset since). The run gets what it wants, up to what the count leaves once the live holders' reservations and
 * the reserve are set aside; before any count is known, one call (the probe that learns it). A dead holder's
 * reservation no longer counts and is dropped; `want` 0 gives this run's back.
 */
export function reserveCalls(
  ask: QuotaAsk,
  ledger: QuotaLedger,
  live: readonly BudgetHolder[],
  now: number,
): QuotaChange<QuotaGrant> {
  const stored = ledger.seen && monthOf(ledger.seen.at) === monthOf(now) ? ledger.seen : undefined;
  const mine = ask.seen !== undefined && (stored === undefined || ask.seen < stored.remaining);
  const seen = mine ? { remaining: ask.seen!, at: now } : stored;
  const holding = new Set(live.filter((h) => !h.leftStarts).map((h) => h.owner));
  const others = Object.entries(ledger.reserved).filter(
    ([o, n]) => o !== ask.owner && holding.has(o) && n > 0,
  );
  const held = others.reduce((sum, [, n]) => sum + n, 0);
  const room = seen === undefined ? 1 : seen.remaining - ask.reserve - held;
  const granted = Math.max(0, Math.min(Math.max(0, ask.want), room));
  const reserved = Object.fromEntries(granted > 0 ? [...others, [ask.owner, granted]] : others);
  return {
    next: { ...(seen ? { seen } : {}), reserved },
    result: { granted, remaining: seen?.remaining, held, holders: others.length },
  };
}

/** Reads the ledger as `plan` shows it: this month's count and what the live runs hold. Writes nothing. */
export function readQuota(
  ledger: QuotaLedger,
  live: readonly BudgetHolder[],
  now: number,
): QuotaChange<Omit<QuotaGrant, 'granted'>> {
  const { result } = reserveCalls({ owner: '', want: 0, seen: undefined, reserve: 0 }, ledger, live, now);
  return { result: { remaining: result.remaining, held: result.held, holders: result.holders } };
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** What a run needs to hold its calls in the key's quota ledger. */
export interface QuotaHoldOptions {
  checkpoints: CheckpointStore;
  keyHash: string;
  owner: string;
  /** The calls the run plans to make. */
  planned: number;
  reserve: number;
  client: CbbdClient;
  beatMs: number;
  every: (ms: number, fn: () => void) => () => void;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
}

/** A run's reservation in the quota ledger, kept current until `stop` gives back what it did not use. */
export interface QuotaHolding {
  /** The last answer of the ledger. */
  grant(): QuotaGrant;
  stop(): Promise<void>;
}

/**
 * Reserves the run's planned calls before it spends any, and caps the client at what was granted: when the grant
 * is short of the plan (it would cut into `api.quota_reserve`), the run says so and makes only what fits, then
 * stops as the quota's (exit 3). Every beat it writes what it still holds (planned less charged) and the count it
 * has seen, so other runs weigh fresh numbers. A call past the grant (a per-game fallback, or the call after the
 * probe that learnt the count) asks the ledger again first.
 */
export async function holdQuota(o: QuotaHoldOptions): Promise<QuotaHolding> {
  let extra = 0;
  let last: QuotaGrant = { granted: 0, remaining: undefined, held: 0, holders: 0 };
  let pending: Promise<number> | undefined;
  const allowance: CallAllowance = { calls: 0, grow: (needed) => grow(needed), why: () => why() };
  const sync = async (want?: number): Promise<number> => {
    const { charged, quotaRemaining } = o.client.usage();
    const ask = {
      owner: o.owner,
      want: want ?? Math.max(0, o.planned + extra - charged),
      seen: quotaRemaining,
      reserve: o.reserve,
    };
    last = await o.checkpoints.changeQuota(o.keyHash, (ledger, live, now) =>
      reserveCalls(ask, ledger, live, now),
    );
    allowance.calls = charged + last.granted;
    return allowance.calls;
  };
  const once = (): Promise<number> =>
    (pending ??= sync().finally(() => {
      pending = undefined;
    }));
  // A sync already under way may have read the client before the answer that made this need: ask after it. While
  // other runs hold calls, they may be spending calls the count already shows (counted twice until they write
  // again, every beat): wait a beat and ask again, and give up only when their reservations held still.
  const grow = async (needed: number) => {
    extra = Math.max(extra, needed - o.planned);
    await pending?.catch(() => undefined);
    for (let held = Infinity; ; held = last.held) {
      await once();
      if (allowance.calls >= needed || last.held === 0 || last.held >= held) return allowance.calls;
      await o.sleep(o.beatMs);
    }
  };
  const why = () =>
    `the CBBD API has ${last.remaining ?? 'an unknown number of'} calls left this month; ${last.held} are reserved by ${last.holders} other ` +
    `running fill(s) of this key and api.quota_reserve keeps ${o.reserve}, so this fill may make ` +
    `${allowance.calls} of its ${o.planned + extra} calls and stops here`;
  await once();
  o.client.allowCalls?.(allowance);
  if (last.remaining !== undefined && last.granted < o.planned) o.logger.warn(`API quota: ${why()} (exit 3)`);
  else o.logger.info(quotaText(last, o.planned));
  const stopTimer = o.every(o.beatMs, () => {
    once().catch((e: unknown) => o.logger.warn(`quota ledger beat failed: ${errorMessage(e)}`));
  });
  return {
    grant: () => last,
    async stop() {
      stopTimer();
      await pending?.catch(() => undefined);
      await sync(0);
    },
  };
}

function quotaText(g: QuotaGrant, planned: number): string {
  if (g.remaining === undefined)
    return `API quota: no count seen yet for this key; the first call learns it, then the fill reserves its ${planned} calls`;
  return `API quota: ${g.remaining} calls left this month, ${g.held} reserved by ${g.holders} other running fill(s); this fill reserves its ${planned}`;
}
