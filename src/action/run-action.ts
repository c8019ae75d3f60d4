import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillCommand, type FillOutcome } from '../commands/fill.js';
import {
  checkFillTrigger,
  planFillRequest,
  type FillCheckOutcome,
  type FillRequestOutcome,
  type FillTrigger,
} from '../commands/fill-request.js';
import { finalizeCommand } from '../commands/finalize.js';
import { openGitHub } from '../commands/github-context.js';
import { nightlyAudit, type NightlyOutcome } from '../commands/nightly.js';
import type { Env } from '../commands/ports.js';
import { repairCommand } from '../commands/repair.js';
import { waitingText, type FillProgress } from '../fill/fill-run.js';
import type { Logger } from '../util/logger.js';
import type { ActionEvent } from './event.js';
import type { ActionSettings, ActionSettingsOf } from './inputs.js';
import {
  auditSummary,
  checkSummary,
  fillSummary,
  finalizeSummary,
  planSummary,
  repairSummary,
  type Summary,
} from './summary.js';

/** What a command leaves for the runner: outputs, a job summary, and a failure message when the step must fail. */
export interface ActionResult {
  outputs: Record<string, string>;
  summary: Summary;
  failure: string | undefined;
}

type Deps = { logger: Logger; env: Env; now: () => Date };
type CommandName = ActionSettings['command'];

/**
 * One command of the action: `run` calls the command, `result` maps its outcome to the step's outputs (exactly
 * the names in `outputs`, each one in action.yml), the job summary and whether the step fails.
 */
interface Handler<C extends CommandName, Outcome, Names extends string> {
  outputs: readonly Names[];
  run(settings: ActionSettingsOf<C>, event: ActionEvent, deps: Deps): Promise<Outcome>;
  result(outcome: Outcome): { outputs: Record<Names, string>; summary: Summary; failure: string | undefined };
}

function handler<C extends CommandName, Outcome, const Names extends string>(
  h: Handler<C, Outcome, Names>,
): Handler<C, Outcome, Names> {
  return h;
}

/** GitHub for the commands that write there, when the workflow gave a token. */
function github(settings: { githubToken: string | undefined; botLogin: string }, deps: Deps) {
  const { githubToken: token, botLogin } = settings;
  return token ? openGitHub(token, botLogin, deps.env, deps.logger) : undefined;
}

/** The nightly audit: the report through one pull request, one issue per gap. */
const audit = handler({
  outputs: ['gaps', 'new-gaps', 'closed-gaps', 'report-path', 'pr-number'],
  run: (settings: ActionSettingsOf<'audit'>, _event, deps): Promise<NightlyOutcome> => {
    const { config } = settings.loaded;
    return nightlyAudit(
      {
        config,
        lake: settings.lake,
        engine: settings.engine,
        seasons: settings.seasons,
        full: settings.full,
        out: config.github.report_path,
        reportMode: settings.reportMode,
        maxIssues: settings.maxIssues,
        branch: config.github.report_branch,
        gapLabel: config.github.gap_label,
      },
      { ...deps, github: github(settings, deps) },
    );
  },
  result: (nightly) => {
    const { gaps, diff } = nightly.result;
    return {
      outputs: {
        gaps: String(gaps.length),
        'new-gaps': String(diff ? diff.newGaps.length : gaps.length),
        'closed-gaps': String(diff?.closedGaps.length ?? 0),
        'report-path': nightly.files.markdown,
        'pr-number': nightly.report?.pr ? String(nightly.report.pr.number) : '',
      },
      summary: auditSummary(nightly),
      failure: undefined,
    };
  },
});

/** The check job of a fill (GitHub only, no AWS): may this `fill` label or dispatch start a fill, and of what. */
const check = handler({
  outputs: ['allowed', 'endpoint', 'seasons', 'issue-number'],
  run: (settings: ActionSettingsOf<'check'>, event, deps): Promise<FillCheckOutcome> =>
    checkFillTrigger(
      { config: settings.loaded.config, trigger: triggerOf(event, settings) },
      { ...deps, github: github(settings, deps) },
    ),
  result: (checked) => ({
    outputs: {
      allowed: String(checked.allowed),
      endpoint: checked.endpoint,
      seasons: checked.seasons,
      'issue-number': checked.issueNumber === undefined ? '' : String(checked.issueNumber),
    },
    summary: checkSummary(checked),
    failure: undefined,
  }),
});

function triggerOf(event: ActionEvent, settings: ActionSettingsOf<'check'>): FillTrigger {
  if (event.name !== 'issues')
    return { kind: 'dispatch', endpoint: settings.checkedEndpoint, seasons: settings.checkedSeasons };
  const { issueNumber, label, action, sender } = event;
  return { kind: 'label', issueNumber, label, action, sender };
}

