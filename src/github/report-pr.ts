import type { Octokit } from '@octokit/rest';
import type { AuditResult } from '../audit/types.js';
import { diffAudits, onlyTimestampChanged, parsePreviousAudit } from '../report/diff.js';
import type { Logger } from '../util/logger.js';
import { commitFiles, commitWrites } from './git-commit.js';
import { statusOf, unless404 } from './http-status.js';
import { reportPullBody, reportPullTitle } from './report-text.js';
import type { WriteBudget } from './write-budget.js';

/** The last published `data_audit.json` and where it was found: the bot's branch or the default branch. */
export interface PublishedAudit {
  text: string;
  on: 'branch' | 'base';
}

export interface PublishReportOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Path → UTF-8 text: `reports/data_audit.md`, `reports/data_audit.json`, `reports/coverage.svg`. */
  files: Record<string, string>;
  /** `pr`: a commit on `branch` and one pull request; `commit`: a commit straight onto the default branch. */
  mode: 'pr' | 'commit';
  /** Default `cbbd-gap-bot/audit`. */
  branch?: string;
  /**
   * The last published report as `readPublishedAudit` found it (`undefined`: none was published). When the key is
   * absent it is read here, from the branch and then the default branch.
   */
  previous?: PublishedAudit | undefined;
  current: AuditResult;
  /** Charged for every write; a report that does not fit is deferred to the next run whole. */
  budget: WriteBudget;
  logger: Logger;
}

export interface PublishReportResult {
  changed: boolean;
  commitSha?: string;
  pr?: { number: number; url: string };
  /** The write budget could not fit the report: nothing was written, the next run publishes it. */
  deferred?: boolean;
}

type Repo = Pick<PublishReportOptions, 'octokit' | 'owner' | 'repo'>;

/** Most writes `publishReport` makes for `fileCount` files: the commit's, the branch's ref, the pull request's. */
export const reportWrites = (fileCount: number): number => commitWrites(fileCount) + 2;

/**
 * Publishes the report. Nothing is written when the report is already where reviewers see it: on the default
 * branch, or on the bot's branch with an open pull request for it. A report on the branch without one (an earlier
 * night's create was refused or failed after the push) gets its pull request now. Otherwise the files are committed
 * on top of the default branch's tip and either the bot's branch is pointed at that commit (force: it is rebuilt
 * each time, so it never diverges) with one pull request opened or updated, or the default branch fast-forwarded.
 */
export async function publishReport(o: PublishReportOptions): Promise<PublishReportResult> {
  const branch = o.branch ?? 'cbbd-gap-bot/audit';
  const paths = reportPaths(o.files);
  const published =
    'previous' in o ? o.previous : await readPublishedAudit({ ...o, branch, path: paths.json });
  const previous = parsePreviousAudit(published?.text);
  if (previous && onlyTimestampChanged(previous, o.current)) {
    if (o.mode === 'commit' || published?.on === 'base') return unchanged(o, previous);
    return ensurePull(o, branch, paths);
  }
  if (!o.budget.canAfford(reportWrites(Object.keys(o.files).length))) return deferReport(o);
  const { data: repository } = await o.octokit.rest.repos.get({ owner: o.owner, repo: o.repo });
  const base = repository.default_branch;
  const message = `Data audit ${o.current.generatedAt}: ${o.current.gaps.length} gaps`;
  if (o.mode === 'commit') {
    const commitSha = await commitToBranch(o, base, message);
    if (!commitSha) return { changed: false };
    o.logger.info(`report committed to ${base}: ${commitSha}`);
    return { changed: true, commitSha };
  }
  const tip = await branchTip(o, base);
  const commit = await commitFiles({ ...o, parent: tip, files: o.files, message });
  if (!commit) {
    o.logger.info(`the report on ${base} is already current: nothing to publish`);
    return { changed: false };
  }
  await pointBranch(o, branch, commit.sha);
  const diff = o.current.diff ?? (previous ? diffAudits(previous, o.current) : undefined);
  const pr = await upsertPull(o, branch, base, pullText(o, repository.html_url, branch, paths, diff));
  o.logger.info(`report committed to ${branch} (${commit.sha}); pull request #${pr.number}`);
  return { changed: true, commitSha: commit.sha, pr };
}

