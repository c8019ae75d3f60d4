import { formatSeasonSpec } from '../config/seasons.js';
import type { Config } from '../config/schema.js';
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

/** The plan job's answer: the matrix for the fill legs, or why there is nothing to do. */
export interface FillRequestOutcome {
  legs: number;
  matrix: FillPlan['matrix'];
  maxParallel: number;
  endpoint: string;
  seasons: string;
  issueNumber: number | undefined;
  plans: FillPlan[];
  /** Why nothing was planned (not the fill label, refused, nothing missing). */
  skipped: string | undefined;
}

/**
 * Turns a trigger into a plan. A label plans only when `checkFillRequest` allows it — re-reading the issue, the
 * labeller's role (write, maintain or admin; triage may label but must not spend the quota), an issue the bot
 * opened for a fillable gap — and otherwise the refusal is commented once and the label removed. A dispatch
 * plans the endpoint and seasons it was given.
 */
export async function planFillRequest(
  command: {
    config: Config;
    lake: LakeLocation;
    checkpoints: string | undefined;
    shards: number;
    maxParallel: number;
    trigger: FillTrigger;
  },
  deps: { logger: Logger; env: Env; github: GitHubContext | undefined },
): Promise<FillRequestOutcome> {
  const { config } = command;
  const none = (skipped: string, issueNumber?: number): FillRequestOutcome => ({
    legs: 0,
    matrix: { include: [] },
    maxParallel: 1,
    endpoint: '',
    seasons: '',
    issueNumber,
    plans: [],
    skipped,
  });
  let endpoint: string;
  let seasons: number[];
  let issueNumber: number | undefined;
  const trigger = command.trigger;
  if (trigger.kind === 'label') {
    if (trigger.action !== 'labeled' || trigger.label !== config.github.fill_label) {
      return none(
        `not a \`${config.github.fill_label}\` label (${trigger.action} ${trigger.label ?? 'no label'})`,
        trigger.issueNumber,
      );
    }
    if (!deps.github) throw new UsageError('input github-token: required to plan from a label');
    const check = await checkFillRequest({
      octokit: deps.github.octokit,
      owner: deps.github.owner,
      repo: deps.github.repo,
      issueNumber: trigger.issueNumber,
      labeler: trigger.sender,
      botLogin: deps.github.botLogin,
      gapLabel: config.github.gap_label,
      fillLabel: config.github.fill_label,
      logger: deps.logger,
    });
    if (!check.allowed) return none(`refused: ${check.message}`, trigger.issueNumber);
    endpoint = check.gap.endpoint;
    seasons = [check.gap.season];
    issueNumber = trigger.issueNumber;
  } else {
    if (!trigger.endpoint) throw new UsageError('input endpoint: required for a dispatched fill');
    if (!trigger.seasons) throw new UsageError('input seasons: required for a dispatched fill');
    endpoint = trigger.endpoint;
    seasons = trigger.seasons;
  }
  const plans = await planCommand(
    {
      config,
      lake: command.lake,
      endpoints: [endpoint],
      seasons,
      shards: command.shards,
      maxParallel: command.maxParallel,
      checkpoints: command.checkpoints,
      quotaRemaining: undefined,
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
    issueNumber,
    plans,
    skipped: matrix.include.length === 0 ? 'no missing game to fetch' : undefined,
  };
}
