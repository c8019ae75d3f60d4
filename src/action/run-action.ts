import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillCommand } from '../commands/fill.js';
import { checkFillTrigger, planFillRequest } from '../commands/fill-request.js';
import { finalizeCommand } from '../commands/finalize.js';
import { openGitHub } from '../commands/github-context.js';
import { nightlyAudit } from '../commands/nightly.js';
import type { Env } from '../commands/ports.js';
import { repairCommand } from '../commands/repair.js';
import type { Logger } from '../util/logger.js';
import type { ActionEvent } from './event.js';
import type { ActionSettings, GitHubSettings } from './inputs.js';
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

/** Runs the command the inputs name, with the event for the commands that need it. */
export async function runAction(
  settings: ActionSettings,
  event: ActionEvent,
  deps: Deps,
): Promise<ActionResult> {
  const config = settings.loaded.config;
  const github = (s: GitHubSettings | undefined) =>
    s ? openGitHub(s.token, s.botLogin, deps.env, deps.logger) : undefined;
  switch (settings.command) {
    case 'audit': {
      const n = await nightlyAudit(
        {
          config,
          lake: settings.lake,
          engine: settings.engine,
          seasons: settings.seasons,
          out: config.github.report_path,
          reportMode: settings.reportMode,
          maxIssues: settings.maxIssues,
          branch: config.github.report_branch,
          gapLabel: config.github.gap_label,
        },
        { ...deps, github: github(settings.github) },
      );
      const diff = n.result.diff;
      return {
        outputs: {
          gaps: String(n.result.gaps.length),
          'new-gaps': String(diff ? diff.newGaps.length : n.result.gaps.length),
          'closed-gaps': String(diff?.closedGaps.length ?? 0),
          'report-path': n.files.markdown,
          'pr-number': n.report?.pr ? String(n.report.pr.number) : '',
        },
        summary: auditSummary(n),
        failure: undefined,
      };
    }
    case 'check': {
      const trigger =
        event.name === 'issues'
          ? {
              kind: 'label' as const,
              issueNumber: event.issueNumber,
              label: event.label,
              action: event.action,
              sender: event.sender,
            }
          : { kind: 'dispatch' as const, endpoint: settings.endpoint, seasons: settings.seasons };
      const c = await checkFillTrigger({ config, trigger }, { ...deps, github: github(settings.github) });
      return {
        outputs: {
          allowed: String(c.allowed),
          endpoint: c.endpoint,
          seasons: c.seasons,
          'issue-number': c.issueNumber === undefined ? '' : String(c.issueNumber),
        },
        summary: checkSummary(c),
        failure: undefined,
      };
    }
    case 'plan': {
      const p = await planFillRequest(
        {
          config,
          lake: settings.lake,
          checkpoints: settings.checkpoints,
          shards: settings.shards,
          maxParallel: settings.maxParallel,
          endpoint: settings.endpoint,
          seasons: settings.seasons,
        },
        deps,
      );
      return {
        outputs: {
          matrix: JSON.stringify(p.matrix),
          legs: String(p.legs),
          'max-parallel': String(p.maxParallel),
          endpoint: p.endpoint,
          seasons: p.seasons,
        },
        summary: planSummary(p),
        failure: undefined,
      };
    }
    case 'fill': {
      const o = await fillCommand(
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
        },
        { ...deps, onProgress: progressEvery(50, deps.logger) },
      );
      await mkdir(path.dirname(path.resolve(settings.resultPath)), { recursive: true });
      await writeFile(settings.resultPath, `${JSON.stringify(o, null, 2)}\n`);
      const r = o.result;
      return {
        outputs: {
          filled: String(r?.done.length ?? 0),
          empty: String(r?.empty.length ?? 0),
          failed: String(r?.failed.length ?? 0),
        },
        summary: fillSummary(o),
        failure: r?.stoppedBy
          ? r.stopMessage
          : r && r.failed.length > 0
            ? `${r.failed.length} game(s) failed; the next fill retries them`
            : undefined,
      };
    }
    case 'finalize': {
      const f = await finalizeCommand(
        {
          config,
          lake: settings.lake,
          endpoint: settings.endpoint,
          seasons: settings.seasons,
          issueNumber: settings.issueNumber,
          resultsDir: settings.resultsDir,
          cancelled: settings.cancelled,
        },
        { ...deps, github: github(settings.github) },
      );
      return {
        outputs: { filled: String(f.filled), empty: String(f.empty), failed: String(f.failed) },
        summary: finalizeSummary(f),
        failure: undefined,
      };
    }
    case 'repair': {
      const r = await repairCommand(
        {
          config,
          lake: settings.lake,
          apply: settings.apply,
          normalize: settings.normalize,
          confirmDelete: settings.confirmDelete,
        },
        deps,
      );
      return {
        outputs: {},
        summary: repairSummary(r),
        failure: r.ok ? undefined : 'some repair steps failed',
      };
    }
  }
}

/** In a log, a progress line every `n` games (a live line is for terminals). */
function progressEvery(n: number, logger: Logger) {
  let last = 0;
  return (p: { done: number; empty: number; failed: number; skipped: number; total: number }) => {
    const finished = p.done + p.empty + p.failed + p.skipped;
    if (finished - last >= n || finished === p.total) {
      last = finished;
      logger.info(
        `${finished}/${p.total} games: ${p.done} done, ${p.empty} empty, ${p.failed} failed, ${p.skipped} skipped`,
      );
    }
  };
}
