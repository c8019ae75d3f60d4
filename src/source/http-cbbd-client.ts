import { QuotaExhaustedError, UsageError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../util/version.js';
import {
  ApiKeyError,
  type ApiUsage,
  type CallAllowance,
  type CallRequest,
  type CbbdClient,
  type FetchOutcome,
} from './cbbd-client.js';
import { abortable, createRateLimiter, defaultSleep, type Sleep } from './rate-limiter.js';
import {
  checkRetrySettings,
  decideRetry,
  type AttemptFailure,
  type RetryDecision,
  type RetrySettings,
} from './retry-policy.js';

/** What `createHttpCbbdClient` needs: where the API is, the key, the budget and the retry settings. */
export interface HttpCbbdClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; never logged, never put in a message. */
  apiKey: string;
  /** config.endpoints; a per-game path holds `{gameId}`, e.g. `/plays/game/{gameId}`. */
  endpoints: Record<string, { path: string }>;
  /** Requests started per second (may be a fractional shard share). */
  rate: number;
  concurrency: number;
  /** Per attempt, headers and body together. */
  timeoutMs: number;
  retry: RetrySettings;
  /** Calls of the monthly quota the client never spends. */
  quotaReserve: number;
  logger: Logger;
  /** Epoch ms. */
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  /** Bodies above this fail the game. Default 64 MiB. */
  maxBodyBytes?: number;
}

export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Error bodies are read only this far: enough for any message, never a whole proxy page. */
const ERROR_BODY_BYTES = 64 * 1024;

/** One attempt: the game's answer, or a failure for the retry policy to judge. */
type Attempt = Exclude<FetchOutcome, { kind: 'failed' }> | { kind: 'failure'; failure: AttemptFailure };

/**
 * The CbbdClient over HTTP: `fetch` behind the rate limiter (rate-limiter.ts), the retry policy
 * (retry-policy.ts) and a guard that keeps `api.quota_reserve` calls of the monthly quota unspent.
 */
