import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFaultQueue, type Fault, type FaultMatch, type FaultRequest } from './cbbd-api-faults.js';
import type { Endpoint } from './cbbd-api-http.js';
import { createLeague, type LeagueOptions } from './cbbd-api-league.js';
import { countCalls, maxStartedInAnyWindow, type RequestLogEntry } from './cbbd-api-log.js';
import { handle, type ServerState } from './cbbd-api-serve.js';

export type { Fault, FaultMatch, FaultRequest } from './cbbd-api-faults.js';
export type { DataEndpoint, Endpoint, GameEndpoint } from './cbbd-api-http.js';
export type { RequestLogEntry } from './cbbd-api-log.js';

/**
 * A fake CollegeBasketballData API over real HTTP on 127.0.0.1, serving the demo lake's synthetic league with the
 * real server's (CFBD/cbb-api) auth, monthly quota, status codes and bodies, plus injectable faults.
 */

export interface FakeCbbdApiOptions extends LeagueOptions {
  /** API key → remaining monthly calls. */
  keys: Record<string, number>;
  /** Added before answering each admitted data request, where the real server spends its database time. */
  latencyMs?: number;
  /** A schedule of faults (seeded, or by attempt); consulted when no injected fault matches. */
  faultFor?: (request: FaultRequest) => Fault | undefined;
}

export interface FakeCbbdApi {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Every answered request, in the order answered; cleared in place by `reset()`. */
  readonly log: readonly RequestLogEntry[];
  readonly inFlight: number;
  /** The most requests open at once since start or `reset()`. */
  readonly maxInFlight: number;
  /** Injected faults not yet consumed. */
  readonly pendingFaults: number;
  maxStartedInAnyWindow(windowMs?: number): number;
  callsFor(endpoint: Endpoint, gameId?: number): number;
  remaining(key: string): number;
  setRemaining(key: string, calls: number): void;
  /** Queues a fault for the next admitted data request that fits `match` (FIFO). */
  inject(fault: Fault, match?: FaultMatch): void;
  /** Clears the log, the attempt counts `faultFor` sees, and `maxInFlight`; queued faults stay. */
  reset(): void;
  /** Stops listening and destroys every connection, stalled ones included. */
  close(): Promise<void>;
}

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export async function startFakeCbbdApi(options: FakeCbbdApiOptions): Promise<FakeCbbdApi> {
  const state: ServerState = {
    league: createLeague(options),
    keys: new Map(Object.entries(options.keys)),
    latencyMs: options.latencyMs ?? 0,
    faults: createFaultQueue(),
    faultFor: options.faultFor,
    attempts: new Map(),
    log: [],
    inFlight: 0,
    maxInFlight: 0,
    lifetime: new AbortController(),
    running: new Set(),
  };
  const server = createServer((req, res) => {
    const handling = handle(state, req, res);
    state.running.add(handling);
    void handling.finally(() => state.running.delete(handling));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return facade(state, server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function facade(state: ServerState, server: Server, url: string): FakeCbbdApi {
  let closing: Promise<void> | undefined;
  return {
    url,
    log: state.log,
    get inFlight() {
      return state.inFlight;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    get pendingFaults() {
      return state.faults.pending;
    },
    maxStartedInAnyWindow: (windowMs = 1000) => maxStartedInAnyWindow(state.log, windowMs),
    callsFor: (endpoint, gameId) => countCalls(state.log, endpoint, gameId),
    remaining(key) {
      const calls = state.keys.get(key);
      if (calls !== undefined) return calls;
      throw new Error(`unknown API key "${key}"; the fake knows ${[...state.keys.keys()].join(', ')}`);
    },
    setRemaining: (key, calls) => void state.keys.set(key, calls),
    inject: (fault, match) => state.faults.inject(fault, match),
    reset() {
      state.log.length = 0;
      state.attempts.clear();
      state.maxInFlight = state.inFlight;
    },
    close: () => (closing ??= stop(state, server)),
  };
}

async function stop(state: ServerState, server: Server): Promise<void> {
  state.lifetime.abort();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
  await Promise.all(state.running);
}
