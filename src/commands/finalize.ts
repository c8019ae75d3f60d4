import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { tableForEndpoint } from '../fill/targets.js';
import { finalizeFill, reportCancelledFill, type FillResults } from '../github/finalize.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { auditLake } from './audit.js';
import type { FillOutcome } from './fill.js';
import type { GitHubContext } from './github-context.js';
import type { Env } from './ports.js';

/** The fill's totals over every leg, and whether its gap is still open after a re-audit. */
export interface FinalizeOutcome {
  filled: number;
  empty: number;
  failed: number;
  failedIds: number[];
  legs: number;
  gapStillOpen: boolean;
  remaining: number;
  closed: boolean;
  /** The run was cancelled: no re-audit, the issue told so and left open with its label. */
  cancelled: boolean;
}

/**
 * After the matrix: sums the legs' results (their `fill` JSON, one file each, unreadable ones reported), re-audits
 * the seasons filled, and — for a fill started from an issue — comments filled/empty/failed with a link to the
 * run, removes `fill`, and closes the issue when its gap is gone. A cancelled run (`cancelled`) only says so on the
 * issue, with what the legs that reported did: no re-audit (so no AWS), the label kept, the issue left open.
 */
export async function finalizeCommand(
  command: {
    config: Config;
    lake: LakeLocation;
    endpoint: string;
    seasons: number[];
    issueNumber: number | undefined;
    resultsDir: string;
    cancelled: boolean;
  },
  deps: { logger: Logger; env: Env; now: () => Date; github: GitHubContext | undefined },
): Promise<FinalizeOutcome> {
  const legs = await readResults(command.resultsDir, deps.logger);
  const failedIds = legs.flatMap((o) => o.result?.failed.map((f) => f.gameId) ?? []).sort((a, b) => a - b);
  const results: FillResults = {
    filled: legs.reduce((a, o) => a + (o.result?.done.length ?? 0), 0),
    empty: legs.reduce((a, o) => a + (o.result?.empty.length ?? 0), 0),
    failed: failedIds.length,
    failedIds,
    ...(deps.github?.runUrl ? { runUrl: deps.github.runUrl } : {}),
  };
  const outcome: FinalizeOutcome = {
    filled: results.filled,
    empty: results.empty,
    failed: results.failed,
    failedIds,
    legs: legs.length,
    gapStillOpen: true,
    remaining: 0,
    closed: false,
    cancelled: command.cancelled,
  };
  const onIssue =
    command.issueNumber !== undefined && deps.github
      ? {
          octokit: deps.github.octokit,
          owner: deps.github.owner,
          repo: deps.github.repo,
          issueNumber: command.issueNumber,
          results,
          fillLabel: command.config.github.fill_label,
          budget: deps.github.budget,
          logger: deps.logger,
        }
      : undefined;
  if (command.cancelled) {
    if (onIssue) await reportCancelledFill({ ...onIssue, legs: legs.length });
    return outcome;
  }
  const { table } = tableForEndpoint(command.config, command.endpoint);
  const audit = await auditLake(
    { config: command.config, lake: command.lake, engine: 'scan', seasons: command.seasons, out: '' },
    deps,
  );
  const open = audit.gaps.filter((g) => g.kind === 'missing_children' && g.table === table);
  outcome.gapStillOpen = open.length > 0;
  outcome.remaining = open.reduce((a, g) => a + g.count, 0);
  if (onIssue)
    outcome.closed = (await finalizeFill({ ...onIssue, gapStillOpen: outcome.gapStillOpen })).closed;
  return outcome;
}

/** Every leg's result file under `dir` (any depth: artifacts download into one folder each). */
async function readResults(dir: string, logger: Logger): Promise<FillOutcome[]> {
  const files = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const out: FillOutcome[] = [];
  for (const f of files.filter((name) => name.endsWith('.json')).sort()) {
    try {
      const parsed = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as FillOutcome;
      if (typeof parsed.endpoint !== 'string' || typeof parsed.shard !== 'string')
        throw new Error('not a fill result');
      out.push(parsed);
    } catch (e) {
      logger.warn(`${path.join(dir, f)}: skipped (${errorMessage(e)})`);
    }
  }
  return out;
}