/** The plan job of a fill: the matrix for the endpoint and seasons the check allowed. Lake only, no GitHub. */
const plan = handler({
  outputs: ['matrix', 'legs', 'max-parallel', 'endpoint', 'seasons'],
  run: (settings: ActionSettingsOf<'plan'>, _event, deps): Promise<FillRequestOutcome> =>
    planFillRequest(
      {
        config: settings.loaded.config,
        lake: settings.lake,
        checkpoints: settings.checkpoints,
        shards: settings.shards,
        maxParallel: settings.maxParallel,
        callShape: settings.callShape,
        endpoint: settings.checkedEndpoint,
        seasons: settings.checkedSeasons,
      },
      deps,
    ),
  result: (planned) => ({
    outputs: {
      matrix: JSON.stringify(planned.matrix),
      legs: String(planned.legs),
      'max-parallel': String(planned.maxParallel),
      endpoint: planned.endpoint,
      seasons: planned.seasons,
    },
    summary: planSummary(planned),
    failure: undefined,
  }),
});

/** One leg of the fill matrix; its result JSON is what finalize sums. */
const fill = handler({
  outputs: ['filled', 'empty', 'failed'],
  run: async (settings: ActionSettingsOf<'fill'>, _event, deps): Promise<FillOutcome> => {
    const { config } = settings.loaded;
    const outcome = await fillCommand(
      {
        config,
        lake: settings.lake,
        endpoint: settings.endpoint,
        seasons: settings.seasons,
        shard: settings.shard,
        checkpoints: settings.checkpoints,
        missingIdsFile: undefined,
        limit: undefined,
        dryRun: settings.dryRun,
        rate: settings.rate,
        concurrency: settings.concurrency,
        leaseSeconds: config.checkpoints.lease_seconds,
        engine: 'scan',
        callShape: settings.callShape,
      },
      { ...deps, onProgress: progressEvery(50, deps.logger) },
    );
    await mkdir(path.dirname(path.resolve(settings.resultPath)), { recursive: true });
    await writeFile(settings.resultPath, `${JSON.stringify(outcome, null, 2)}\n`);
    return outcome;
  },
  result: (outcome) => {
    const games = outcome.result;
    return {
      outputs: {
        filled: String(games?.done.length ?? 0),
        empty: String(games?.empty.length ?? 0),
        failed: String(games?.failed.length ?? 0),
      },
      summary: fillSummary(outcome),
      failure: games?.stoppedBy
        ? games.stopMessage
        : games && games.failed.length > 0
          ? `${games.failed.length} game(s) failed; the next fill retries them`
          : undefined,
    };
  },
});

/** After the matrix: the legs summed, a re-audit, the issue commented and closed when its gap is gone. */
const finalize = handler({
  outputs: ['filled', 'empty', 'failed'],
  run: (settings: ActionSettingsOf<'finalize'>, _event, deps) =>
    finalizeCommand(
      {
        config: settings.loaded.config,
        lake: settings.lake,
        endpoint: settings.endpoint,
        seasons: settings.seasons,
        issueNumber: settings.issueNumber,
        resultsDir: settings.resultsDir,
        cancelled: settings.cancelled,
      },
      { ...deps, github: github(settings, deps) },
    ),
  result: (totals) => ({
    outputs: { filled: String(totals.filled), empty: String(totals.empty), failed: String(totals.failed) },
    summary: finalizeSummary(totals),
    failure: undefined,
  }),
});

/** Catalog and layout repair; the step fails when a step of the repair did. */
const repair = handler({
  outputs: [],
  run: (settings: ActionSettingsOf<'repair'>, _event, deps) =>
    repairCommand(
      {
        config: settings.loaded.config,
        lake: settings.lake,
        apply: settings.apply,
        normalize: settings.normalize,
        confirmDelete: settings.confirmDelete,
      },
      deps,
    ),
  result: (report) => ({
    outputs: {},
    summary: repairSummary(report),
    failure: report.ok ? undefined : 'some repair steps failed',
  }),
});

/** The action's commands, one handler each. */
export const ACTION_HANDLERS = { audit, check, plan, fill, finalize, repair };

/** Runs the command the inputs name, with the event for the commands that need it. */
export async function runAction(
  settings: ActionSettings,
  event: ActionEvent,
  deps: Deps,
): Promise<ActionResult> {
  // The table is indexed by the settings' own command, so the handler takes exactly these settings.
  const chosen = ACTION_HANDLERS[settings.command] as unknown as Handler<CommandName, unknown, string>;
  return chosen.result(await chosen.run(settings as never, event, deps));
}

/** In a log, a progress line every `n` games (a live line is for terminals). */
function progressEvery(n: number, logger: Logger) {
  let last = 0;
  return (p: FillProgress) => {
    if (p.waiting) return logger.info(waitingText(p.waiting));
    const finished = p.done + p.empty + p.failed + p.skipped;
    if (finished - last >= n || finished === p.total) {
      last = finished;
      logger.info(
        `${finished}/${p.total} games: ${p.done} done, ${p.empty} empty, ${p.failed} failed, ${p.skipped} skipped`,
      );
    }
  };
}
