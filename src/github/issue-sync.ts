import type { AuditScope } from '../audit/scope.js';
import type { Octokit } from '@octokit/rest';
import type { Gap } from '../audit/types.js';
import type { Logger } from '../util/logger.js';
import { gapSummary, type IssueBodyOptions, type IssueContent } from './issue-body.js';
import {
  changeWrites,
  planIssueSync,
  type BotIssue,
  type IssueChange,
  type IssuePatch,
  type IssueSyncPlan,
} from './issue-plan.js';
import { labelName } from './http-status.js';
import { parseMarker } from './marker.js';
import type { DeferredWork, WriteBudget, WriteKind } from './write-budget.js';

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
  /** Charged for every write; a unit of work that does not fit whole waits for the next night. */
  budget: WriteBudget;
  logger: Logger;
  body?: Omit<IssueBodyOptions, 'auditLabel'>;
  /** What the audit looked at: issues of gaps outside it are neither created nor closed. */
  scope?: AuditScope | undefined;
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
  /** Gaps left without a new issue (over the per-run cap, or over the write budget), for the next night. */
  deferred: Gap[];
  /** Units of work left for the next night: creates (cap and budget), and updates, closes, reopens, duplicates. */
  deferredWork: Partial<Record<DeferredWork, number>>;
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
    scope: options.scope,
  });
  const result = await applyPlan(options, plan);
  options.logger.info(
    `gap issues: ${result.created.length} created, ${result.updated.length} updated, ${result.closed.length} closed, ` +
      `${result.reopened.length} reopened, ${result.duplicatesClosed.length} duplicates closed, ` +
      `${result.unchanged} unchanged; deferred to the next night: ${describeDeferred(result.deferredWork)} ` +
      `(cap ${options.maxNewIssues} new a run); ${result.writes} writes`,
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

/** `2 close, 1 update`, or `none`. */
function describeDeferred(work: Partial<Record<DeferredWork, number>>): string {
  const parts = Object.entries(work).map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The writes a sync makes, each charged to the budget before it is sent and counted. */
function issueWriter({ octokit, owner, repo, budget }: SyncGapIssuesOptions) {
  let writes = 0;
  const charge = (kind: WriteKind) => {
    budget.consume(kind);
    writes++;
  };
  return {
    writes: () => writes,
    async patch(kind: WriteKind, number: number, fields: IssuePatch & StateChange): Promise<void> {
      charge(kind);
      await octokit.rest.issues.update({ owner, repo, issue_number: number, ...fields });
    },
    /** Adds labels without touching the others: GitHub replaces the whole set when labels ride on an update. */
    async addLabels(number: number, labels: string[]): Promise<void> {
      if (labels.length === 0) return;
      charge('label');
      await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels });
    },
    async comment(number: number, body: string): Promise<void> {
      charge('comment');
      await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
    },
    async create(content: IssueContent): Promise<{ number: number; url: string }> {
      charge('issue-create');
      const { data } = await octokit.rest.issues.create({ owner, repo, ...content });
      return { number: data.number, url: data.html_url };
    },
  };
}

const patchOrNothing = (patch: IssuePatch) =>
  patch.title === undefined && patch.body === undefined ? undefined : patch;

/**
 * Carries out the plan in its order (duplicates, closes, reopens, updates, creates), each unit only when the
 * budget fits all of its writes; the units that do not fit are counted and left for the next night.
 */
async function applyPlan(o: SyncGapIssuesOptions, plan: IssueSyncPlan): Promise<SyncGapIssuesResult> {
  const write = issueWriter(o);
  const deferredWork: Partial<Record<DeferredWork, number>> = {};
  /** Whether a unit of `cost` writes fits; a unit that does not is counted as deferred. */
  const fits = (work: DeferredWork, cost: number) => {
    if (o.budget.canAfford(cost)) return true;
    deferredWork[work] = (deferredWork[work] ?? 0) + 1;
    o.budget.defer(work);
    return false;
  };
  const audit = `The audit of ${o.auditRef.generatedAt}${o.auditRef.runUrl ? ` ([run](${o.auditRef.runUrl}))` : ''}`;
  const done = {
    duplicates: [] as BotIssue[],
    close: [] as BotIssue[],
    reopen: [] as BotIssue[],
    update: [] as BotIssue[],
  };
  // The state changes before the comment: should the comment fail, the next night does not comment twice.
  for (const { issue, keep } of plan.duplicates) {
    if (!fits('duplicate', 2)) continue;
    await write.patch('issue-close', issue.number, { state: 'closed', state_reason: 'duplicate' });
    await write.comment(
      issue.number,
      `Duplicate of #${keep.number}, which tracks the same gap (\`${issue.marker.key}\`); two runs opened one each.`,
    );
    done.duplicates.push(issue);
  }
  for (const issue of plan.close) {
    if (!fits('close', 2)) continue;
    await write.patch('issue-close', issue.number, { state: 'closed', state_reason: 'completed' });
    await write.comment(
      issue.number,
      `${audit} no longer finds this gap: closing. It reopens if the gap comes back.`,
    );
    done.close.push(issue);
  }
  for (const { issue, gap, patch, addLabels } of plan.reopen) {
    if (!fits('reopen', 2 + (addLabels.length > 0 ? 1 : 0))) continue;
    await write.patch('issue-reopen', issue.number, { ...patch, state: 'open' });
    await write.addLabels(issue.number, addLabels);
    await write.comment(issue.number, `${audit} finds this gap again (${gapSummary(gap)}): reopening.`);
    done.reopen.push(issue);
  }
  for (const change of plan.update) {
    if (!fits('update', changeWrites(change))) continue;
    await applyChange(write, change.issue.number, change);
    done.update.push(change.issue);
  }
  const created: IssueRef[] = [];
  const deferred = [...plan.deferred];
  if (plan.deferred.length > 0) deferredWork.create = plan.deferred.length;
  for (const { gap, content } of plan.create) {
    if (!fits('create', 1)) {
      deferred.push(gap);
      continue;
    }
    created.push({ ...(await write.create(content)), key: gap.key });
  }
  const ref = (i: BotIssue): IssueRef => ({ number: i.number, key: i.marker.key, url: i.url });
  return {
    created,
    updated: done.update.map(ref),
    closed: done.close.map(ref),
    reopened: done.reopen.map(ref),
    duplicatesClosed: done.duplicates.map(ref),
    declined: plan.declined.map(ref),
    unchanged: plan.unchanged.length,
    deferred,
    deferredWork,
    writes: write.writes(),
  };
}

async function applyChange(
  write: ReturnType<typeof issueWriter>,
  number: number,
  { patch, addLabels }: IssueChange,
): Promise<void> {
  const fields = patchOrNothing(patch);
  if (fields) await write.patch('issue-update', number, fields);
  await write.addLabels(number, addLabels);
}
