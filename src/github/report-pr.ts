import type { Octokit } from '@octokit/rest';
import type { AuditResult } from '../audit/types.js';
import { diffAudits, onlyTimestampChanged, parsePreviousAudit } from '../report/diff.js';
import type { Logger } from '../util/logger.js';
import { commitFiles } from './git-commit.js';
import { statusOf, unless404 } from './http-status.js';
import { reportPullBody, reportPullTitle } from './report-text.js';

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
   * The last published `data_audit.json` as `readPublishedAudit` found it (`undefined`: none was published). When
   * the key is absent it is read here, from the branch and then the default branch.
   */
  previous?: string | undefined;
  current: AuditResult;
  logger: Logger;
}

export interface PublishReportResult {
  changed: boolean;
  commitSha?: string;
  pr?: { number: number; url: string };
}

type Repo = Pick<PublishReportOptions, 'octokit' | 'owner' | 'repo'>;

/**
 * Publishes the report. When nothing but the timestamp changed since the last published `data_audit.json`, it
 * writes nothing. Otherwise it commits the files on top of the default branch's tip and either points the bot's
 * branch at that commit (force: the branch is rebuilt each time, so it never diverges) and opens or updates the
 * one pull request for it, or fast-forwards the default branch.
 */
export async function publishReport(o: PublishReportOptions): Promise<PublishReportResult> {
  const branch = o.branch ?? 'cbbd-gap-bot/audit';
  const paths = reportPaths(o.files);
  const previousText =
    'previous' in o ? o.previous : await readPublishedAudit({ ...o, branch, path: paths.json });
  const previous = parsePreviousAudit(previousText);
  if (previous && onlyTimestampChanged(previous, o.current)) {
    o.logger.info(`report unchanged since ${previous.generatedAt} but for the timestamp: nothing to publish`);
    return { changed: false };
  }
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
  const blob = (path: string) => `${repository.html_url}/blob/${encodeURI(branch)}/${encodeURI(path)}`;
  const diff = o.current.diff ?? (previous ? diffAudits(previous, o.current) : undefined);
  const pr = await upsertPull(o, branch, base, {
    title: reportPullTitle(o.current, diff),
    body: reportPullBody(o.current, diff, { markdown: blob(paths.markdown), json: blob(paths.json) }),
  });
  o.logger.info(`report committed to ${branch} (${commit.sha}); pull request #${pr.number}`);
  return { changed: true, commitSha: commit.sha, pr };
}

/**
 * The last published `data_audit.json`, read before the audit so its diff is against what the reviewers saw: the
 * bot's branch first (mode `pr`: an unmerged audit PR holds the newest), then the default branch.
 */
export async function readPublishedAudit(
  o: Repo & { mode: 'pr' | 'commit'; branch?: string; path: string },
): Promise<string | undefined> {
  const branch = o.branch ?? 'cbbd-gap-bot/audit';
  return readPrevious(o, o.path, o.mode === 'pr' ? [branch, undefined] : [undefined]);
}

function reportPaths(files: Record<string, string>): { json: string; markdown: string } {
  const paths = Object.keys(files);
  const json = paths.find((p) => p.endsWith('data_audit.json')) ?? 'reports/data_audit.json';
  return { json, markdown: paths.find((p) => p.endsWith('.md')) ?? json };
}

/** The first of `refs` (undefined: the default branch) that holds the file. */
async function readPrevious(
  o: Repo,
  path: string,
  refs: (string | undefined)[],
): Promise<string | undefined> {
  for (const ref of refs) {
    const text = await readText(o, path, ref);
    if (text !== undefined) return text;
  }
  return undefined;
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
async function pointBranch({ octokit, owner, repo }: Repo, branch: string, sha: string): Promise<void> {
  const exists = await unless404(octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }));
  if (exists) await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  else await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
}

/**
 * Updates the open pull request of the branch, or opens one. It is listed by `owner:branch`: GitHub ignores a
 * `head` filter without the owner and lists every pull request.
 */
async function upsertPull(
  { octokit, owner, repo }: Repo,
  branch: string,
  base: string,
  text: { title: string; body: string },
): Promise<{ number: number; url: string }> {
  const { data: open } = await octokit.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${branch}`,
    state: 'open',
  });
  const existing = open[0];
  if (!existing) {
    const { data } = await octokit.rest.pulls.create({ owner, repo, head: branch, base, ...text });
    return { number: data.number, url: data.html_url };
  }
  if (existing.title !== text.title || existing.body !== text.body) {
    await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, ...text });
  }
  return { number: existing.number, url: existing.html_url };
}
