import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { isoDate, layoutFrom } from '../layout/keys.js';
import { loadLayerRules } from '../fill/column-rules.js';
import { registerPartitions, type RegisterResult } from '../fill/register-partitions.js';
import { runFill, type FillProgress, type FillResult } from '../fill/run-fill.js';
import { shardOf, shardName, type Shard } from '../fill/shards.js';
import {
  discoverMissing,
  loadGames,
  openTargets,
  parentOf,
  tableForEndpoint,
  targetsFromFile,
  type GameTarget,
} from '../fill/targets.js';
import { errorMessage, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { openApiClient, openCatalog, openCheckpoints, openEngine, openLake, type Env } from './ports.js';

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
  unplaceable: { gameId: number; reason: string }[];
  result: FillResult | undefined;
  catalog: RegisterResult | undefined;
}

/**
 * Finds exactly the missing games of one endpoint (the audit's coverage, or `--missing-ids-file`), keeps this
 * shard's, drops those checkpointed done or empty, and fills them; `--dry-run` stops before any call or write.
 */
export async function fillCommand(
  command: FillCommand,
  deps: { logger: Logger; env: Env; onProgress?: (p: FillProgress) => void },
): Promise<FillOutcome> {
  const { config } = command;
  const { logger } = deps;
  const { table, tc } = tableForEndpoint(config, command.endpoint);
  const store = openLake(command.lake, config, deps.env);
  const checkpoints = openCheckpoints(command.checkpoints, command.lake, config, deps.env);
  const layout = layoutFrom(config.s3_layout);
  const emptyFromCheckpoints = (endpoint: string) => checkpoints.idsWithStatus(endpoint, 'empty');

  let all: GameTarget[];
  let unplaceable: FillOutcome['unplaceable'] = [];
  if (command.missingIdsFile) {
    const text = await readFile(command.missingIdsFile, 'utf8').catch((e: unknown) => {
      throw new UsageError(
        `--missing-ids-file: cannot read ${command.missingIdsFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    });
    const { index } = await loadGames(store, config, parentOf(tc), command.seasons, logger);
    ({ targets: all, unplaceable } = targetsFromFile(text, index, command.seasons, command.missingIdsFile));
  } else {
    const engine = await openEngine(command.engine, store, command.lake, config, deps.env);
    try {
      all = await discoverMissing(config, command.endpoint, command.seasons, {
        store,
        engine,
        logger,
        games: await loadGames(store, config, parentOf(tc), command.seasons, logger),
        emptyFromCheckpoints,
      });
    } finally {
      await engine.close();
    }
  }
  const mine = all.filter((t) => shardOf(t.gameId, command.shard.count) === command.shard.index);
  const open = await openTargets(checkpoints, command.endpoint, mine);
  const targets = command.limit !== undefined ? open.slice(0, command.limit) : open;
  const outcome: FillOutcome = {
    dryRun: command.dryRun,
    endpoint: command.endpoint,
    shard: shardName(command.shard),
    seasons: command.seasons,
    discovered: mine.length,
    alreadyDone: mine.length - open.length,
    targets,
    unplaceable,
    result: undefined,
    catalog: undefined,
  };
  logger.info(
    `${command.endpoint} shard ${outcome.shard}: ${mine.length} missing games in ${table}, ${outcome.alreadyDone} already checkpointed done/empty, ` +
      `${targets.length} to fetch at ${command.rate}/s (~${Math.ceil(targets.length / command.rate)} s)`,
  );
  if (command.dryRun || targets.length === 0) return outcome;

  const catalog = openCatalog(command.lake, config, deps.env);
  const databases = { bronze: config.catalog.bronze_database, silver: config.catalog.silver_database! };
  const rules = await loadLayerRules(catalog, databases, command.endpoint);
  const client = openApiClient(
    config,
    deps.env,
    { rate: command.rate, concurrency: command.concurrency },
    logger,
  );
  outcome.result = await runFill(
    {
      endpoint: command.endpoint,
      key: tc.key,
      targets,
      shard: command.shard,
      owner: ownerId(deps.env),
      leaseMs: command.leaseSeconds * 1000,
      workers: command.concurrency,
      databases,
      rules,
    },
    {
      store,
      layout,
      client,
      checkpoints,
      logger,
      ingestedAt: () => isoDate(new Date()),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    },
  );
  if (outcome.result.partitions.length > 0) {
    // The games are written and checkpointed by now: a catalog that cannot be reached must not hide that.
    try {
      outcome.catalog = await registerPartitions(catalog, outcome.result.partitions);
    } catch (e) {
      const reason = `the catalog could not be updated (${errorMessage(e)}); run repair --apply to register the new partitions`;
      outcome.catalog = { registered: 0, failed: [{ table: '*', values: [], reason }], notes: [] };
    }
    for (const n of outcome.catalog.notes) logger.warn(n);
    for (const f of outcome.catalog.failed) logger.warn(f.reason);
  }
  return outcome;
}

/** Who this run is in leases and shard locks: the Actions run when there is one, and the host and pid. */
function ownerId(env: Env): string {
  const run = env.GITHUB_RUN_ID
    ? `run ${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? '1'}${env.GITHUB_JOB ? ` ${env.GITHUB_JOB}` : ''}`
    : `local ${randomUUID().slice(0, 8)}`;
  return `${run} on ${os.hostname()} pid ${process.pid}`;
}