export function createHttpCbbdClient(options: HttpCbbdClientOptions): CbbdClient {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const fetchImpl = options.fetch ?? fetch;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const { logger, retry, apiKey } = options;
  const limiter = createRateLimiter({
    ratePerSec: options.rate,
    concurrency: options.concurrency,
    now,
    sleep,
    coldStarts: true,
  });
  const quota = createQuotaGuard(options.quotaReserve);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const usage = { calls: 0, charged: 0, retries: 0 };
  /** Set by the first 401 or quota stop; every later call throws it without sending anything. */
  let stopped: Error | undefined;
  let inFlight = 0;
  /** The run's quota reservation, when it holds one (`allowCalls`). */
  let allowance: CallAllowance | undefined;
  const probe = createProbe();
  const redact = (text: string) => (apiKey ? text.split(apiKey).join('***') : text);

  /** Takes a rate-limited slot that the quota guard allows; the returned function gives it back. */
  async function admit(signal?: AbortSignal): Promise<() => void> {
    if (stopped) throw stopped;
    const probing = await probe.enter(() => quota.remaining !== undefined, signal);
    const leave = () => (probing ? probe.leave() : undefined);
    let release: () => void;
    try {
      if (stopped) throw stopped;
      release = await limiter.acquire(signal);
    } catch (e) {
      leave();
      throw e;
    }
    try {
      await withinAllowance();
    } catch (e) {
      release();
      leave();
      throw e;
    }
    const left = stopped ? undefined : quota.refusal(inFlight);
    if (stopped || left !== undefined) {
      release();
      leave();
      stopped ??= new QuotaExhaustedError(reserveMessage(left ?? 0, inFlight, options.quotaReserve, now()));
      throw stopped;
    }
    inFlight++;
    return () => {
      inFlight--;
      release();
      leave();
    };
  }

  /** Returns once one more call fits the run's reservation (asking the ledger for more if need be), else stops. */
  async function withinAllowance(): Promise<void> {
    while (allowance && !stopped && usage.charged + inFlight >= allowance.calls) {
      const before = allowance.calls;
      await allowance.grow(usage.charged + inFlight + 1);
      if (allowance.calls <= before && usage.charged + inFlight >= allowance.calls)
        stopped ??= new QuotaExhaustedError(
          `${allowance.why()}; the quota resets on ${nextMonthUtc(now())} (UTC)`,
        );
    }
    if (stopped) throw stopped;
  }

  async function attemptOnce(url: string, signal?: AbortSignal): Promise<Attempt> {
    const release = await admit(signal);
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      usage.calls++;
      const response = await fetchImpl(url, {
        headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json', 'User-Agent': USER_AGENT },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const remaining = quota.observe(response.headers.get('x-calllimit-remaining'));
      if (response.status === 200) {
        usage.charged++;
        return parseRecords(await readBody(response, maxBodyBytes), maxBodyBytes);
      }
      const body = await readBody(response, ERROR_BODY_BYTES, true);
      const message = redact(typeof body === 'string' ? bodyMessage(body) : '');
      const retryAfter = response.headers.get('retry-after');
      return {
        kind: 'failure',
        failure: { kind: 'status', status: response.status, retryAfter, message, remaining },
      };
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      const failure: AttemptFailure = timeout.aborted
        ? { kind: 'timeout', afterMs: options.timeoutMs }
        : { kind: 'network', detail: redact(networkDetail(e)) };
      return { kind: 'failure', failure };
    } finally {
      release();
    }
  }

  function stop(decision: Extract<RetryDecision, { action: 'stop-quota' | 'stop-key' }>): never {
    stopped =
      decision.action === 'stop-key'
        ? new ApiKeyError(
            `the CBBD API refused the API key (${decision.reason}); set CBBD_API_KEY (or BEARER_TOKEN) to a ` +
              'valid key from collegebasketballdata.com',
          )
        : new QuotaExhaustedError(
            `the CBBD API's monthly call quota is spent (${decision.reason}); waiting does not help: retry ` +
              `after it resets on ${nextMonthUtc(now())} (UTC)`,
          );
    throw stopped;
  }

  async function fetchCall(call: CallRequest, signal?: AbortSignal): Promise<FetchOutcome> {
    const url = baseUrl + callPath(options.endpoints, call);
    const label = callLabel(call);
    if (!apiKey) throw new ApiKeyError('no CBBD API key: set CBBD_API_KEY (or BEARER_TOKEN)');
    for (let attempt = 1; ; attempt++) {
      const result = await attemptOnce(url, signal);
      if (result.kind !== 'failure') return result;
      const { failure } = result;
      const decision = decideRetry(failure, { attempt, settings: retry, random, nowMs: now() });
      if (decision.action === 'stop-key' || decision.action === 'stop-quota') stop(decision);
      if (decision.action === 'fail-game') {
        logger.info(`${label} failed: ${decision.reason}`);
        const status = failure.kind === 'status' ? { status: failure.status } : {};
        return { kind: 'failed', reason: decision.reason, ...status, attempts: attempt };
      }
      usage.retries++;
      const line =
        `${label}: attempt ${attempt} of ${retry.maxAttempts}: ${decision.reason}; ` +
        `retrying in ${decision.delayMs} ms`;
      // A 429 means the rate or concurrency is set above what the API allows: worth seeing without --verbose.
      if (failure.kind === 'status' && failure.status === 429) logger.info(line);
      else logger.debug(line);
      await abortable(sleep(decision.delayMs, signal), signal);
    }
  }

  return {
    setShare: (share) => limiter.setShare({ ratePerSec: share.rate, concurrency: share.concurrency }),
    countStarts: (at) => limiter.countStarts(at),
    recentStarts: () => limiter.recentStarts(),
    allowCalls: (a) => (allowance = a),
    fetchGame: (endpoint, gameId, signal) => fetchCall({ kind: 'game', endpoint, gameId }, signal),
    fetchCall,
    usage: (): ApiUsage => ({
      ...usage,
      quotaRemaining: quota.remaining,
      maxInFlight: limiter.counters().maxInFlight,
    }),
  };
}

const USER_AGENT = `cbbd-gap-bot/${VERSION}`;

/**
 * Until an answer has said how many calls are left, one call at a time (the probe): a first wave of C calls
 * could otherwise dip into the reserve, or all meet the quota 429.
 */
function createProbe() {
  let busy = false;
  let waiters: (() => void)[] = [];
  return {
    /** Resolves true when this caller is the probe, false once the count is known; waits while a probe runs. */
    async enter(known: () => boolean, signal?: AbortSignal): Promise<boolean> {
      while (!known()) {
        if (!busy) return (busy = true);
        await abortable(new Promise<void>((wake) => waiters.push(wake)), signal);
      }
      return false;
    },
    leave() {
      busy = false;
      const woken = waiters;
      waiters = [];
      woken.forEach((wake) => wake());
    },
  };
}

/** The last X-CallLimit-Remaining seen, and whether one more call stays clear of the reserve. */
function createQuotaGuard(reserve: number) {
  let remaining: number | undefined;
  return {
    get remaining() {
      return remaining;
    },
    /**
     * Keeps the lowest count seen: answers can arrive out of order, and within a month the count only falls.
     * Returns this answer's count.
     */
    observe(header: string | null): number | undefined {
      const n = header === null || header.trim() === '' ? NaN : Number(header);
      if (!Number.isFinite(n)) return undefined;
      remaining = remaining === undefined ? n : Math.min(remaining, n);
      return n;
    },
    /** The calls left when one more (on top of `inFlight`) would dip into the reserve; undefined: go ahead. */
    refusal(inFlight: number): number | undefined {
      return remaining !== undefined && remaining - inFlight <= reserve ? remaining : undefined;
    },
  };
}

function reserveMessage(left: number, inFlight: number, reserve: number, nowMs: number): string {
  return (
    `the CBBD API has ${left} calls left this month${inFlight ? ` (${inFlight} more in flight)` : ''} and ` +
    `api.quota_reserve keeps ${reserve} of them for the pipeline, so the fill stops here; the quota resets on ` +
    `${nextMonthUtc(nowMs)} (UTC). Run again then, or lower api.quota_reserve to spend more this month.`
  );
}

/** The monthly quota resets on the first day of the next month, UTC. */
export function nextMonthUtc(nowMs: number): string {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** How a call is named in log lines: `plays_game game 7`, `plays_game team Duke 2024`, `plays_game date 2024-01-05`. */
export function callLabel(call: CallRequest): string {
  if (call.kind === 'game') return `${call.endpoint} game ${call.gameId}`;
  if (call.kind === 'team') return `${call.endpoint} team ${call.team} ${call.season}`;
  return `${call.endpoint} date ${call.date}`;
}

/**
 * The request path of a call. A bulk call replaces the per-game path's `/game/{gameId}` tail with the bulk
 * route (`/plays/game/{gameId}` → `/plays/team?season=…&team=…`), so a proxied base path carries over.
 */
function callPath(endpoints: Record<string, { path: string }>, call: CallRequest): string {
  const path = gamePath(endpoints, call.endpoint, call.kind === 'game' ? call.gameId : 0);
  if (call.kind === 'game') return path;
  const tail = `/game/${0}`;
  if (!path.endsWith(tail))
    throw new UsageError(
      `endpoints.${call.endpoint}.path "${endpoints[call.endpoint]!.path}" does not end in /game/{gameId}: its bulk forms cannot be derived; use --call-shape game`,
    );
  const query =
    call.kind === 'team'
      ? new URLSearchParams({ season: String(call.season), team: call.team })
      : new URLSearchParams({ date: call.date });
  return `${path.slice(0, -tail.length)}/${call.kind}?${query.toString()}`;
}

/** The request path of a per-game endpoint, or a UsageError naming the endpoint and the ones that exist. */
function gamePath(endpoints: Record<string, { path: string }>, name: string, gameId: number): string {
  const endpoint = Object.hasOwn(endpoints, name) ? endpoints[name] : undefined;
  if (!endpoint) {
    const known = Object.keys(endpoints).sort().join(', ');
    throw new UsageError(`unknown endpoint "${name}"; config.endpoints has ${known || 'none'}`);
  }
  if (!endpoint.path.includes('{gameId}')) {
    throw new UsageError(
      `endpoints.${name}.path "${endpoint.path}" has no {gameId}: only per-game endpoints are fetched by game`,
    );
  }
  if (!Number.isSafeInteger(gameId)) throw new RangeError(`gameId must be a whole number, got ${gameId}`);
  return endpoint.path.replace('{gameId}', encodeURIComponent(String(gameId)));
}

/**
 * The body as text, or `too-big` past `cap` bytes (checked against Content-Length first, then while reading).
 * With `truncate`, a long body is cut at `cap` instead.
 */
async function readBody(response: Response, cap: number, truncate = false): Promise<string | 'too-big'> {
  const declared = Number(response.headers.get('content-length'));
  if (!truncate && declared > cap) {
    await response.body?.cancel();
    return 'too-big';
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    chunks.push(chunk);
    bytes += chunk.byteLength;
    if (bytes > cap) {
      if (!truncate) return 'too-big';
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, cap));
}

/** A 200's body: the records, `empty` for the API's `[]`, or a bad-body failure (never retried: retry-policy.ts). */
function parseRecords(body: string | 'too-big', cap: number): Attempt {
  if (body === 'too-big') return badBody(`the answer is larger than the cap of ${cap} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return badBody(`the answer is not JSON (${errorMessage(e)})`);
  }
  if (!Array.isArray(parsed)) return badBody(`the answer is JSON but not an array (${typeName(parsed)})`);
  const odd = parsed.find((r) => typeName(r) !== 'object');
  if (odd !== undefined) return badBody(`the answer's array holds a ${typeName(odd)}, not only records`);
  if (parsed.length === 0) return { kind: 'empty' };
  return { kind: 'records', records: parsed as Record<string, unknown>[] };
}

function badBody(detail: string): Attempt {
  return { kind: 'failure', failure: { kind: 'bad-body', detail } };
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** The JSON body's `message`, else the start of the text with tags and runs of space removed. */
function bodyMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: a gateway's HTML page or plain text.
  }
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  return (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** undici hides the useful part (ECONNRESET, "other side closed") in `cause`. */
function networkDetail(e: unknown): string {
  const cause =
    e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const extra = [cause?.code, cause?.message].filter((x) => typeof x === 'string').join(' ');
  return extra ? `${errorMessage(e)} (${extra})` : errorMessage(e);
}

function checkOptions(options: HttpCbbdClientOptions): void {
  checkRetrySettings(options.retry);
  if (!(options.timeoutMs > 0))
    throw new RangeError(`api.timeout_seconds must be > 0, got ${options.timeoutMs} ms`);
  if (!Number.isInteger(options.quotaReserve) || options.quotaReserve < 0) {
    throw new RangeError(`api.quota_reserve must be a whole number ≥ 0, got ${options.quotaReserve}`);
  }
  if (!/^https?:\/\//.test(options.baseUrl)) {
    throw new RangeError(`api.base_url must start with http:// or https://, got "${options.baseUrl}"`);
  }
}
