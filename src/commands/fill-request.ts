import { formatSeasonSpec } from '../config/seasons.js';
import type { Config } from '../config/schema.js';
import type { CallShape } from '../fill/call-plan.js';
import type { FillPlan } from '../fill/plan.js';
import { checkFillRequest } from '../github/fill-label.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { GitHubContext } from './github-context.js';
import { combinedMatrix, planCommand } from './plan.js';
import type { Env } from './ports.js';

/** What started a fill: a `fill` label on an issue, or a dispatch with an endpoint and seasons. */
export type FillTrigger =
  | { kind: 'label'; issueNumber: number; label: string | undefined; action: string; sender: string }
  | { kind: 'dispatch'; endpoint: string | undefined; seasons: number[] | undefined };

/** The check job's answer: whether a fill may start, and what it fills. */
export interface FillCheckOutcome {
  allowed: boolean;
  endpoint: string;
  seasons: string;
  issueNumber: number | undefined;
  /** Why nothing may start (not the fill label, refused). */
  skipped: string | undefined;
}

/**
 * Decides whether a trigger may start a fill, with GitHub alone: no lake, no AWS, so fill.yml runs it in a job
 * without `id-token` before anything can touch the lake. A label is allowed only when `checkFillRequest` allows it
 * — re-reading the issue, the labeller's login and role (write, maintain or admin; triage may label but must not
 * spend the quota), an issue the bot opened for a fillable gap — and otherwise the refusal is commented once and
 * the label removed. A dispatch is allowed with the endpoint and seasons it was given, already validated.
 */
export async function checkFillTrigger(
  command: { config: Config; trigger: FillTrigger },
  deps: { logger: Logger; github: GitHubContext | undefined },
): Promise<FillCheckOutcome> {
  const { config, trigger } = command;
  const refused = (skipped: string, issueNumber?: number): FillCheckOutcome => ({
    allowed: false,
    endpoint: '',
    seasons: '',
    issueNumber,
    skipped,
  });
  if (trigger.kind === 'dispatch') {
    if (!trigger.endpoint) throw new UsageError('input endpoint: required for a dispatched fill');
    if (!trigger.seasons) throw new UsageError('input seasons: required for a dispatched fill');
    return {
      allowed: true,
      endpoint: trigger.endpoint,
      seasons: formatSeasonSpec(trigger.seasons),
      issueNumber: undefined,
      skipped: undefined,
    };
  }
  const fillLabel = config.github.fill_label;
  if (trigger.action !== 'labeled' || trigger.label !== fillLabel)
    return refused(
      `not a \`${fillLabel}\` label (${trigger.action} ${trigger.label ?? 'no label'})`,
      trigger.issueNumber,
    );
  if (!deps.github) throw new UsageError('input github-token: required to check a fill label');
  const check = await checkFillRequest({
    octokit: deps.github.octokit,
    owner: deps.github.owner,
    repo: deps.github.repo,
    issueNumber: trigger.issueNumber,
    labeler: trigger.sender,
    botLogin: deps.github.botLogin,
    gapLabel: config.github.gap_label,
    fillLabel,
    budget: deps.github.budget,
    logger: deps.logger,
  });
  if (!check.allowed) return refused(`refused: ${check.message}`, trigger.issueNumber);
  return {
    allowed: true,
    endpoint: check.gap.endpoint,
    seasons: formatSeasonSpec([check.gap.season]),
    issueNumber: trigger.issueNumber,
    skipped: undefined,
  };
}

/** The plan job's answer: the matrix for the fill legs, or why there is nothing to do. */
export interface FillRequestOutcome {
  legs: number;
  matrix: FillPlan['matrix'];
  maxParallel: number;
  endpoint: string;
  seasons: string;
  plans: FillPlan[];
  /** Why nothing was planned (nothing missing). */
  skipped: string | undefined;
}

/**
 * Plans the fill the check allowed (its `endpoint` and `seasons` outputs) or a dispatch names: the matrix of season
 * shards within the API's rate and quota. Reads the lake and the checkpoints; touches nothing on GitHub.
 */
export async function planFillRequest(
  command: {
    config: Config;
    lake: LakeLocation;
    checkpoints: string | undefined;
    shards: number;
    maxParallel: number;
    callShape: CallShape;
    endpoint: string | undefined;
    seasons: number[] | undefined;
  },
  deps: { logger: Logger; env: Env },
): Promise<FillRequestOutcome> {
  const { endpoint, seasons } = command;
  if (!endpoint)
    throw new UsageError('input endpoint: required to plan (fill.yml passes the check job’s output)');
  if (!seasons)
    throw new UsageError('input seasons: required to plan (fill.yml passes the check job’s output)');
  const plans = await planCommand(
    {
      config: command.config,
      lake: command.lake,
      endpoints: [endpoint],
      seasons,
      shards: command.shards,
      maxParallel: command.maxParallel,
      checkpoints: command.checkpoints,
      quotaRemaining: undefined,
      callShape: command.callShape,
    },
    deps,
  );
  const matrix = combinedMatrix(plans);
  return {
    legs: matrix.include.length,
    matrix,
    maxParallel: Math.max(1, ...plans.map((p) => p.maxParallel)),
    endpoint,
    seasons: formatSeasonSpec(seasons),
    plans,
    skipped: matrix.include.length === 0 ? 'no missing game to fetch' : undefined,
  };
}
