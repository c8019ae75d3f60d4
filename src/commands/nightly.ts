import path from 'node:path';
import type { AuditResult } from '../audit/types.js';
import { syncGapIssues, type SyncGapIssuesResult } from '../github/issue-sync.js';
import {
  publishReport,
  readPublishedAudit,
  reportWrites,
  type PublishReportResult,
} from '../github/report-pr.js';
import type { Logger } from '../util/logger.js';
import { stepProgressReporter } from '../util/progress.js';
import {
  auditLake,
  reportContents,
  requireWritableOut,
  writeReport,
  type AuditCommand,
  type ReportFiles,
} from './audit.js';
import type { GitHubContext } from './github-context.js';
import type { Env } from './ports.js';

/** What the nightly run did. */
export interface NightlyOutcome {
  result: AuditResult;
  files: ReportFiles;
  issues: SyncGapIssuesResult | undefined;
  report: PublishReportResult | undefined;
  /** The run's GitHub writes: made, by kind, and deferred to the next night. */
  budget: GitHubContext['budget'] | undefined;
}

/**
 * The nightly job: audit against the last published report, bring the gap issues in line (created at most
 * `maxIssues` a night, the rest deferred and said so in the report), write `reports/`, and publish it as one pull
 * request (or a commit) — writing nothing on GitHub when nothing but the timestamp changed. All of it shares the
 * run's write budget; the report's writes are held back from the issue sync, so a night of many issue changes
 * still publishes its report.
 */
export async function nightlyAudit(
  command: AuditCommand & {
    reportMode: 'pr' | 'commit' | 'none';
    maxIssues: number;
    branch: string;
    gapLabel: string;
  },
  deps: { logger: Logger; env: Env; now: () => Date; github: GitHubContext | undefined },
): Promise<NightlyOutcome> {
  const { github, logger } = deps;
  await requireWritableOut(command.out);
  const jsonPath = path.posix.join(command.out, 'data_audit.json');
  const published = github
    ? await readPublishedAudit({
        ...github,
        mode: command.reportMode === 'commit' ? 'commit' : 'pr',
        branch: command.branch,
        path: jsonPath,
      })
    : undefined;
  // The runner's log is no terminal: a progress line every ~10 s while the lake is read.
  const reading = stepProgressReporter(
    (t) => logger.info(t.trimEnd()),
    false,
    () => deps.now().getTime(),
  );
  const progress = (p: { read: number; total: number }) => reading(p.read, p.total);
  const result = await auditLake(command, { ...deps, progress, previousJson: published?.text });
  const mode = command.reportMode === 'none' ? undefined : command.reportMode;
  const release =
    github && mode
      ? github.budget.reserve(reportWrites(Object.keys(reportContents(result)).length))
      : () => undefined;
  const issues = github
    ? await syncGapIssues({
        octokit: github.octokit,
        owner: github.owner,
        repo: github.repo,
        gaps: result.gaps,
        auditLabel: command.gapLabel,
        botLogin: github.botLogin,
        maxNewIssues: command.maxIssues,
        scope: result.scope,
        auditRef: { generatedAt: result.generatedAt, ...(github.runUrl ? { runUrl: github.runUrl } : {}) },
        budget: github.budget,
        logger,
      })
    : undefined;
  release();
  const contents = reportContents(result, { deferredIssues: issues?.deferred.length ?? 0 });
  const files = await writeReport(contents, command.out);
  const report =
    github && mode
      ? await publishReport({
          octokit: github.octokit,
          owner: github.owner,
          repo: github.repo,
          files: Object.fromEntries(
            Object.entries(contents).map(([name, text]) => [path.posix.join(command.out, name), text]),
          ),
          mode,
          branch: command.branch,
          previous: published,
          current: result,
          budget: github.budget,
          logger,
        })
      : undefined;
  return { result, files, issues, report, budget: github?.budget };
}
