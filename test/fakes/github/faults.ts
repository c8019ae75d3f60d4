import type { Reply } from './http.js';

/** What an injected fault answers with. */
export type Fault =
  /** 403 with `retry-after` and GitHub's secondary-rate-limit message (what plugin-throttling looks for). */
  | { kind: 'secondary-rate-limit'; retryAfter?: number }
  /** 403 with `x-ratelimit-remaining: 0` and a reset time, as when the hourly quota is spent. */
  | { kind: 'primary-rate-limit' }
  /** A server failure; 500 answers JSON, 502–504 answer an HTML page as GitHub's front end does. */
  | { kind: 'server-error'; status?: 500 | 502 | 503 | 504 };

export type FaultKind = Fault['kind'];

/** A request as fault rules see it; `route` is Octokit's name for it (`POST /repos/{owner}/{repo}/issues`). */
export interface FaultRequest {
  method: string;
  path: string;
  route: string | undefined;
  user: string;
}

/**
 * Answers some requests with a fault instead of handling them. Each rule counts the requests it matches; the
 * `nth` (1-based, default 1) and the `times - 1` after it (default 1) get the fault.
 */
export interface FaultRule {
  fault: Fault;
  /** A route name, or a predicate; every request when absent. */
  when?: string | ((request: FaultRequest) => boolean);
  nth?: number;
  times?: number;
}

export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

export interface FaultSchedule {
  add(rule: FaultRule): void;
  /** The fault for this request, if a rule fires; every matching rule counts the request. */
  next(request: FaultRequest): Fault | undefined;
}

export function createFaultSchedule(rules: readonly FaultRule[]): FaultSchedule {
  const active: { rule: FaultRule; seen: number }[] = [];
  const add = (rule: FaultRule) => {
    active.push({ rule, seen: 0 });
  };
  rules.forEach(add);
  const matches = (rule: FaultRule, request: FaultRequest) => {
    if (rule.when === undefined) return true;
    if (typeof rule.when === 'string') return rule.when === request.route;
    return rule.when(request);
  };
  return {
    add,
    next(request) {
      let fired: Fault | undefined;
      for (const entry of active) {
        if (!matches(entry.rule, request)) continue;
        entry.seen += 1;
        const first = entry.rule.nth ?? 1;
        const inWindow = entry.seen >= first && entry.seen < first + (entry.rule.times ?? 1);
        if (inWindow && !fired) fired = entry.rule.fault;
      }
      return fired;
    },
  };
}

const HTML_PAGES: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The answer for a fault. `who` names the quota owner as GitHub does ("user ID 5"); `resetAt` is the epoch second
 * the caller's quota window ends.
 */
export function faultReply(fault: Fault, who: string, resetAt: number): Reply {
  switch (fault.kind) {
    case 'secondary-rate-limit':
      return {
        status: 403,
        headers: { 'retry-after': String(fault.retryAfter ?? 60) },
        body: {
          message: SECONDARY_RATE_LIMIT_MESSAGE,
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: '403',
        },
      };
    case 'primary-rate-limit':
      return primaryRateLimitReply(who, resetAt);
    case 'server-error': {
      const status = fault.status ?? 500;
      const page = HTML_PAGES[status];
      if (page === undefined) return { status, body: { message: 'Server Error', status: String(status) } };
      return {
        status,
        headers: { 'content-type': 'text/html' },
        body: `<!DOCTYPE html>\n<html><head><title>${page}</title></head><body><h1>${status} ${page}</h1></body></html>\n`,
      };
    }
  }
}

/** GitHub's answer once the hourly quota is spent; plugin-throttling keys on `x-ratelimit-remaining: 0`. */
export function primaryRateLimitReply(who: string, resetAt: number): Reply {
  return {
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) },
    body: {
      message: `API rate limit exceeded for ${who}.`,
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits-for-the-rest-api',
      status: '403',
    },
  };
}
