import type { CheckpointStore, ShardRef } from '../checkpoint/checkpoint-store.js';
import type { ObjectStore } from '../lake/object-store.js';
import type { LakeLayout } from '../layout/keys.js';
import type { ApiUsage, CbbdClient } from '../source/cbbd-client.js';
import type { Logger } from '../util/logger.js';
import { shardName, type Shard } from './shards.js';
import type { GameTarget } from './targets.js';
import type { LayerRules } from './column-rules.js';
import type { WrittenPartition } from './register-partitions.js';
import type { Budget } from './budget-share.js';
import type { CallUnit } from './call-plan.js';

/** One shard's fill, as the command sets it up. */
export interface FillJob {
  endpoint: string;
  /** The table's key, for the silver dedupe. */
  key: readonly string[];
  /** This shard's games, in id order. */
  targets: readonly GameTarget[];
  /** The calls that bring them (call-plan.ts); without them, each game's own call. */
  units?: readonly CallUnit[];
  shard: Shard;
  /** Who this run is in leases and locks: run id, host, pid. */
  owner: string;
  leaseMs: number;
  /** Games worked on at once (the client caps requests in flight on its own). */
  workers: number;
  databases: { bronze: string; silver: string };
  /** Column types the catalog declares for the bronze and silver tables (`loadLayerRules`). */
  rules: LayerRules;
}

/** Progress after each game. */
export interface FillProgress {
  done: number;
  empty: number;
  failed: number;
  skipped: number;
  total: number;
  /** Set while the run waits in line for a share of its key's API budget (1 = next). */
  waiting?: { place: number; holders: number };
}

/** The ports a fill runs on. */
export interface FillPorts {
  store: ObjectStore;
  layout: LakeLayout;
  client: CbbdClient;
  checkpoints: CheckpointStore;
  logger: Logger;
  ingestedAt: () => string;
  onProgress?: (p: FillProgress) => void;
  /**
   * Starts a repeating timer and returns its stop; the heartbeat runs on it. Defaults to an unref'd setInterval;
   * tests pass one driven by their own clock.
   */
  every?: (ms: number, fn: () => void) => () => void;
  /** A one-shot timer, returning its cancel (the budget's read at another holder's expiry); an unref'd setTimeout. */
  after?: (ms: number, fn: () => void) => () => void;
  /** Waits between asks for a game another run holds. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, to compare with lease expiries. */
  now?: () => number;
  /** The API key's budget, shared with every other run that holds it (budget-holder.ts); absent: the client's own. */
  budget?: {
    keyHash: string;
    whole: Budget;
    beatMs: number;
    /** This run's own limit (`--rate`, `--concurrency`). */ cap: Budget;
    /** `api.quota_reserve`: the key's quota ledger grants no call that would cut into it (quota-ledger.ts). */
    quotaReserve: number;
  };
}

/** What a shard's fill did. */
export interface FillResult {
  endpoint: string;
  shard: string;
  seasons: { season: number; ran: boolean; heldBy?: string }[];
  done: number[];
  empty: number[];
  failed: { gameId: number; reason: string }[];
  skipped: { gameId: number; reason: string }[];
  /** Games not attempted because the fill stopped (quota, key). */
  left: number;
  /** Why the fill stopped early: the monthly quota, a refused key, or an error it could not work around. */
  stoppedBy: 'quota' | 'api-key' | 'error' | undefined;
  stopMessage: string | undefined;
  partitions: WrittenPartition[];
  usage: ApiUsage;
  /** How the run shared its key's budget (absent when it held none). */
  budget?: BudgetReport;
}

/** The most runs that held the key's budget at once, the share this run last had, and its wait in line. */
export interface BudgetReport {
  holders: number;
  share: { rate: number; concurrency: number } | undefined;
  /** Its first place in line and the time (ms) from then to its first share, if it ever queued. */
  queued: { place: number; waitedMs: number } | undefined;
}

/**
 * Everything a fill's steps share, in one place: the shard locks held, the games still to take, those another run
 * holds (asked again at `notBefore`), those leased right now (the heartbeat extends them), and the result so far.
 */
export interface FillRun {
  job: FillJob;
  ports: FillPorts;
  result: FillResult;
  /** Shard locks this run holds (one per season it fills). */
  locks: ShardRef[];
  /** Call units not yet taken, in order (a unit's games are leased together before its calls). */
  queue: CallUnit[];
  /** Games another run holds a lease on, each as its own call: asked again once that lease may have run out. */
  deferred: { unit: CallUnit; notBefore: number }[];
  /** Games this run holds a lease on right now. */
  leased: Set<number>;
  /** Games of seasons another run holds the shard lock of: left to that run, and counted as left. */
  held: number;
  /** Games this run set out to fill (those of the seasons it locked). */
  total: number;
  /** The first error a worker could not handle: the others take no new game, and it ends the fill. */
  crashed: { error: unknown } | undefined;
}

/** A fill's state before its first step. */
export function newFillRun(job: FillJob, ports: FillPorts): FillRun {
  return {
    job,
    ports,
    result: {
      endpoint: job.endpoint,
      shard: shardName(job.shard),
      seasons: [],
      done: [],
      empty: [],
      failed: [],
      skipped: [],
      left: 0,
      stoppedBy: undefined,
      stopMessage: undefined,
      partitions: [],
      usage: ports.client.usage(),
    },
    locks: [],
    queue: [],
    deferred: [],
    leased: new Set(),
    held: 0,
    total: 0,
    crashed: undefined,
  };
}

/** Tells the caller how far the fill is (and, while it waits for its share of the key's budget, its place). */
export function reportProgress(run: FillRun, waiting?: FillProgress['waiting']): void {
  const r = run.result;
  run.ports.onProgress?.({
    done: r.done.length,
    empty: r.empty.length,
    failed: r.failed.length,
    skipped: r.skipped.length,
    total: run.total,
    ...(waiting ? { waiting } : {}),
  });
}

/** Games not attempted: those still queued or deferred, and those of seasons another run holds. */
export function gamesLeft(run: FillRun): number {
  const queued = [...run.queue, ...run.deferred.map((d) => d.unit)];
  return queued.reduce((n, u) => n + u.games.length, 0) + run.held;
}

/** A run's place in line for its key's API budget, as the progress shows it. */
export function waitingText(w: { place: number; holders: number }): string {
  return `waiting for the API budget: place ${w.place} in line (${w.holders} runs hold this key)`;
}

/** How the fill shared its key's budget, for the summaries. */
export function budgetText(b: BudgetReport): string {
  const share = b.share ? `last share ${b.share.rate}/s and ${b.share.concurrency} in flight` : 'no share';
  const queued = b.queued
    ? `; waited ${(b.queued.waitedMs / 1000).toFixed(1)} s in line from place ${b.queued.place}`
    : '';
  return `held with up to ${b.holders - 1} other run(s) of this key, ${share}${queued}`;
}
