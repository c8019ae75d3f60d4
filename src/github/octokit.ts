import { setTimeout as sleep } from 'node:timers/promises';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../util/logger.js';

/**
 * Statuses that are never retried, because repeating the same request gets the same answer:
 * 400 the request is malformed; 401 the token is bad or expired; 403 the token lacks a permission (a rate-limit
 * 403 is retried by the throttling plugin below, not here); 404 absent, or private and out of the token's reach;
 * 409 a stale sha or a conflict, which needs a fresh read, not a repeat; 410 issues are disabled; 422 validation
 * (body too long, ref exists, not a fast-forward); 429 belongs to the throttling plugin, which honours
 * `retry-after` (plugin-retry would ignore it); 451 blocked for legal reasons.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

const RetryingOctokit = Octokit.plugin(retry, throttling);

/** The client every `src/github/` function takes: Octokit with the retry and throttling policy of this module. */
export type GitHubClient = InstanceType<typeof RetryingOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** `GITHUB_API_URL`: `https://api.github.com`, a GitHub Enterprise URL or a test fake. */
  baseUrl: string;
  logger: Logger;
  userAgent?: string;
  /** Retries of one request after a 5xx or a rate limit. Default 3. */
  maxRetries?: number;
  /** Milliseconds a second of waiting lasts (backoff and `retry-after`). Default 1000; tests pass 1. */
  retryAfterBaseValue?: number;
  /** Pause between two writes; GitHub asks for at least a second between content-creating requests. Default 1000. */
  writeSpacingMs?: number;
  /** A spent hourly quota is waited out only when it resets within this many seconds. Default 60. */
  maxRateLimitWaitSeconds?: number;
  /** The fetch to send requests with (tests wrap it to observe them). */
  fetch?: typeof fetch;
  /** A request with no answer after this long is abandoned (and retried as a 5xx would be). Default 30 000. */
  timeoutMs?: number;
}

/**
 * Builds the GitHub client: 5xx retried with backoff, secondary rate limits retried after `retry-after`, both at
 * most `maxRetries` times; writes sent one at a time; the token scrubbed from every log line and error message.
 * (A create retried after a 5xx that GitHub had in fact carried out can open an issue twice; issue-sync closes
 * the newer one as a duplicate the next night.)
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { token, logger } = options;
  if (token.trim() === '')
    throw new Error('a GitHub token is required (input `github-token`); got an empty one');
  const redact = (text: string) => text.split(token).join('***');
  const maxRetries = options.maxRetries ?? 3;
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const onLimit =
    (kind: string, canWait: (seconds: number) => boolean) =>
    (seconds: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
      const again = retryCount < maxRetries && canWait(seconds);
      logger.warn(
        redact(
          `GitHub ${kind} rate limit on ${request.method} ${request.url}: ` +
            (again ? `retrying in ${seconds}s (retry ${retryCount + 1} of ${maxRetries})` : 'giving up'),
        ),
      );
      return again;
    };
  const octokit = new RetryingOctokit({
    auth: token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'cbbd-gap-bot',
    log: octokitLog(logger, redact),
    request: { fetch: withTimeout(options.fetch ?? fetch, options.timeoutMs ?? 30_000) },
    retry: { retries: maxRetries, retryAfterBaseValue, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue,
      // Writes are serialized below; the plugin's own write groups are process-wide and space writes 1-3 s apart.
      write: PASS_THROUGH,
      notifications: PASS_THROUGH,
      onSecondaryRateLimit: onLimit('secondary', () => true),
      onRateLimit: onLimit('primary', (seconds) => seconds <= maxWait),
    },
  });
  serializeWrites(octokit, options.writeSpacingMs ?? 1000);
  octokit.hook.error('request', (error) => {
    if (error instanceof Error) error.message = redact(error.message);
    throw error;
  });
  return octokit;
}

/**
 * Octokit's log, routed to the Logger port. The per-request lines go to debug, and so do failed requests: a 404
 * is often an answer ("no such branch yet"), and the caller decides what is an error. Only the message is kept,
 * never the extra object, which holds the request's headers.
 */
function octokitLog(logger: Logger, redact: (text: string) => string) {
  return {
    debug: () => {},
    info: (message: string) => logger.debug(redact(message)),
    warn: (message: string) => logger.warn(redact(message)),
    error: (message: string) => logger.debug(redact(message)),
  };
}

type LimiterGroup = NonNullable<ThrottlingOptions['write']>;

/** A stand-in for the throttling plugin's Bottleneck groups that lets every job through at once. */
const PASS_THROUGH = {
  key: () => ({ schedule: (_job: unknown, fn: () => Promise<unknown>) => fn() }),
} as unknown as LimiterGroup;

/**
 * Sends writes (anything but GET and HEAD) one at a time, each at least `spacingMs` after the previous one ended,
 * retries included: GitHub's secondary limits punish concurrent content creation.
 */
function serializeWrites(octokit: GitHubClient, spacingMs: number): void {
  let tail: Promise<unknown> = Promise.resolve();
  let lastEnd = 0;
  octokit.hook.wrap('request', (request, options) => {
    if (options.method === 'GET' || options.method === 'HEAD') return request(options);
    const turn = tail.then(async () => {
      const wait = lastEnd + spacingMs - Date.now();
      if (lastEnd > 0 && wait > 0) await sleep(wait);
      try {
        return await request(options);
      } finally {
        lastEnd = Date.now();
      }
    });
    tail = turn.catch(() => undefined);
    return turn;
  });
}

/**
 * fetch with a deadline: undici waits 300 s for headers by default, and four attempts of that would eat most of a
 * job's hour on one stalled connection.
 */
function withTimeout(inner: typeof fetch, ms: number): typeof fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(ms);
    return inner(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
    });
  };
}
