import {
  MESSAGES,
  gatewayReply,
  jsonReply,
  notFoundReply,
  rawReply,
  textReply,
  type DataEndpoint,
  type Reply,
} from './cbbd-api-http.js';

/**
 * The failures the fake CBBD API can inject into a data request that would otherwise be answered 200, and the
 * pure plan of what each sends. Tests drive the client's retry, abort and validation paths with them.
 */

export type Fault =
  | { kind: 'status'; status: 500 | 502 | 503 | 504 | 400 | 404 | 401; body?: string }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'rate-limit-no-header' }
  | { kind: 'quota' }
  | { kind: 'slow'; ms: number }
  | { kind: 'stall' }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'truncated' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'wrong-shape' };

/** What `faultFor` is asked about: `n` is the 1-based attempt at this exact path (retries of one game count up). */
export interface FaultRequest {
  path: string;
  endpoint: DataEndpoint;
  gameId?: number;
  n: number;
}

/** Restricts an injected fault to some requests; an empty match takes the next data request of any kind. */
export interface FaultMatch {
  endpoint?: DataEndpoint;
  gameId?: number;
}

/**
 * Which X-CallLimit-Remaining the answer carries: the key's count after this call (the app's `res.send` wrapper),
 * 0 (a forced quota 429), or none (answers from outside the app, or before it knew the user).
 */
export type CallLimitHeader = 'remaining' | 'zero' | 'none';

export type Answer =
  | { kind: 'reply'; reply: Reply; callLimit: CallLimitHeader }
  | { kind: 'truncated'; reply: Reply }
  | { kind: 'stall' }
  | { kind: 'reset' };

export interface FaultQueue {
  inject(fault: Fault, match?: FaultMatch): void;
  /** Removes and returns the oldest queued fault whose match fits the request. */
  take(request: FaultRequest): Fault | undefined;
  readonly pending: number;
}

export function createFaultQueue(): FaultQueue {
  const queue: { fault: Fault; match: FaultMatch }[] = [];
  return {
    inject: (fault, match = {}) => void queue.push({ fault, match }),
    take(request) {
      const i = queue.findIndex(({ match }) => matches(match, request));
      return i < 0 ? undefined : queue.splice(i, 1)[0]?.fault;
    },
    get pending() {
      return queue.length;
    },
  };
}

function matches(match: FaultMatch, request: FaultRequest): boolean {
  return (
    (match.endpoint === undefined || match.endpoint === request.endpoint) &&
    (match.gameId === undefined || match.gameId === request.gameId)
  );
}

/** The extra wait a fault adds before the answer. */
export function faultDelayMs(fault: Fault | undefined): number {
  return fault?.kind === 'slow' ? fault.ms : 0;
}

/** The answer for a data request: the real records, or what the fault replaces them with. */
export function planAnswer(fault: Fault | undefined, path: string, records: () => unknown[]): Answer {
  const reply = (r: Reply, callLimit: CallLimitHeader = 'remaining'): Answer => ({
    kind: 'reply',
    reply: r,
    callLimit,
  });
  switch (fault?.kind) {
    case undefined:
    case 'slow':
      return reply(jsonReply(200, records()));
    case 'status':
      return statusAnswer(fault.status, fault.body, path);
    case 'rate-limit': {
      const r = jsonReply(429, { message: MESSAGES.concurrency });
      r.headers['Retry-After'] = String(fault.retryAfterSeconds);
      return reply(r);
    }
    case 'rate-limit-no-header':
      return reply(jsonReply(429, { message: MESSAGES.throttled }), 'none');
    case 'quota':
      return reply(jsonReply(429, { message: MESSAGES.quota }), 'zero');
    case 'stall':
    case 'reset':
      return { kind: fault.kind };
    case 'malformed-json':
      return reply(textReply(200, 'application/json; charset=utf-8', '[{"id": 1,'));
    case 'truncated':
      return { kind: 'truncated', reply: jsonReply(200, records()) };
    case 'huge':
      return reply(textReply(200, 'application/json; charset=utf-8', paddedJson(records(), fault.bytes)));
    case 'wrong-shape':
      return reply(jsonReply(200, { not: 'an array' }));
  }
}

/**
 * Error statuses as the layer that would really send them does: 400 and 500 from the app's error handler (JSON,
 * with the call-limit header), 401 as for a key revoked mid-run, 404 from Express, 502-504 from the gateway.
 */
function statusAnswer(status: number, body: string | undefined, path: string): Answer {
  const callLimit: CallLimitHeader = status === 400 || status === 500 ? 'remaining' : 'none';
  const reply = body === undefined ? defaultStatusReply(status, path) : rawReply(status, body);
  return { kind: 'reply', reply, callLimit };
}

function defaultStatusReply(status: number, path: string): Reply {
  switch (status) {
    case 500:
      return jsonReply(500, { message: MESSAGES.serverError });
    case 400:
      return jsonReply(400, { message: MESSAGES.validation, details: {} });
    case 401:
      return jsonReply(401, { message: MESSAGES.unknownKey });
    case 404:
      return notFoundReply('GET', path);
    default:
      return gatewayReply(status);
  }
}

/** The real records as JSON, padded with whitespace inside the array: still valid, same data, about `bytes` long. */
function paddedJson(records: unknown[], bytes: number): string {
  const json = JSON.stringify(records);
  return `${json.slice(0, -1)}${' '.repeat(Math.max(0, bytes - Buffer.byteLength(json)))}]`;
}
