/**
 * The CBBD API port the fill talks to. One call fetches one game's records from a per-game endpoint
 * (`/plays/game/{id}`, `/substitutions/game/{id}`, `/lineups/game/{id}`).
 */

/** What one game's fetch came to. Errors that must stop the whole fill are thrown instead (see below). */
export type FetchOutcome =
  /** 200 with a non-empty array. */
  | { kind: 'records'; records: Record<string, unknown>[] }
  /** 200 with `[]`: the API has no data for this game (the pipeline's `empty_response`). */
  | { kind: 'empty' }
  /** This game only: 400/404, an answer that is not a JSON array, or retries used up on 5xx/timeouts. */
  | { kind: 'failed'; reason: string; status?: number; attempts: number };

/**
 * One call of a fill: a game's own endpoint, or one of the API's bulk forms of it, which answer the same records
 * for many games at once (cbb-api v1.28): `/plays/team?season&team`, `/plays/date?date`,
 * `/substitutions/team?season&team`. `endpoint` is always the per-game endpoint whose records come back.
 */
export type CallRequest =
  | { kind: 'game'; endpoint: string; gameId: number }
  | { kind: 'team'; endpoint: string; season: number; team: string }
  | { kind: 'date'; endpoint: string; date: string };

/** The bulk forms each per-game endpoint has. Lineups have none: `/lineups/team` aggregates a season. */
export const BULK_KINDS: Readonly<Record<string, readonly ('team' | 'date')[]>> = {
  plays_game: ['team', 'date'],
  substitutions_game: ['team'],
  lineups_game: [],
};

/** What the client has spent and seen, for the summary and the plan. */
export interface ApiUsage {
  /** Requests sent (each attempt counts). */
  calls: number;
  /** Calls answered 200 (the ones the monthly quota charges). */
  charged: number;
  retries: number;
  /** The last `X-CallLimit-Remaining` the API sent, if any. */
  quotaRemaining: number | undefined;
  maxInFlight: number;
}

/** The port. Implementations hold the rate limit, the concurrency cap, retries and the quota reserve. */
export interface CbbdClient {
  /**
   * Fetches one game. Throws `QuotaExhaustedError` (util/errors.ts) when the monthly quota is spent or the next
   * call would dip into `api.quota_reserve`, and `ApiKeyError` when the API refuses the key (401): both stop
   * the fill. Never logs or returns the key.
   */
  fetchGame(endpoint: string, gameId: number, signal?: AbortSignal): Promise<FetchOutcome>;
  /** Makes one call of any kind (`fetchGame` is the `game` kind); the same errors, outcomes and budget. */
  fetchCall(call: CallRequest, signal?: AbortSignal): Promise<FetchOutcome>;
  usage(): ApiUsage;
  /** Changes the rate and concurrency from the next request on (a share of a budget shared with other runs; 0 waits). */
  setShare?(share: { rate: number; concurrency: number }): void;
  /** Counts starts another run of the key made just before (epoch ms), so this one's first window includes them. */
  countStarts?(at: readonly number[]): void;
  /** The starts this run's window looks back on (epoch ms), left in the store for the next run of the key. */
  recentStarts?(): number[];
  /** Caps the calls this run may have charged or in flight (its quota reservation); see `CallAllowance`. */
  allowCalls?(allowance: CallAllowance): void;
}

/**
 * A run's share of the monthly quota (fill/quota-ledger.ts): calls charged plus calls in flight stay below `calls`.
 * A call that would reach it first asks `grow` for room up to `needed` calls; if `calls` did not grow, the call is
 * refused as the quota's (`QuotaExhaustedError` with `why()`), and so is every later one.
 */
export interface CallAllowance {
  calls: number;
  grow(needed: number): Promise<number>;
  why(): string;
}

/** The API refused the key (401): nothing else will work until the key is fixed. */
export class ApiKeyError extends Error {
  override name = 'ApiKeyError';
}