function unchanged(o: PublishReportOptions, previous: AuditResult): PublishReportResult {
  o.logger.info(`report unchanged since ${previous.generatedAt} but for the timestamp: nothing to publish`);
  return { changed: false };
}

function deferReport(o: PublishReportOptions): PublishReportResult {
  o.budget.defer('report');
  o.logger.warn(
    `the report needs up to ${reportWrites(Object.keys(o.files).length)} GitHub writes and ${o.budget.remaining()} are left this run: ` +
      'deferred to the next run',
  );
  return { changed: false, deferred: true };
}

/**
 * The branch already holds this report. It stays unpublished only while an open pull request shows it or the
 * default branch holds it too (the pull request was merged); otherwise the pull request is opened now, its text
 * comparing with the default branch's report.
 */
async function ensurePull(
  o: PublishReportOptions,
  branch: string,
  paths: { json: string; markdown: string },
): Promise<PublishReportResult> {
  const open = await openPullOf(o, branch);
  if (open) return unchanged(o, o.current);
  const onBase = parsePreviousAudit(await readText(o, paths.json));
  if (onBase && onlyTimestampChanged(onBase, o.current)) return unchanged(o, onBase);
  if (!o.budget.canAfford(1)) return deferReport(o);
  const { data: repository } = await o.octokit.rest.repos.get({ owner: o.owner, repo: o.repo });
  const diff = onBase ? diffAudits(onBase, o.current) : undefined;
  o.logger.warn(`${branch} holds this report but no open pull request shows it: opening one`);
  const pr = await createPull(
    o,
    branch,
    repository.default_branch,
    pullText(o, repository.html_url, branch, paths, diff),
  );
  return { changed: false, pr };
}

function pullText(
  o: PublishReportOptions,
  htmlUrl: string,
  branch: string,
  paths: { json: string; markdown: string },
  diff: ReturnType<typeof diffAudits> | undefined,
) {
  const blob = (path: string) => `${htmlUrl}/blob/${encodeURI(branch)}/${encodeURI(path)}`;
  return {
    title: reportPullTitle(o.current, diff),
    body: reportPullBody(o.current, diff, { markdown: blob(paths.markdown), json: blob(paths.json) }),
  };
}

/**
 * The last published `data_audit.json`, read before the audit so its diff is against what the reviewers saw: the
 * bot's branch first (mode `pr`: an unmerged audit PR holds the newest), then the default branch.
 */
export async function readPublishedAudit(
  o: Repo & { mode: 'pr' | 'commit'; branch?: string; path: string },
): Promise<PublishedAudit | undefined> {
  const branch = o.branch ?? 'cbbd-gap-bot/audit';
  if (o.mode === 'pr') {
    const text = await readText(o, o.path, branch);
    if (text !== undefined) return { text, on: 'branch' };
  }
  const text = await readText(o, o.path);
  return text === undefined ? undefined : { text, on: 'base' };
}

function reportPaths(files: Record<string, string>): { json: string; markdown: string } {
  const paths = Object.keys(files);
  const json = paths.find((p) => p.endsWith('data_audit.json')) ?? 'reports/data_audit.json';
  return { json, markdown: paths.find((p) => p.endsWith('.md')) ?? json };
}

/** A file's text at a ref; files over 1 MB come without inline content, so those are read as blobs. */
async function readText(
  { octokit, owner, repo }: Repo,
  path: string,
  ref?: string,
): Promise<string | undefined> {
  const found = await unless404(
    octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) }),
  );
  if (!found || Array.isArray(found.data) || found.data.type !== 'file') return undefined;
  const file = found.data;
  if (file.encoding === 'base64') return Buffer.from(file.content, 'base64').toString('utf8');
  const { data: blob } = await octokit.rest.git.getBlob({ owner, repo, file_sha: file.sha });
  return Buffer.from(blob.content, 'base64').toString('utf8');
}

