import { inScope, type AuditScope } from '../audit/scope.js';
import type { Gap } from '../audit/types.js';
import { renderIssue, type IssueBodyOptions, type IssueContent } from './issue-body.js';
import type { GapMarker } from './marker.js';

/** A gap issue the bot opened, as listed: only issues by the bot with a parseable marker get this far. */
export interface BotIssue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  marker: GapMarker;
}

/** The fields of an issue that need writing; empty when the issue already says what the gap says. */
export interface IssuePatch {
  title?: string;
  body?: string;
}

/**
 * What an issue needs: a patch of its text, and the bot's labels it lacks. Labels are only ever added (GitHub's
 * add-labels endpoint), never sent as a set on the issue's update, which GitHub applies by replacing the set: a
 * `fill` someone added after the listing would be undone.
 */
export interface IssueChange {
  patch: IssuePatch;
  addLabels: string[];
}

/** What a sync does, decided before any write: a pure function of the listed issues and the audit's gaps. */
export interface IssueSyncPlan {
  create: { gap: Gap; content: IssueContent }[];
  update: ({ issue: BotIssue; gap: Gap } & IssueChange)[];
  reopen: ({ issue: BotIssue; gap: Gap } & IssueChange)[];
  /** Open issues whose gap the audit no longer finds. */
  close: BotIssue[];
  /** Newer open issues of a key that already has an older open one (two runs raced). */
  duplicates: { issue: BotIssue; keep: BotIssue }[];
  /** Gaps whose latest issue a person closed as not planned: left closed. */
  declined: BotIssue[];
  unchanged: BotIssue[];
  /** Gaps over the cap of new issues per run; they get theirs on a later night. */
  deferred: Gap[];
}

/**
 * Matches issues to gaps by marker key (never by title). Per key the oldest open issue is the one kept; newer open
 * ones are duplicates. A gap without an open issue reopens its newest closed issue, unless a person closed that
 * one as not planned; a gap with no issue at all gets a new one, at most `maxNewIssues` a run.
 */
export function planIssueSync(
  issues: readonly BotIssue[],
  gaps: readonly Gap[],
  options: { maxNewIssues: number; body?: IssueBodyOptions; scope?: AuditScope | undefined },
): IssueSyncPlan {
  const plan: IssueSyncPlan = {
    create: [],
    update: [],
    reopen: [],
    close: [],
    duplicates: [],
    declined: [],
    unchanged: [],
    deferred: [],
  };
  const byKey = groupByKey(issues);
  const gapKeys = new Set(gaps.map((g) => g.key));
  for (const [key, { open }] of byKey) {
    const [keep, ...newer] = open;
    if (keep) plan.duplicates.push(...newer.map((issue) => ({ issue, keep })));
    // An issue outside the audit's seasons (or season-less, after a partial audit) is not the audit's to close.
    const mine = options.scope === undefined || inScope({ key }, options.scope);
    if (keep && mine && !gapKeys.has(key)) plan.close.push(keep);
  }
  const seen = new Set<string>();
  for (const gap of gaps) {
    if (seen.has(gap.key) || (options.scope && !inScope(gap, options.scope))) continue;
    seen.add(gap.key);
    const content = renderIssue(gap, options.body);
    const group = byKey.get(gap.key);
    const open = group?.open[0];
    const closed = group?.closed.at(-1);
    if (open) {
      const change = changeFor(open, content);
      if (isEmpty(change)) plan.unchanged.push(open);
      else plan.update.push({ issue: open, gap, ...change });
    } else if (closed?.stateReason === 'not_planned') plan.declined.push(closed);
    else if (closed) plan.reopen.push({ issue: closed, gap, ...changeFor(closed, content) });
    else if (plan.create.length < options.maxNewIssues) plan.create.push({ gap, content });
    else plan.deferred.push(gap);
  }
  return plan;
}

/** Open and closed issues per key, oldest first; issues closed as duplicates never come back. */
function groupByKey(issues: readonly BotIssue[]) {
  const byKey = new Map<string, { open: BotIssue[]; closed: BotIssue[] }>();
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    const group = byKey.get(issue.marker.key) ?? { open: [], closed: [] };
    if (issue.state === 'open') group.open.push(issue);
    else if (issue.stateReason !== 'duplicate') group.closed.push(issue);
    byKey.set(issue.marker.key, group);
  }
  return byKey;
}

/** The title and body when they differ, and the bot's labels the issue lacks (labels people added are not ours to touch). */
export function changeFor(issue: BotIssue, want: IssueContent): IssueChange {
  const patch: IssuePatch = {};
  if (issue.title !== want.title) patch.title = want.title;
  if (normalized(issue.body) !== normalized(want.body)) patch.body = want.body;
  const have = new Set(issue.labels.map((l) => l.toLowerCase()));
  return { patch, addLabels: want.labels.filter((l) => !have.has(l.toLowerCase())) };
}

/** Writes a change takes: one update for the text, one add-labels call. */
export function changeWrites(change: IssueChange): number {
  return (isPatchEmpty(change.patch) ? 0 : 1) + (change.addLabels.length > 0 ? 1 : 0);
}

/** Line endings and trailing space do not count as a difference: editors and GitHub's web form change them. */
function normalized(body: string): string {
  return body.replace(/\r\n/g, '\n').trimEnd();
}

function isPatchEmpty(patch: IssuePatch): boolean {
  return patch.title === undefined && patch.body === undefined;
}

function isEmpty(change: IssueChange): boolean {
  return isPatchEmpty(change.patch) && change.addLabels.length === 0;
}
