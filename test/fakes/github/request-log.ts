import type { Answer, Incoming } from './dispatch.js';
import type { FaultKind } from './faults.js';

/** One answered request. `user` is the token's login (absent when authentication failed). */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** Octokit's name of the matched route, `POST /repos/{owner}/{repo}/issues`. */
  route?: string;
  status: number;
  user?: string;
  fault?: FaultKind;
  /** The JSON body as sent (undefined for none, the raw text when it is not JSON). */
  body?: unknown;
}

/** The fake's I/O accounting: every request in order, the writes that reached a handler, the injected faults. */
export interface RequestLog {
  record(incoming: Incoming, answer: Answer): void;
  entries(): RequestLogEntry[];
  /** Every request since the fake started, whatever `reset` cleared: what the contract test validates. */
  history(): RequestLogEntry[];
  writes(): number;
  faults(): number;
  reset(): void;
}

export function createRequestLog(): RequestLog {
  let entries: RequestLogEntry[] = [];
  const all: RequestLogEntry[] = [];
  let writes = 0;
  let faults = 0;
  return {
    record(incoming, answer) {
      if (answer.handled && incoming.method !== 'GET' && incoming.method !== 'HEAD') writes += 1;
      if (answer.fault) faults += 1;
      const entry: RequestLogEntry = {
        method: incoming.method,
        path: incoming.url.pathname,
        query: incoming.url.search.replace(/^\?/, ''),
        status: answer.status,
        ...(answer.route ? { route: answer.route } : {}),
        ...(answer.user ? { user: answer.user } : {}),
        ...(answer.fault ? { fault: answer.fault } : {}),
        ...(incoming.body === '' ? {} : { body: parsedBody(incoming.body) }),
      };
      entries.push(entry);
      all.push(entry);
    },
    entries: () => [...entries],
    history: () => [...all],
    writes: () => writes,
    faults: () => faults,
    reset() {
      entries = [];
      writes = 0;
      faults = 0;
    },
  };
}

function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
