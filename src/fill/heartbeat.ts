import { errorMessage } from '../util/errors.js';
import type { FillRun } from './fill-run.js';

/** No heartbeat more often than this, however short the lease. */
const MIN_BEAT_MS = 1000;

/**
 * How often a fill renews its leases and locks: three beats per lease, so two beats can fail (a DynamoDB hiccup
 * outlasting its retries) before another run may take a game over.
 */
export function heartbeatInterval(leaseMs: number): number {
  return Math.max(MIN_BEAT_MS, Math.floor(leaseMs / 3));
}

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops the timer and waits for the beat in flight, if any. */
  stop(): Promise<void>;
  /** Waits for the beat in flight, if any (tests use it to let a beat land before they look). */
  settled(): Promise<void>;
}

/**
 * Renews the run's shard locks and game leases every `heartbeatInterval(leaseMs)`. One beat at a time, and
 * `stop` awaits the one in flight: a beat still retrying after the fill ended would renew a lock the release
 * could not delete (DynamoDB down) for a run that is gone.
 */
export function startHeartbeat(run: FillRun): Heartbeat {
  const every = run.ports.every ?? everyInterval;
  let beating: Promise<void> | undefined;
  const stopTimer = every(heartbeatInterval(run.job.leaseMs), () => {
    beating ??= beat(run).finally(() => (beating = undefined));
  });
  const settled = async () => {
    await beating;
  };
  return {
    settled,
    async stop() {
      stopTimer();
      await settled();
    },
  };
}

/** One beat: the locks first (they guard whole seasons), then the leases; a failure is logged, never thrown. */
async function beat(run: FillRun): Promise<void> {
  const { job, ports } = run;
  try {
    for (const ref of run.locks) await ports.checkpoints.renewShardLock(ref, job.owner, job.leaseMs);
    const lost = await ports.checkpoints.heartbeat(job.endpoint, [...run.leased], job.owner, job.leaseMs);
    for (const id of lost) ports.logger.warn(`lease of game ${id} was lost (another run may fetch it again)`);
  } catch (e) {
    ports.logger.warn(`heartbeat failed: ${errorMessage(e)}`);
  }
}

/** A repeating timer that does not keep the process alive; returns its stop. */
export function everyInterval(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** A one-shot timer that does not keep the process alive; returns its cancel. */
export function afterTimeout(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * A repeating timer that keeps the process alive until stopped: for the budget's beat, which workers waiting for
 * a share depend on. With an unref'd timer and every worker queued, Node finds nothing left to run and exits
 * (code 13 in the action's bundle, an unsettled top-level await) while the fill is still waiting.
 */
export function everyIntervalKeptAlive(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
}
