import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  faultDelayMs,
  planAnswer,
  type Answer,
  type CallLimitHeader,
  type Fault,
  type FaultQueue,
  type FaultRequest,
} from './cbbd-api-faults.js';
import {
  MESSAGES,
  bearerToken,
  jsonReply,
  matchRoute,
  notFoundReply,
  type DataRoute,
  type Endpoint,
  type Reply,
} from './cbbd-api-http.js';
import type { League } from './cbbd-api-league.js';
import type { RequestLogEntry } from './cbbd-api-log.js';

/**
 * How the fake CBBD API serves one request: the refusals in cbb-api's middleware order, then the real records or
 * an injected fault, with the quota charged and every request logged.
 */

/** Everything the fake's requests share; owned by startFakeCbbdApi. */
export interface ServerState {
  league: League;
  keys: Map<string, number>;
  latencyMs: number;
  faults: FaultQueue;
  faultFor: ((request: FaultRequest) => Fault | undefined) | undefined;
  /** Requests per path since start or reset(): the `n` faultFor sees. */
  attempts: Map<string, number>;
  log: RequestLogEntry[];
  inFlight: number;
  maxInFlight: number;
  /** Aborted by close(), so pending delays end instead of answering into a closed server. */
  lifetime: AbortController;
  /** Handlers still running; close() waits for them so the log is complete when it resolves. */
  running: Set<Promise<void>>;
}

/** One request being served. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  entry: Omit<RequestLogEntry, 'status' | 'endedAt'>;
  /** Set once the key is known to the fake: from then on answers carry X-CallLimit-Remaining. */
  key?: string;
  done: boolean;
  clientGone: boolean;
  closed: Promise<void>;
}

/** Serves one request; never rejects. */
export async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ex = begin(state, req, res);
  try {
    await serve(state, ex);
  } catch {
    // errors.ts: anything a handler throws becomes a bare 500 in production.
    send(state, ex, jsonReply(500, { message: MESSAGES.serverError }), 'remaining');
  }
}

function begin(state: ServerState, req: IncomingMessage, res: ServerResponse): Exchange {
  state.inFlight++;
  state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
  const entry = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    endpoint: 'other' as Endpoint,
    startedAt: performance.now(),
  };
  let onClose = () => {};
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  const ex: Exchange = { req, res, entry, done: false, clientGone: false, closed };
  res.once('close', () => {
    ex.clientGone = !ex.done;
    onClose();
  });
  return ex;
}

async function serve(state: ServerState, ex: Exchange): Promise<void> {
  const route = matchRoute(ex.req.method, ex.req.url);
  // Unknown routes fall through to Express's 404 before any auth middleware runs.
  if (!route) return send(state, ex, notFoundReply(ex.req.method, ex.req.url), 'none');
  ex.entry.endpoint = route.endpoint;
  if (route.gameId !== undefined) ex.entry.gameId = route.gameId;
  const refusal = admit(state, ex, route);
  if (refusal) return send(state, ex, refusal.reply, refusal.callLimit);
  const fault = nextFault(state, route, ex.entry.path);
  if (fault) ex.entry.fault = fault.kind;
  const delay = state.latencyMs + faultDelayMs(fault);
  if (!(await pause(state, delay))) return finish(state, ex, 0);
  // Past this point the real server answers even if the client hung up meanwhile, and charges a 200 for it.
  const answer = planAnswer(fault, ex.entry.path, () => state.league.records(route));
  await deliver(state, ex, answer);
}

/** The refusals, in the order cbb-api's chain runs them: tsoa's authentication, checkCallQuotas, tsoa validation. */
function admit(
  state: ServerState,
  ex: Exchange,
  route: DataRoute,
): Extract<Answer, { kind: 'reply' }> | undefined {
  const refuse = (reply: Reply, callLimit: CallLimitHeader) => ({ kind: 'reply' as const, reply, callLimit });
  const token = bearerToken(ex.req.headers.authorization);
  if (token === undefined) return refuse(jsonReply(401, { message: MESSAGES.missingBearer }), 'none');
  ex.entry.key = token;
  const remaining = state.keys.get(token);
  if (remaining === undefined) return refuse(jsonReply(401, { message: MESSAGES.unknownKey }), 'none');
  ex.key = token;
  if (remaining <= 0) return refuse(jsonReply(429, { message: MESSAGES.quota }), 'remaining');
  if (!route.invalid) return undefined;
  return refuse(jsonReply(400, { message: MESSAGES.validation, details: route.invalid }), 'remaining');
}

function nextFault(state: ServerState, route: DataRoute, path: string): Fault | undefined {
  const n = (state.attempts.get(path) ?? 0) + 1;
  state.attempts.set(path, n);
  const request: FaultRequest = { path, endpoint: route.endpoint, n };
  if (route.gameId !== undefined) request.gameId = route.gameId;
  return state.faults.take(request) ?? state.faultFor?.(request);
}

/** Waits `ms`; false when close() cut the wait short. */
async function pause(state: ServerState, ms: number): Promise<boolean> {
  if (ms <= 0) return !state.lifetime.signal.aborted;
  try {
    await sleep(ms, undefined, { signal: state.lifetime.signal });
    return true;
  } catch {
    return false;
  }
}

async function deliver(state: ServerState, ex: Exchange, answer: Answer): Promise<void> {
  switch (answer.kind) {
    case 'reply':
      return send(state, ex, answer.reply, answer.callLimit);
    case 'stall':
      // Holds the request open until the client gives up or close() destroys the socket.
      await ex.closed;
      return finish(state, ex, 0);
    case 'reset':
      finish(state, ex, 0);
      if (!ex.req.socket.destroyed) ex.req.socket.resetAndDestroy();
      return;
    case 'truncated': {
      // A 200 whose Content-Length promises more than arrives before the connection drops.
      const { body } = answer.reply;
      const headers = { ...answer.reply.headers, ...charge(state, ex, 200, 'remaining') };
      headers['Content-Length'] = String(Buffer.byteLength(body) + 1024);
      finish(state, ex, 200);
      ex.res.writeHead(200, headers);
      ex.res.write(body.slice(0, Math.floor(body.length / 2)), () => ex.req.socket.destroy());
      return;
    }
  }
}

function send(state: ServerState, ex: Exchange, reply: Reply, limit: CallLimitHeader): void {
  if (ex.done) return;
  const headers = { ...reply.headers, ...charge(state, ex, reply.status, limit) };
  finish(state, ex, reply.status);
  ex.res.writeHead(reply.status, headers).end(reply.body);
}

/**
 * quotas.ts updateQuotas, which wraps `res.send`: a 200 (and only a 200) costs the key one call, then the answer
 * carries the key's count after it. The check-then-charge is not atomic there either, so overlapping last calls
 * can drive the count below zero.
 */
function charge(
  state: ServerState,
  ex: Exchange,
  status: number,
  limit: CallLimitHeader,
): Record<string, string> {
  if (ex.key === undefined) return {};
  const remaining = (state.keys.get(ex.key) ?? 0) - (status === 200 ? 1 : 0);
  state.keys.set(ex.key, remaining);
  if (limit === 'none') return {};
  return { 'X-CallLimit-Remaining': limit === 'zero' ? '0' : String(remaining) };
}

function finish(state: ServerState, ex: Exchange, status: number): void {
  if (ex.done) return;
  ex.done = true;
  state.inFlight--;
  const entry: RequestLogEntry = { ...ex.entry, status, endedAt: performance.now() };
  if (ex.clientGone) entry.aborted = true;
  state.log.push(entry);
}
