import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { MAX_MATRIX_LEGS, planFill, type FillPlan } from '../fill/plan.js';
import { UsageError } from '../util/errors.js';
import {
  discoverMissing,
  loadGames,
  openTargets,
  parentOf,
  tableForEndpoint,
  type LakeGames,
} from '../fill/targets.js';
import type { Logger } from '../util/logger.js';
import { defaultAnswerSize, measureAnswers } from '../fill/answer-size.js';
import { cutUnits, gameUnit, planCalls, type CallShape } from '../fill/call-plan.js';
import { layoutFrom } from '../layout/keys.js';
import { MAX_BODY_BYTES } from '../source/http-cbbd-client.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { budgetKeyHash } from '../fill/budget-share.js';
import { readQuota } from '../fill/quota-ledger.js';
import { openCheckpoints, openEngine, openExistingLake, type Env } from './ports.js';

/** `plan`'s settings. */
export interface PlanCommand {
  config: Config;
  lake: LakeLocation;
  /** One endpoint, or every endpoint a table in `audit.tables` is filled by. */
  endpoints: string[];
  seasons: number[];
  shards: number;
  maxParallel: number;
  checkpoints: string | undefined;
  /** Monthly calls left, when the caller knows (the action passes what the API last said). */
  quotaRemaining: number | undefined;
  callShape: CallShape;
}

/**
 * The shards of a fill: the missing games of each endpoint and season (less those checkpointed done or empty),
 * split by a stable hash, with each leg's share of the rate and concurrency, the time at that budget, the quota
 * check, and the GitHub matrix. Makes no API call and writes nothing.
 */
export async function planCommand(
  command: PlanCommand,
  deps: { logger: Logger; env: Env },
): Promise<FillPlan[]> {
  const { config } = command;
  const store = await openExistingLake(command.lake, config, deps.env);
  const checkpoints = openCheckpoints(command.checkpoints, command.lake, config, deps.env);
  const engine = await openEngine('scan', store, command.lake, config, deps.env);
  const plans: FillPlan[] = [];
  let quota: Awaited<ReturnType<typeof knownQuota>> | undefined;
  // Every endpoint's legs go into one matrix: keep endpoints × seasons × shards within GitHub's 256 jobs.
  const shards = Math.min(
    command.shards,
    Math.max(1, Math.floor(MAX_MATRIX_LEGS / Math.max(1, command.endpoints.length * command.seasons.length))),
  );
  if (command.endpoints.length * command.seasons.length > MAX_MATRIX_LEGS) {
    throw new UsageError(
      `--seasons: ${command.endpoints.length} endpoint(s) × ${command.seasons.length} seasons need more than ${MAX_MATRIX_LEGS} matrix jobs; plan fewer seasons at once`,
    );
  }
  if (shards < command.shards)
    deps.logger.warn(
      `--shards ${command.shards}: ${shards} a season keeps the matrix within ${MAX_MATRIX_LEGS} jobs`,
    );
  try {
    // Every endpoint of the default config covers fct_games: the lake is listed and its games read once.
    const gamesOf = new Map<string, LakeGames>();
    for (const endpoint of command.endpoints) {
      const parent = parentOf(tableForEndpoint(config, endpoint).tc);
      const games =
        gamesOf.get(parent) ??
        (await loadGames(store, config, parent, command.seasons, deps.logger, command.callShape !== 'game'));
      gamesOf.set(parent, games);
      const { targets: found, blocked } = await discoverMissing(config, endpoint, command.seasons, {
        store,
        engine,
        logger: deps.logger,
        games,
        emptyFromCheckpoints: (e) => checkpoints.idsWithStatus(e, 'empty'),
      });
      const open = await openTargets(checkpoints, endpoint, found);
      // The calls as every fill shard plans them (from all missing games), then cut to the games still open.
      const units =
        command.callShape === 'game'
          ? open.map((g) => gameUnit(endpoint, g, defaultAnswerSize(endpoint, MAX_BODY_BYTES)))
          : cutUnits(
              planCalls({
                endpoint,
                missing: found,
                schedule: [...games.index.values()],
                shape: command.callShape,
                size: await measureAnswers(
                  store,
                  layoutFrom(config.s3_layout),
                  endpoint,
                  MAX_BODY_BYTES,
                  deps.logger,
                ),
              }).units,
              open,
            );
      quota ??= await knownQuota(command, checkpoints, deps.env);
      const plan = planFill({
        endpoint,
        targets: open,
        units,
        shards,
        maxParallel: command.maxParallel,
        rate: config.api.rate_limit_per_sec,
        concurrency: config.api.max_concurrency,
        ...(quota.remaining !== undefined
          ? { quota: { ...quota, remaining: quota.remaining, reserve: config.api.quota_reserve } }
          : {}),
      });
      plan.notes.push(...blocked.map((b) => `skipped game ${b.gameId}: ${b.reason}`));
      plans.push(plan);
    }
  } finally {
    await engine.close();
  }
  return plans;
}

/**
 * The monthly calls left, as `--quota-remaining` says or else as the key's quota ledger last saw them this month
 * (the lower when both), and the calls the live runs of the key hold (quota-ledger.ts).
 */
async function knownQuota(command: PlanCommand, checkpoints: CheckpointStore, env: Env) {
  const keyHash = budgetKeyHash(env.CBBD_API_KEY || env.BEARER_TOKEN || '');
  const ledger = await checkpoints.changeQuota(keyHash, readQuota);
  const counts = [command.quotaRemaining, ledger.remaining].filter((n) => n !== undefined);
  return { ...ledger, remaining: counts.length > 0 ? Math.min(...counts) : undefined };
}

/** All plans' legs as one GitHub matrix (planCommand keeps it within 256 legs). */
export function combinedMatrix(plans: readonly FillPlan[]): FillPlan['matrix'] {
  return { include: plans.flatMap((p) => p.matrix.include) };
}
