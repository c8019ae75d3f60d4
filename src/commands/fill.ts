import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import type { ObjectStore } from '../lake/object-store.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { Catalog } from '../catalog/catalog.js';
import { isoDate, layoutFrom } from '../layout/keys.js';
import { loadLayerRules } from '../fill/column-rules.js';
import { registerPartitions, type RegisterResult } from '../fill/register-partitions.js';
import { budgetKeyHash } from '../fill/budget-share.js';
import { runFill, type FillProgress, type FillResult } from '../fill/run-fill.js';
import { shardName, type Shard } from '../fill/shards.js';
import { defaultAnswerSize, measureAnswers } from '../fill/answer-size.js';
import {
  callsText,
  cutUnits,
  planCalls,
  unitShard,
  type CallPlan,
  type CallShape,
  type CallUnit,
} from '../fill/call-plan.js';
import { MAX_BODY_BYTES } from '../source/http-cbbd-client.js';
import {
  discoverMissing,
  loadGames,
  openTargets,
  parentOf,
  tableForEndpoint,
  targetsFromFile,
  type GameTarget,
  type SkippedGame,
} from '../fill/targets.js';
import { errorMessage, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  openApiClient,
  openCatalog,
  openCheckpoints,
  openEngine,
  openExistingLake,
  type Env,
} from './ports.js';

/** `fill`'s settings, parsed from flags or the action's inputs. */
export interface FillCommand {
  config: Config;
  lake: LakeLocation;
  endpoint: string;
  seasons: number[];
  shard: Shard;
  checkpoints: string | undefined;
  missingIdsFile: string | undefined;
  limit: number | undefined;
  dryRun: boolean;
  rate: number;
  concurrency: number;
  leaseSeconds: number;
  engine: 'scan' | 'athena';
  callShape: CallShape;
}

/** What `fill` reports: the shard's games and what became of each, or (dry run) what it would fetch. */
export interface FillOutcome {
  dryRun: boolean;
  endpoint: string;
  shard: string;
  seasons: number[];
  /** Missing games of this shard before checkpoints were consulted. */
  discovered: number;
  /** Games already done or known empty in the checkpoints. */
  alreadyDone: number;
  targets: GameTarget[];
  /** This shard's calls by kind, the calls one per game would take, and the largest answer expected (bytes). */
  calls: Pick<CallPlan, 'calls' | 'perGameCalls' | 'largestAnswerBytes'>;
  unplaceable: { gameId: number; reason: string }[];
  /** Missing games skipped before any call: an unreadable file sits at the key their fill would write. */
  blocked: SkippedGame[];
  result: FillResult | undefined;
  catalog: RegisterResult | undefined;
}

/**
 * Finds exactly the missing games of one endpoint (the audit's coverage, or `--missing-ids-file`), keeps this
 * shard's, drops those checkpointed done or empty, and fills them; `--dry-run` stops before any call or write.
 */
export async function fillCommand(command: FillCommand, deps: FillDeps): Promise<FillOutcome> {
  const { config } = command;
  const { table, tc } = tableForEndpoint(config, command.endpoint);
  const store = await openExistingLake(command.lake, config, deps.env);
  const checkpoints = openCheckpoints(command.checkpoints, command.lake, config, deps.env);
  const found = await missingGames(command, parentOf(tc), store, checkpoints, deps);
  const { unplaceable, blocked } = found;
  const myUnits = await shardUnits(command, store, found, deps.logger);
  const mine = myUnits.flatMap((u) => u.games).sort((a, b) => a.gameId - b.gameId);
  const open = await openTargets(checkpoints, command.endpoint, mine);
  const targets = command.limit !== undefined ? open.slice(0, command.limit) : open;
  const units = cutUnits(myUnits, targets);
  const callPlan = summarizeUnits(units, targets.length);
  const outcome: FillOutcome = {
    dryRun: command.dryRun,
    endpoint: command.endpoint,
    shard: shardName(command.shard),
    seasons: command.seasons,
    discovered: mine.length,
    alreadyDone: mine.length - open.length,
    targets,
    calls: callPlan,
    unplaceable,
    blocked,
    result: undefined,
    catalog: undefined,
  };
  deps.logger.info(
    `${command.endpoint} shard ${outcome.shard}: ${mine.length} missing games in ${table}, ${outcome.alreadyDone} already checkpointed done/empty, ` +
      `${targets.length} to fetch in ${callPlan.calls.total} calls (${callsText(callPlan)}) ${shareText(command)} ` +
      `(~${Math.ceil(callPlan.calls.total / Math.min(command.rate, config.api.rate_limit_per_sec))} s alone)`,
  );
  if (command.dryRun || targets.length === 0) return outcome;

  const catalog = openCatalog(command.lake, config, deps.env);
  const databases = { bronze: config.catalog.bronze_database, silver: config.catalog.silver_database! };
  const rules = await loadLayerRules(catalog, databases, command.endpoint);
  const client = openApiClient(
    config,
    deps.env,
    { rate: command.rate, concurrency: command.concurrency },
    deps.logger,
  );
  outcome.result = await runFill(
    {
      endpoint: command.endpoint,
      key: tc.key,
      targets,
      units,
      shard: command.shard,
      owner: ownerId(deps.env),
      leaseMs: command.leaseSeconds * 1000,
      workers: command.concurrency,
      databases,
      rules,
    },
    {
      store,
      layout: layoutFrom(config.s3_layout),
      client,
      checkpoints,
      logger: deps.logger,
      ingestedAt: () => isoDate(new Date()),
      // Every run of this key shares one budget, whatever its shard: this run's --rate/--concurrency only cap its part.
      budget: {
        keyHash: budgetKeyHash(deps.env.CBBD_API_KEY || deps.env.BEARER_TOKEN || ''),
        whole: { rate: config.api.rate_limit_per_sec, concurrency: config.api.max_concurrency },
        beatMs: BUDGET_BEAT_MS,
        cap: { rate: command.rate, concurrency: command.concurrency },
        quotaReserve: config.api.quota_reserve,
      },
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    },
  );
  if (outcome.result.partitions.length > 0)
    outcome.catalog = await registerNewPartitions(catalog, outcome.result.partitions, deps.logger);
  return outcome;
}