async function branchTip({ octokit, owner, repo }: Repo, branch: string): Promise<string> {
  const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
  return data.object.sha;
}

/**
 * Commits onto the default branch by fast-forward. Should someone push between the read of the tip and the
 * update (422 "not a fast forward"), it rebuilds once on the new tip.
 */
async function commitToBranch(o: PublishReportOptions, base: string, message: string) {
  for (let attempt = 1; ; attempt++) {
    const tip = await branchTip(o, base);
    const commit = await commitFiles({ ...o, parent: tip, files: o.files, message });
    if (!commit) return undefined;
    try {
      o.budget.consume('git');
      await o.octokit.rest.git.updateRef({
        owner: o.owner,
        repo: o.repo,
        ref: `heads/${base}`,
        sha: commit.sha,
      });
      return commit.sha;
    } catch (e) {
      if (statusOf(e) !== 422 || attempt >= 2) throw e;
      o.logger.warn(`${base} moved while the report was being committed; rebuilding on its new tip`);
    }
  }
}

/** Points the bot's branch at `sha`, creating it the first time and forcing it after (it is rebuilt each run). */
async function pointBranch(o: PublishReportOptions, branch: string, sha: string): Promise<void> {
  const { octokit, owner, repo } = o;
  const exists = await unless404(octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }));
  o.budget.consume('git');
  if (exists) await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  else await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
}

/**
 * The open pull request of the branch. It is listed by `owner:branch`: GitHub ignores a `head` filter without the
 * owner and lists every pull request.
 */
async function openPullOf({ octokit, owner, repo }: Repo, branch: string) {
  const { data: open } = await octokit.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${branch}`,
    state: 'open',
  });
  return open[0];
}

/** Updates the open pull request of the branch, or opens one. */
async function upsertPull(
  o: PublishReportOptions,
  branch: string,
  base: string,
  text: { title: string; body: string },
): Promise<{ number: number; url: string }> {
  const existing = await openPullOf(o, branch);
  if (!existing) return createPull(o, branch, base, text);
  if (existing.title !== text.title || existing.body !== text.body) {
    o.budget.consume('pull');
    await o.octokit.rest.pulls.update({
      owner: o.owner,
      repo: o.repo,
      pull_number: existing.number,
      ...text,
    });
  }
  return { number: existing.number, url: existing.html_url };
}

/** What GitHub answers a workflow token when the repository does not let Actions open pull requests. */
const ACTIONS_MAY_NOT_CREATE_PULLS = /not permitted to create or approve pull requests/i;

/**
 * Opens the pull request. GitHub's 403 for a workflow token that may not open pull requests becomes an error that
 * names the repository setting and the alternative; the branch already holds the report, so the next run opens the
 * pull request once either is in place.
 */
async function createPull(
  o: PublishReportOptions,
  branch: string,
  base: string,
  text: { title: string; body: string },
): Promise<{ number: number; url: string }> {
  o.budget.consume('pull');
  try {
    const { data } = await o.octokit.rest.pulls.create({
      owner: o.owner,
      repo: o.repo,
      head: branch,
      base,
      ...text,
    });
    return { number: data.number, url: data.html_url };
  } catch (e) {
    if (statusOf(e) === 403 && e instanceof Error && ACTIONS_MAY_NOT_CREATE_PULLS.test(e.message))
      throw new Error(actionsMayNotCreatePulls(branch), { cause: e });
    throw e;
  }
}

/** The remedy for GitHub's "GitHub Actions is not permitted to create or approve pull requests". */
export function actionsMayNotCreatePulls(branch: string): string {
  return (
    `GitHub refused to open the report pull request: GitHub Actions is not permitted to create or approve pull ` +
    `requests in this repository. The report is committed on the branch ${branch}; the next run opens its pull ` +
    `request once either (1) an admin turns on Settings → Actions → General → Workflow permissions → "Allow ` +
    `GitHub Actions to create and approve pull requests" (with an organization, its own setting must allow it ` +
    `too), or (2) the workflow passes a GitHub App installation token as github-token (actions/create-github-app-` +
    `token), which this setting does not restrict. See docs/setup.md, "Repository settings".`
  );
}
