import path from 'node:path';
import type { AuditResult } from '../audit/types.js';
import { syncGapIssues, type SyncGapIssuesResult } from '../github/issue-sync.js';
import { publishReport, readPublishedAudit, type PublishReportResult } from '../github/report-pr.js';
import type { Logger } from '../util/logger.js';
import { auditLake, reportContents, writeReport, type AuditCommand, type ReportFiles } from './audit.js';
import type { GitHubContext } from './github-context.js';
import type { Env } from './ports.js';

/** What the nightly run did. */
export interface NightlyOutcome {
  result: AuditResult;
  files: ReportFiles;
  issues: SyncGapIssuesResult | undefined;
  report: PublishReportResult | undefined;
}

/**
 * The nightly job: audit against the last published report, bring the gap issues in line (created at most
 * `maxIssues` a night, the rest deferred and said so in the report), write `reports/`, and publish it as one pull
 * request (or a commit) — writing nothing on GitHub when nothing but the timestamp changed.
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
  const jsonPath = path.posix.join(command.out, 'data_audit.json');
  const previousJson = github
    ? await readPublishedAudit({
        ...github,
        mode: command.reportMode === 'commit' ? 'commit' : 'pr',
        branch: command.branch,
        path: jsonPath,
      })
    : undefined;
  const result = await auditLake(command, { ...deps, previousJson });
  const issues = github
    ? await syncGapIssues({
        octokit: github.octokit,
        owner: github.owner,
        repo: github.repo,
        gaps: result.gaps,
        auditLabel: command.gapLabel,
        botLogin: github.botLogin,
        maxNewIssues: command.maxIssues,
        auditRef: { generatedAt: result.generatedAt, ...(github.runUrl ? { runUrl: github.runUrl } : {}) },
        logger,
      })
    : undefined;
  const contents = reportContents(result, { deferredIssues: issues?.deferred.length ?? 0 });
  const files = await writeReport(contents, command.out);
  const report =
    github && command.reportMode !== 'none'
      ? await publishReport({
          octokit: github.octokit,
          owner: github.owner,
          repo: github.repo,
          files: Object.fromEntries(
            Object.entries(contents).map(([name, text]) => [path.posix.join(command.out, name), text]),
          ),
          mode: command.reportMode,
          branch: command.branch,
          previous: previousJson,
          current: result,
          logger,
        })
      : undefined;
  return { result, files, issues, report };
}
