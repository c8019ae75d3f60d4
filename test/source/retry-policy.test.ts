import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  checkRetrySettings,
  decideRetry,
  isQuotaRefusal,
  parseRetryAfter,
  type AttemptFailure,
  type RetryDecision,
} from '../../src/source/retry-policy.js';

const SETTINGS = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };
const NOW = Date.UTC(2026, 4, 17, 12);

type StatusFailure = Extract<AttemptFailure, { kind: 'status' }>;

const status = (code: number, extra: Partial<StatusFailure> = {}): StatusFailure => ({
  kind: 'status',
  status: code,
  retryAfter: null,
  message: '',
  remaining: undefined,
  ...extra,
});

const decide = (failure: AttemptFailure, attempt = 1, random = () => 0.5): RetryDecision =>
  decideRetry(failure, { attempt, settings: SETTINGS, random, nowMs: NOW });

describe('retry policy: what is retried', () => {
  const cases: [string, AttemptFailure, RetryDecision['action']][] = [
    ['500', status(500), 'retry'],
    ['502', status(502), 'retry'],
    ['503', status(503), 'retry'],
    ['504', status(504), 'retry'],
    ['a timeout', { kind: 'timeout', afterMs: 60_000 }, 'retry'],
    ['a connection reset', { kind: 'network', detail: 'fetch failed (ECONNRESET)' }, 'retry'],
    ['a body cut short', { kind: 'network', detail: 'terminated (other side closed)' }, 'retry'],
    [
      '429 with Retry-After',
      status(429, { retryAfter: '2', message: 'Too many concurrent requests' }),
      'retry',
    ],
    [
      '429 from a throttle (no Retry-After, no quota text)',
      status(429, { message: 'Too many requests' }),
      'retry',
    ],
    ['401 (the key)', status(401, { message: 'Unauthorized' }), 'stop-key'],
    ['the quota 429', status(429, { message: 'Monthly call quota exceeded.', remaining: 0 }), 'stop-quota'],
    ['a 429 without Retry-After saying no calls are left', status(429, { remaining: -1 }), 'stop-quota'],
    ['400', status(400, { message: 'Validation Failed' }), 'fail-game'],
    ['404', status(404, { message: 'Cannot GET /plays/game/1' }), 'fail-game'],
    ['403', status(403), 'fail-game'],
    ['a body that is not JSON', { kind: 'bad-body', detail: 'the answer is not JSON' }, 'fail-game'],
  ];
  it.each(cases)('%s → %s', (_, failure, action) => {
    expect(decide(failure).action).toBe(action);
  });

  it('says why a game fails without a retry', () => {
    expect(decide(status(400, { message: 'Validation Failed' }))).toEqual({
      action: 'fail-game',
      reason: 'HTTP 400: Validation Failed (not retried: asking again gets the same answer)',
    });
    expect(decide({ kind: 'bad-body', detail: 'the answer is not JSON (Unexpected end)' })).toEqual({
      action: 'fail-game',
      reason:
        'the answer is not JSON (Unexpected end) (not retried: the API charged for this answer and would send the same bytes again)',
    });
  });

  it('gives up after max_attempts attempts in all, naming the last failure', () => {
    expect(decide(status(503, { message: '503 Service Temporarily Unavailable' }), 4).action).toBe('retry');
    expect(decide(status(503, { message: '503 Service Temporarily Unavailable' }), 5)).toEqual({
      action: 'fail-game',
      reason: 'HTTP 503: 503 Service Temporarily Unavailable, after 5 attempts',
    });
    expect(decide({ kind: 'timeout', afterMs: 100 }, 5).action).toBe('fail-game');
  });

  it('stops the fill on the quota 429 and on 401 even on the last attempt', () => {
    expect(decide(status(401), 5).action).toBe('stop-key');
    expect(decide(status(429, { message: 'Monthly call quota exceeded.' }), 5).action).toBe('stop-quota');
  });

  it('treats the quota text with a Retry-After as a wait, not a stop', () => {
    const waitThenRetry = status(429, { message: 'Monthly call quota exceeded.', retryAfter: '5' });
    expect(isQuotaRefusal(waitThenRetry)).toBe(false);
    expect(decide(waitThenRetry)).toMatchObject({ action: 'retry', delayMs: 5000 });
  });
});

describe('retry policy: how long to wait', () => {
  it('waits what Retry-After asks, capped at max_delay', () => {
    expect(decide(status(429, { retryAfter: '2' }))).toMatchObject({ action: 'retry', delayMs: 2000 });
    expect(decide(status(429, { retryAfter: '120' }))).toMatchObject({ action: 'retry', delayMs: 8000 });
    expect(decide(status(503, { retryAfter: '1' }))).toMatchObject({ action: 'retry', delayMs: 1000 });
  });

  it('backs off with full jitter under min(max, base · 2^(attempt-1))', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, SETTINGS, top))).toEqual([
      499, 999, 1999, 3999, 7999, 7999,
    ]);
    expect(backoffMs(3, SETTINGS, () => 0)).toBe(0);
    expect(backoffMs(3, SETTINGS, () => 0.5)).toBe(1000);
    expect(decide(status(502), 2, () => 0.25)).toMatchObject({ action: 'retry', delayMs: 250 });
  });

  const retryAfter: [string | null, number | undefined][] = [
    [null, undefined],
    ['0', 0],
    ['3', 3000],
    ['1.5', 1500],
    [' 7 ', 7000],
    ['soon', undefined],
    ['-1', undefined],
    [new Date(NOW + 4000).toUTCString(), 4000],
    [new Date(NOW - 4000).toUTCString(), 0],
  ];
  it.each(retryAfter)('reads Retry-After %s as %s ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});

describe('retry policy: settings', () => {
  it('names the key and the numbers of a bad setting', () => {
    expect(() => checkRetrySettings({ ...SETTINGS, maxAttempts: 0 })).toThrow(
      'api.retry.max_attempts must be a whole number ≥ 1, got 0',
    );
    expect(() => checkRetrySettings({ maxAttempts: 3, baseDelayMs: 900, maxDelayMs: 100 })).toThrow(
      'api.retry delays must satisfy 0 ≤ base_delay (900 ms) ≤ max_delay (100 ms)',
    );
    expect(() => checkRetrySettings(SETTINGS)).not.toThrow();
  });
});