/** The rate a fill runs at: a share of the key's budget across its running fills, capped by --rate. */
function shareText(command: FillCommand): string {
  const whole = command.config.api.rate_limit_per_sec;
  const cap = command.rate < whole ? `, this run at most ${command.rate}/s` : '';
  return `at a share of ${whole}/s across the key's running fills${cap}`;
}

/** How often a fill renews its hold on the key's shared budget and re-reads the other holders. */
const BUDGET_BEAT_MS = 1000;

type FillDeps = { logger: Logger; env: Env; onProgress?: (p: FillProgress) => void };

/**
 * The endpoint's missing games in the seasons asked, placed by fct_games: the ids of `--missing-ids-file`, or
 * those the audit's coverage check finds (less games checkpointed empty).
 */
async function missingGames(
  command: FillCommand,
  parent: string,
  store: ObjectStore,
  checkpoints: CheckpointStore,
  deps: FillDeps,
): Promise<{
  all: GameTarget[];
  unplaceable: FillOutcome['unplaceable'];
  blocked: SkippedGame[];
  schedule: GameTarget[];
}> {
  const { config, seasons } = command;
  const { logger } = deps;
  // The call planner matches games by team and start time: read them from fct_games only when it plans.
  const teams = command.callShape !== 'game';
  if (command.missingIdsFile) {
    const file = command.missingIdsFile;
    const text = await readFile(file, 'utf8').catch((e: unknown) => {
      throw new UsageError(
        `--missing-ids-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    });
    const { index } = await loadGames(store, config, parent, seasons, logger, teams);
    const { targets, unplaceable } = targetsFromFile(text, index, seasons, file);
    return { all: targets, unplaceable, blocked: [], schedule: [...index.values()] };
  }
  const engine = await openEngine(command.engine, store, command.lake, config, deps.env);
  try {
    const games = await loadGames(store, config, parent, seasons, logger, teams);
    const { targets, blocked } = await discoverMissing(config, command.endpoint, seasons, {
      store,
      engine,
      logger,
      games,
      emptyFromCheckpoints: (endpoint) => checkpoints.idsWithStatus(endpoint, 'empty'),
    });
    for (const b of blocked) logger.warn(`skipped game ${b.gameId}: ${b.reason}`);
    return { all: targets, unplaceable: [], blocked, schedule: [...games.index.values()] };
  } finally {
    await engine.close();
  }
}

/**
 * Adds the fill's new partitions to the catalog. The games are written and checkpointed by now: a catalog that
 * cannot be reached must not hide that, so its failure is reported with the remedy instead of thrown.
 */
async function registerNewPartitions(
  catalog: Catalog,
  partitions: FillResult['partitions'],
  logger: Logger,
): Promise<RegisterResult> {
  let registered: RegisterResult;
  try {
    registered = await registerPartitions(catalog, partitions);
  } catch (e) {
    const reason = `the catalog could not be updated (${errorMessage(e)}); run repair --apply to register the new partitions`;
    registered = { registered: 0, failed: [{ table: '*', values: [], reason }], notes: [] };
  }
  for (const n of registered.notes) logger.warn(n);
  for (const f of registered.failed) logger.warn(f.reason);
  return registered;
}

/**
 * This shard's call units. Every shard plans the same calls from the same missing games (and the season's
 * schedule, for bulk answers' sizes) and takes the calls that hash to it (`unitShard`).
 */
async function shardUnits(
  command: FillCommand,
  store: ObjectStore,
  found: { all: GameTarget[]; schedule: GameTarget[] },
  logger: Logger,
): Promise<CallUnit[]> {
  const size =
    command.callShape === 'game'
      ? defaultAnswerSize(command.endpoint, MAX_BODY_BYTES)
      : await measureAnswers(
          store,
          layoutFrom(command.config.s3_layout),
          command.endpoint,
          MAX_BODY_BYTES,
          logger,
        );
  const plan = planCalls({
    endpoint: command.endpoint,
    missing: found.all,
    schedule: found.schedule,
    shape: command.callShape,
    size,
  });
  return plan.units.filter((u) => unitShard(u, command.shard.count) === command.shard.index);
}

/** The calls of the units left to make, for the outcome and the log. */
function summarizeUnits(units: readonly CallUnit[], games: number): FillOutcome['calls'] {
  const calls = { game: 0, team: 0, date: 0, total: 0 };
  for (const c of units.flatMap((u) => u.calls)) {
    calls[c.request.kind]++;
    calls.total++;
  }
  const largest = Math.max(0, ...units.flatMap((u) => u.calls.map((c) => c.expectedBytes)));
  return { calls, perGameCalls: games, largestAnswerBytes: largest };
}

/** Who this run is in leases and shard locks: the Actions run when there is one, and the host and pid. */
function ownerId(env: Env): string {
  const run = env.GITHUB_RUN_ID
    ? `run ${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? '1'}${env.GITHUB_JOB ? ` ${env.GITHUB_JOB}` : ''}`
    : `local ${randomUUID().slice(0, 8)}`;
  return `${run} on ${os.hostname()} pid ${process.pid}`;
}
