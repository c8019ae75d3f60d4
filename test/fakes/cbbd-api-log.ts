import type { Endpoint } from './cbbd-api-http.js';

/** One request the fake CBBD API saw, written when it was answered (or when its connection ended unanswered). */
export interface RequestLogEntry {
  method: string;
  /** The request target, query included. */
  path: string;
  endpoint: Endpoint;
  gameId?: number;
  /** 0 when no status line was sent: a stall, a reset, or the server closing mid-request. */
  status: number;
  /** `performance.now()` milliseconds: monotonic, comparable only with each other. */
  startedAt: number;
  endedAt: number;
  fault?: string;
  /** The bearer token presented, known to the fake or not. */
  key?: string;
  /** The client hung up before the answer; a 200 sent to it was still charged, as by the real server. */
  aborted?: boolean;
}

/**
 * The most requests whose start falls inside any window `[t, t + windowMs)`: what a per-second rate limit sees.
 * A two-pointer sweep over the sorted start times.
 */
export function maxStartedInAnyWindow(log: readonly RequestLogEntry[], windowMs: number): number {
  if (!(windowMs > 0)) throw new Error(`windowMs must be positive, got ${windowMs}`);
  const starts = log.map((e) => e.startedAt).sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  starts.forEach((start, right) => {
    while (start - (starts[left] ?? start) >= windowMs) left++;
    best = Math.max(best, right - left + 1);
  });
  return best;
}

/** Requests logged for an endpoint, and for one game of it when `gameId` is given. */
export function countCalls(log: readonly RequestLogEntry[], endpoint: Endpoint, gameId?: number): number {
  return log.filter((e) => e.endpoint === endpoint && (gameId === undefined || e.gameId === gameId)).length;
}
