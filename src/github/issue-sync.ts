import type { Octokit } from '@octokit/rest';
import type { Gap } from '../audit/types.js';
import type { Logger } from '../util/logger.js';
import { gapSummary, type IssueBodyOptions, type IssueContent } from './issue-body.js';
import { planIssueSync, type BotIssue, type IssuePatch, type IssueSyncPlan } from './issue-plan.js';
import { labelName } from './http-status.js';
import { parseMarker } from './marker.js';

/** An issue the sync touched. */
export interface IssueRef {
  number: number;
  key: string;
  url: string;
}

export interface SyncGapIssuesOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  gaps: readonly Gap[];
  /** The bot-owned label every gap issue carries. Default `data-gap`. */
  auditLabel?: string;
  /** The login the token acts as (`github-actions[bot]` for a workflow's token): only its issues are touched. */
  botLogin: string;
  maxNewIssues: number;
  /** The audit these gaps come from, named in close and reopen comments. */
  auditRef: { generatedAt: string; runUrl?: string };
  logger: Logger;
  body?: Omit<IssueBodyOptions, 'auditLabel'>;
}

export interface SyncGapIssuesResult {
  created: IssueRef[];
  updated: IssueRef[];
  closed: IssueRef[];
  reopened: IssueRef[];
  duplicatesClosed: IssueRef[];
  /** Gaps whose issue a person closed as not planned; left closed. */
  declined: IssueRef[];
  unchanged: number;
  /** Gaps over the per-run cap of new issues, for the next night. */
  deferred: Gap[];
  /** Write calls made; 0 on a night when nothing changed. */
  writes: number;
}

/**
 * Brings the gap issues in line with the audit: one issue per gap, found by listing the audit label once and
 * matching marker keys (never titles). Only issues the bot opened that carry a parseable marker are considered:
 * an issue without the marker, or a person's look-alike with a copied marker, is never touched; neither is an issue
 * whose audit label someone removed, which the listing no longer returns. Writes only what differs.
 */
export async function syncGapIssues(options: SyncGapIssuesOptions): Promise<SyncGapIssuesResult> {
  const auditLabel = options.auditLabel ?? 'data-gap';
  const issues = await listBotIssues(options, auditLabel);
  const plan = planIssueSync(issues, options.gaps, {
    maxNewIssues: options.maxNewIssues,
    body: { ...options.body, auditLabel },
  });
  const result = await applyPlan(options, plan);
  options.logger.info(
    `gap issues: ${result.created.length} created, ${result.updated.length} updated, ${result.closed.length} closed, ` +
      `${result.reopened.length} reopened, ${result.duplicatesClosed.length} duplicates closed, ` +
      `${result.unchanged} unchanged, ${result.deferred.length} deferred (cap ${options.maxNewIssues} new a run); ` +
      `${result.writes} writes`,
  );
  return result;
}

/** Lists the label once (all states, every page), keeping the bot's own issues that carry a marker. */
async function listBotIssues(o: SyncGapIssuesOptions, label: string): Promise<BotIssue[]> {
  const { octokit, owner, repo, logger } = o;
  const bot = o.botLogin.toLowerCase();
  const issues: BotIssue[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    labels: label,
    state: 'all',
    per_page: 100,
  });
  for await (const page of pages) {
    for (const item of page.data) {
      // GitHub's issues list includes pull requests.
      if (item.pull_request) continue;
      const marker = parseMarker(item.body);
      if (!marker) continue;
      if (item.user?.login.toLowerCase() !== bot) {
        logger.debug(
          `#${item.number} carries a gap marker but ${item.user?.login ?? 'nobody'} opened it: left alone`,
        );
        continue;
      }
      issues.push({
        number: item.number,
        url: item.html_url,
        title: item.title,
        body: item.body ?? '',
        state: item.state === 'closed' ? 'closed' : 'open',
        stateReason: item.state_reason ?? null,
        labels: item.labels.map(labelName),
        marker,
      });
    }
  }
  return issues;
}

type StateChange = { state?: 'open' | 'closed'; state_reason?: 'completed' | 'duplicate' };

/** The three writes a sync makes, counted as they are sent. */
function issueWriter({ octokit, owner, repo }: SyncGapIssuesOptions) {
  let writes = 0;
  return {
    writes: () => writes,
    async patch(number: number, fields: IssuePatch & StateChange): Promise<void> {
      writes++;
      await octokit.rest.issues.update({ owner, repo, issue_number: number, ...fields });
    },
    async comment(number: number, body: string): Promise<void> {
      writes++;
      await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
    },
    async create(content: IssueContent): Promise<{ number: number; url: string }> {
      writes++;
      const { data } = await octokit.rest.issues.create({ owner, repo, ...content });
      return { number: data.number, url: data.html_url };
    },
  };
}

async function applyPlan(o: SyncGapIssuesOptions, plan: IssueSyncPlan): Promise<SyncGapIssuesResult> {
  const write = issueWriter(o);
  const audit = `The audit of ${o.auditRef.generatedAt}${o.auditRef.runUrl ? ` ([run](${o.auditRef.runUrl}))` : ''}`;
  // The state changes before the comment: should the comment fail, the next night does not comment twice.
  for (const { issue, keep } of plan.duplicates) {
    await write.patch(issue.number, { state: 'closed', state_reason: 'duplicate' });
    await write.comment(
      issue.number,
      `Duplicate of #${keep.number}, which tracks the same gap (\`${issue.marker.key}\`); two runs opened one each.`,
    );
  }
  for (const issue of plan.close) {
    await write.patch(issue.number, { state: 'closed', state_reason: 'completed' });
    await write.comment(
      issue.number,
      `${audit} no longer finds this gap: closing. It reopens if the gap comes back.`,
    );
  }
  for (const { issue, gap, patch } of plan.reopen) {
    await write.patch(issue.number, { ...patch, state: 'open' });
    await write.comment(issue.number, `${audit} finds this gap again (${gapSummary(gap)}): reopening.`);
  }
  for (const { issue, patch } of plan.update) await write.patch(issue.number, patch);
  const created: IssueRef[] = [];
  for (const { gap, content } of plan.create)
    created.push({ ...(await write.create(content)), key: gap.key });
  const ref = (i: BotIssue): IssueRef => ({ number: i.number, key: i.marker.key, url: i.url });
  return {
    created,
    updated: plan.update.map((u) => ref(u.issue)),
    closed: plan.close.map(ref),
    reopened: plan.reopen.map((r) => ref(r.issue)),
    duplicatesClosed: plan.duplicates.map((d) => ref(d.issue)),
    declined: plan.declined.map(ref),
    unchanged: plan.unchanged.length,
    deferred: plan.deferred,
    writes: write.writes(),
  };
}
