import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../util/errors.js';
import { fillUnit, leaseUnit, lockShards, nextUnit, releaseShards } from './fill-steps.js';
import {
  gamesLeft,
  newFillRun,
  type FillJob,
  type FillPorts,
  type FillResult,
  type FillRun,
  type BudgetReport,
  reportProgress,
} from './fill-run.js';
import { holdBudgetShare, type BudgetHolding } from './budget-holder.js';
import type { BudgetShare } from './budget-share.js';
import { holdQuota, type QuotaHolding } from './quota-ledger.js';
import { afterTimeout, everyIntervalKeptAlive, startHeartbeat } from './heartbeat.js';

export type { FillJob, FillPorts, FillProgress, FillResult } from './fill-run.js';

/**
 * Fills one shard, step by step (fill-steps.ts): lock the shards (a second run of the same shard exits at once),
 * then per call unit (call-plan.ts; one game's own call by default) a conditional lease on each of its games, its
 * calls, and per game the three layers written create-only, and only then the checkpoint `done` (`empty` after
 * the deadletter record; `failed` with the reason); last, release the locks.
 * Leases and locks are heartbeated meanwhile (heartbeat.ts). The monthly quota or a refused key stops everything
 * at once: games not yet fetched are released, not failed.
 */
export async function runFill(job: FillJob, ports: FillPorts): Promise<FillResult> {
  const run = newFillRun(job, ports);
  await lockShards(run);
  const heartbeat = startHeartbeat(run);
  const budget = run.total > 0 ? await holdSharedBudget(run) : undefined;
  let quota: QuotaHolding | undefined;
  try {
    quota = budget ? await holdQuotaLedger(run) : undefined;
    const workers = Math.max(1, Math.min(job.workers, run.total || 1));
    await Promise.all(Array.from({ length: workers }, () => worker(run)));
  } finally {
    // The beat in flight lands before the locks go, or it could renew a lock for a run that is gone.
    await heartbeat.stop();
    await quota?.stop();
    await budget?.stop(ports.client.recentStarts?.());
    await releaseShards(run);
  }
  return summarize(run);
}

/** Joins the key's shared budget when the fill has one: the client then runs at the share the holder puts in force. */
async function holdSharedBudget(run: FillRun): Promise<BudgetHolding | undefined> {
  const { ports, job } = run;
  const { budget, client } = ports;
  if (!budget || !client.setShare) return undefined;
  const setShare = client.setShare.bind(client);
  return holdBudgetShare({
    checkpoints: ports.checkpoints,
    keyHash: budget.keyHash,
    owner: job.owner,
    budget: budget.whole,
    beatMs: budget.beatMs,
    every: ports.every ?? everyIntervalKeptAlive,
    after: ports.after ?? afterTimeout,
    now: ports.now ?? Date.now,
    apply: (share) =>
      setShare(
        share.kind === 'active'
          ? {
              rate: Math.min(share.rate, budget.cap.rate),
              concurrency: Math.min(share.concurrency, budget.cap.concurrency),
            }
          : { rate: budget.whole.rate, concurrency: 0 },
      ),
    ...(client.countStarts ? { countStarts: client.countStarts.bind(client) } : {}),
    onShare: shareTeller(run),
    logger: ports.logger,
  });
}

/**
 * Puts each change of the run's share in its output: the share and the runs it is split among, or its place in line
 * (in the progress, for the terminal's live line and the action's log), and keeps it for the summary.
 */
function shareTeller(run: FillRun): (share: BudgetShare) => void {
  const { ports } = run;
  const { whole, cap } = ports.budget!;
  const report = (run.result.budget = { holders: 0, share: undefined, queued: undefined } as BudgetReport);
  let queuedAt: number | undefined;
  return (share) => {
    const now = (ports.now ?? Date.now)();
    report.holders = Math.max(report.holders, share.holders);
    if (share.kind === 'queued') {
      if (share.position === 0) return;
      queuedAt ??= now;
      report.queued ??= { place: share.position, waitedMs: 0 };
      reportProgress(run, { place: share.position, holders: share.holders });
      return;
    }
    if (report.queued && queuedAt !== undefined) report.queued.waitedMs += now - queuedAt;
    queuedAt = undefined;
    report.share = {
      rate: Math.min(share.rate, cap.rate),
      concurrency: Math.min(share.concurrency, cap.concurrency),
    };
    ports.logger.info(
      `API budget: this run's share is ${report.share.rate}/s and ${report.share.concurrency} in flight of ` +
        `${whole.rate}/s and ${whole.concurrency} across ${share.holders} run(s) of this key`,
    );
  };
}

/** Reserves the run's planned calls in the key's quota ledger (quota-ledger.ts), capping its client at them. */
function holdQuotaLedger(run: FillRun): Promise<QuotaHolding> {
  const { ports, job } = run;
  const budget = ports.budget!;
  return holdQuota({
    checkpoints: ports.checkpoints,
    keyHash: budget.keyHash,
    owner: job.owner,
    planned: run.queue.reduce((n, u) => n + u.calls.length, 0),
    reserve: budget.quotaReserve,
    client: ports.client,
    beatMs: budget.beatMs,
    every: ports.every ?? everyIntervalKeptAlive,
    sleep: ports.sleep ?? ((ms) => delay(ms)),
    logger: ports.logger,
  });
}

/**
 * One worker: takes call units until none is left or the fill stopped. An error it cannot handle (the checkpoint store
 * down past its retries) is kept in the run, so the other workers take no new game and the fill ends with it.
 */
async function worker(run: FillRun): Promise<void> {
  const now = run.ports.now ?? Date.now;
  const sleep = run.ports.sleep ?? ((ms: number) => delay(ms));
  try {
    for (let unit = await nextUnit(run, now, sleep); unit; unit = await nextUnit(run, now, sleep)) {
      const taken = await leaseUnit(run, unit, now);
      if (taken.length > 0) await fillUnit(run, unit, taken);
    }
  } catch (error) {
    run.crashed ??= { error };
  }
}

/** The result once every worker is back: what is left, the API's usage, and the error that ended it, if any. */
function summarize(run: FillRun): FillResult {
  const { result } = run;
  if (run.crashed) {
    // The games finished so far are written and checkpointed: report them with the error, do not lose them.
    result.stoppedBy = 'error';
    result.stopMessage = errorMessage(run.crashed.error);
    run.ports.logger.error(`fill stopped: ${result.stopMessage}`);
  }
  result.left = gamesLeft(run);
  result.usage = run.ports.client.usage();
  return result;
}
