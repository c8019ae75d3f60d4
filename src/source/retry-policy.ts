/**
 * The one retry policy for the CBBD API: what one failed attempt at a game means, and whether to try again.
 *
 * Retried (up to `api.retry.max_attempts` attempts in all):
 * - 5xx, timeouts, connection resets and bodies cut short: the next attempt can get a whole answer.
 * - 429 with Retry-After (the API's per-endpoint concurrency limit): wait what it asks, capped at max_delay.
 * - 429 without Retry-After that is not the quota message (a throttle in front of the app): back off.
 *
 * Never retried:
 * - 401: the key is wrong or revoked; every call will fail the same way, so the whole fill stops.
 * - 429 "Monthly call quota exceeded." (no Retry-After): waiting does not help until the month turns, so the
 *   whole fill stops.
 * - 400, 404 and other 4xx: asking again gets the same answer; this game fails.
 * - A 200 whose body is not JSON, not an array of records, or over the size cap: the API charged for it and
 *   sent all it promised (Content-Length matched), so a retry would spend another call on the same bytes; this
 *   game fails and the next run can try it again.
 */

export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** One attempt that did not bring the game's records. */
export type AttemptFailure =
  | {
      kind: 'status';
      status: number;
      /** The Retry-After header as sent, if any. */
      retryAfter: string | null;
      /** The body's `message` (JSON) or its first characters (HTML, text). */
      message: string;
      /** X-CallLimit-Remaining, when the answer carried one. */
      remaining: number | undefined;
    }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'network'; detail: string }
  | { kind: 'bad-body'; detail: string };

export type RetryDecision =
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'fail-game'; reason: string }
  | { action: 'stop-quota'; reason: string }
  | { action: 'stop-key'; reason: string };

export interface RetryContext {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  settings: RetrySettings;
  /** A float in [0, 1) for the jitter. */
  random: () => number;
  /** Epoch ms, to read a Retry-After given as an HTTP date. */
  nowMs: number;
}

export function decideRetry(failure: AttemptFailure, ctx: RetryContext): RetryDecision {
  const what = describeFailure(failure);
  if (failure.kind === 'bad-body')
    return { action: 'fail-game', reason: `${what} (not retried: ${SAME_BYTES})` };
  if (failure.kind === 'status') {
    const { status } = failure;
    if (status === 401) return { action: 'stop-key', reason: what };
    if (isQuotaRefusal(failure)) return { action: 'stop-quota', reason: what };
    if (status !== 429 && status < 500) {
      return { action: 'fail-game', reason: `${what} (not retried: asking again gets the same answer)` };
    }
  }
  const { attempt, settings } = ctx;
  if (attempt >= settings.maxAttempts) {
    return { action: 'fail-game', reason: `${what}, after ${attempt} attempt${attempt === 1 ? '' : 's'}` };
  }
  const asked = failure.kind === 'status' ? parseRetryAfter(failure.retryAfter, ctx.nowMs) : undefined;
  if (asked !== undefined) {
    return { action: 'retry', delayMs: Math.min(settings.maxDelayMs, asked), reason: `${what}, Retry-After` };
  }
  return { action: 'retry', delayMs: backoffMs(attempt, settings, ctx.random), reason: what };
}

const SAME_BYTES = 'the API charged for this answer and would send the same bytes again';

/**
 * The quota 429: the API's message, or — should the text change — a 429 with no Retry-After that says no calls
 * are left. A proxy's throttle sends neither, and is backed off instead.
 */
export function isQuotaRefusal(failure: Extract<AttemptFailure, { kind: 'status' }>): boolean {
  if (failure.status !== 429 || failure.retryAfter !== null) return false;
  return (
    /monthly call quota/i.test(failure.message) || (failure.remaining !== undefined && failure.remaining <= 0)
  );
}

/** Full jitter: a uniform wait in [0, min(max, base · 2^(attempt-1))). */
export function backoffMs(attempt: number, settings: RetrySettings, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) || /^[-+\d.]+$/.test(text) ? undefined : Math.max(0, at - nowMs);
}

export function describeFailure(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status}${failure.message ? `: ${failure.message}` : ''}`;
    case 'timeout':
      return `no answer within ${failure.afterMs} ms`;
    case 'network':
      return `connection failed: ${failure.detail}`;
    case 'bad-body':
      return failure.detail;
  }
}

/** Checks the config's retry numbers up front, naming the key. */
export function checkRetrySettings(settings: RetrySettings): void {
  const { maxAttempts, baseDelayMs, maxDelayMs } = settings;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`api.retry.max_attempts must be a whole number ≥ 1, got ${maxAttempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
    throw new RangeError(
      `api.retry delays must satisfy 0 ≤ base_delay (${baseDelayMs} ms) ≤ max_delay (${maxDelayMs} ms)`,
    );
  }
}
