import { describe, expect, it } from 'vitest';
import { createWriteBudget, type WriteBudget } from '../../src/github/write-budget.js';
import type { AuditResult } from '../../src/audit/types.js';
import { gitBlobSha } from '../../src/github/git-commit.js';
import { publishReport, type PublishReportResult } from '../../src/github/report-pr.js';
import { reportPullTitle } from '../../src/github/report-text.js';
import { diffAudits } from '../../src/report/diff.js';
import type { FakeGitHub } from '../fakes/github/server.js';
import { auditOf, botClient, fakeGitHubs, missingChildren, otherGap, repoOf } from './helpers.js';

const fake = fakeGitHubs();
const BRANCH = 'cbbd-gap-bot/audit';
const PLAYS = missingChildren('fct_plays', 2024, 25);
const CATALOG = otherGap('catalog_missing_partition', 'fct_games', undefined, { count: 4 });

/** The report files as the audit command writes them. */
function filesOf(result: AuditResult): Record<string, string> {
  return {
    'reports/data_audit.md': `# Data audit\n\n${result.gaps.length} gaps, generated ${result.generatedAt}\n`,
    'reports/data_audit.json': `${JSON.stringify(result, null, 2)}\n`,
    'reports/coverage.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  };
}

async function publish(
  f: FakeGitHub,
  current: AuditResult,
  extra: { mode?: 'pr' | 'commit'; previous?: string; budget?: WriteBudget } = {},
): Promise<PublishReportResult> {
  const { octokit, logger } = botClient(f);
  return publishReport({
    octokit,
    ...repoOf(f),
    files: filesOf(current),
    mode: extra.mode ?? 'pr',
    branch: BRANCH,
    current,
    budget: extra.budget ?? createWriteBudget(),
    logger,
    ...(extra.previous === undefined ? {} : { previous: { text: extra.previous, on: 'base' as const } }),
  });
}

const startRepo = () => fake({ files: { 'README.md': '# lake\n' } });

describe('publishReport in pr mode', () => {
  it('on the first run commits the files on a branch off main and opens one pull request', async () => {
    const f = await startRepo();
    const current = auditOf([PLAYS, CATALOG]);
    const result = await publish(f, current);
    const main = f.refs()['refs/heads/main'];
    expect(result).toMatchObject({
      changed: true,
      pr: { number: 1, url: 'https://github.com/cbbd-org/cbbd-lake/pull/1' },
    });
    expect(f.refs()[`refs/heads/${BRANCH}`]).toBe(result.commitSha);
    expect(f.filesAt(BRANCH)).toEqual({ 'README.md': '# lake\n', ...filesOf(current) });
    expect(f.fileAt('main', 'reports/data_audit.json')).toBeUndefined();
    const { octokit } = botClient(f);
    const { data: commit } = await octokit.rest.git.getCommit({
      ...repoOf(f),
      commit_sha: result.commitSha ?? '',
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([main]);
    expect(f.pulls()).toEqual([
      expect.objectContaining({
        number: 1,
        state: 'open',
        head: BRANCH,
        base: 'main',
        title: 'Data audit: 2 gaps · 1 PASS 1 WARN 1 FAIL',
      }),
    ]);
    const body = f.pulls()[0]?.body ?? '';
    expect(body).toContain('this is the first audit');
    expect(body).toContain(`(https://github.com/cbbd-org/cbbd-lake/blob/${BRANCH}/reports/data_audit.md)`);
    // Three blobs, a tree, a commit, the ref and the pull request.
    expect(f.writes()).toBe(7);
  });

  it('writes nothing when only the timestamp changed since the report on the branch', async () => {
    const f = await startRepo();
    await publish(f, auditOf([PLAYS, CATALOG]));
    f.resetLog();
    const result = await publish(f, auditOf([PLAYS, CATALOG], '2025-03-02T06:00:00Z'));
    expect(result).toEqual({ changed: false });
    expect(f.writes()).toBe(0);
    expect(f.log().map((e) => [e.method, e.status, e.query])).toEqual([
      ['GET', 200, `ref=${encodeURIComponent(BRANCH)}`],
      ['GET', 200, `head=${encodeURIComponent(`${f.owner}:${BRANCH}`)}&state=open`],
    ]);
  });

  it('opens the pull request the next night when GitHub refused it (Actions may not create pull requests)', async () => {
    const f = await fake({ files: { 'README.md': '# lake\n' }, actionsCanCreatePullRequests: false });
    const first = publish(f, auditOf([PLAYS, CATALOG]));
    await expect(first).rejects.toThrow(
      /Allow GitHub Actions to create and approve pull requests.*GitHub App installation token/s,
    );
    expect(f.filesAt(BRANCH)?.['reports/data_audit.json']).toBeDefined();
    expect(f.pulls()).toEqual([]);

    f.setActionsCanCreatePullRequests(true);
    f.resetLog();
    const budget = createWriteBudget();
    const next = await publish(f, auditOf([PLAYS, CATALOG], '2025-03-02T06:00:00Z'), { budget });
    expect(next).toMatchObject({ changed: false, pr: { number: 1 } });
    expect(f.pulls()).toEqual([expect.objectContaining({ state: 'open', head: BRANCH, base: 'main' })]);
    expect(f.pulls()[0]?.body).toContain('this is the first audit');
    expect([f.writes(), budget.used()]).toEqual([1, 1]);

    f.resetLog();
    expect(await publish(f, auditOf([PLAYS, CATALOG], '2025-03-03T06:00:00Z'))).toEqual({ changed: false });
    expect(f.writes()).toBe(0);
  });

  it('opens the pull request the next night after a create that failed with 5xx through every retry', async () => {
    const f = await startRepo();
    f.injectFault({
      when: 'POST /repos/{owner}/{repo}/pulls',
      times: 4,
      fault: { kind: 'server-error', status: 502 },
    });
    await expect(publish(f, auditOf([PLAYS]))).rejects.toThrow();
    expect(f.pulls()).toEqual([]);
    const next = await publish(f, auditOf([PLAYS], '2025-03-02T06:00:00Z'));
    expect(next.pr?.number).toBe(1);
    expect(f.pulls().map((p) => p.head)).toEqual([BRANCH]);
  });

  it('writes nothing when the pull request was merged: the default branch holds the report', async () => {
    const f = await startRepo();
    const first = await publish(f, auditOf([PLAYS]));
    const { octokit } = botClient(f);
    await octokit.rest.git.updateRef({ ...repoOf(f), ref: 'heads/main', sha: first.commitSha ?? '' });
    await octokit.rest.pulls.update({ ...repoOf(f), pull_number: 1, state: 'closed' });
    f.resetLog();
    expect(await publish(f, auditOf([PLAYS], '2025-03-02T06:00:00Z'))).toEqual({ changed: false });
    expect(f.writes()).toBe(0);
  });

  it('defers the whole report when the write budget cannot fit it, writing nothing', async () => {
    const f = await startRepo();
    const budget = createWriteBudget(6);
    expect(await publish(f, auditOf([PLAYS]), { budget })).toEqual({ changed: false, deferred: true });
    expect([f.writes(), budget.used(), budget.deferred()]).toEqual([0, 0, { report: 1 }]);
    const enough = createWriteBudget(7);
    await publish(f, auditOf([PLAYS]), { budget: enough });
    expect([f.writes(), enough.used()]).toEqual([7, 7]);
  });

  it('on a change rebuilds the branch as one commit on main and updates the same pull request', async () => {
    const f = await startRepo();
    const first = auditOf([PLAYS, CATALOG]);
    await publish(f, first);
    // Someone merges something else to main in between: the branch follows main's new tip.
    const { octokit } = botClient(f);
    await octokit.rest.repos.createOrUpdateFileContents({
      ...repoOf(f),
      path: 'docs/x.md',
      message: 'docs',
      content: Buffer.from('x\n').toString('base64'),
    });
    const main = f.refs()['refs/heads/main'];
    f.resetLog();
    const second = auditOf([missingChildren('fct_plays', 2024, 20)], '2025-03-02T06:00:00Z', 0.996);
    const result = await publish(f, second);
    expect(result.pr?.number).toBe(1);
    expect(f.pulls()).toHaveLength(1);
    const { data: commit } = await octokit.rest.git.getCommit({
      ...repoOf(f),
      commit_sha: result.commitSha ?? '',
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([main]);
    expect(f.filesAt(BRANCH)?.['docs/x.md']).toBe('x\n');
    expect(f.fileAt(BRANCH, 'reports/data_audit.json')).toBe(filesOf(second)['reports/data_audit.json']);
    const pull = f.pulls()[0];
    expect(pull?.title).toBe('Data audit: 1 gap (0 new, 1 closed) · 1 PASS 1 WARN 1 FAIL');
    expect(pull?.body).toContain('### Since the audit of 2025-03-01T06:00:00Z');
    expect(pull?.body).toContain('- **Closed gaps (1)**: `catalog_missing_partition:fct_games`');
    expect(pull?.body).toContain('- **Changed counts (1)**: `missing_children:fct_plays:2024` 25 → 20');
    expect(pull?.body).toContain('- **Coverage moves (1)**: fct_plays 2024 99.0% → 99.6%');
    // Three blobs (main has none of the files), a tree, a commit, the forced ref, the pull request's new text.
    expect(f.writes()).toBe(7);
  });

  it('lists pull requests by owner:branch and leaves other open ones alone', async () => {
    const f = await startRepo();
    const { octokit } = botClient(f);
    const r = repoOf(f);
    const main = f.refs()['refs/heads/main'] as string;
    const { data: tree } = await octokit.rest.git.createTree({
      ...r,
      tree: [{ path: 'y.md', mode: '100644', type: 'blob', content: 'y' }],
    });
    const { data: c } = await octokit.rest.git.createCommit({
      ...r,
      message: 'y',
      tree: tree.sha,
      parents: [main],
    });
    await octokit.rest.git.createRef({ ...r, ref: 'refs/heads/feature', sha: c.sha });
    await octokit.rest.pulls.create({ ...r, head: 'feature', base: 'main', title: 'Feature', body: 'mine' });
    const result = await publish(f, auditOf([PLAYS]));
    expect(result.pr?.number).toBe(2);
    expect(f.pulls().map((p) => [p.number, p.title])).toEqual([
      [1, 'Feature'],
      [2, 'Data audit: 1 gap · 1 PASS 1 WARN 1 FAIL'],
    ]);
  });

  it('takes the previous report when given, and reads the default branch when the branch has none', async () => {
    const f = await fake({ files: { 'reports/data_audit.json': JSON.stringify(auditOf([PLAYS])) } });
    f.resetLog();
    expect(await publish(f, auditOf([PLAYS], '2025-03-09T06:00:00Z'))).toEqual({ changed: false });
    expect(f.log().map((e) => e.status)).toEqual([404, 200]);
    expect(
      await publish(f, auditOf([PLAYS], 'later'), { previous: JSON.stringify(auditOf([PLAYS])) }),
    ).toEqual({
      changed: false,
    });
    expect(f.writes()).toBe(0);
  });
});

describe('publishReport in commit mode', () => {
  it('fast-forwards the default branch, opens no pull request, and writes nothing the next unchanged night', async () => {
    const f = await startRepo();
    const main = f.refs()['refs/heads/main'];
    const current = auditOf([PLAYS]);
    const result = await publish(f, current, { mode: 'commit' });
    expect(result.changed).toBe(true);
    expect(result.pr).toBeUndefined();
    expect(f.refs()['refs/heads/main']).toBe(result.commitSha);
    expect(f.refs()[`refs/heads/${BRANCH}`]).toBeUndefined();
    expect(f.pulls()).toEqual([]);
    expect(f.filesAt('main')).toEqual({ 'README.md': '# lake\n', ...filesOf(current) });
    const { octokit } = botClient(f);
    const { data: commit } = await octokit.rest.git.getCommit({
      ...repoOf(f),
      commit_sha: result.commitSha ?? '',
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([main]);

    f.resetLog();
    expect(await publish(f, auditOf([PLAYS], '2025-03-02T06:00:00Z'), { mode: 'commit' })).toEqual({
      changed: false,
    });
    expect(f.writes()).toBe(0);

    // The svg is already on main: two blobs, a tree, a commit and the ref.
    await publish(f, auditOf([CATALOG], '2025-03-03T06:00:00Z'), { mode: 'commit' });
    expect(f.writes()).toBe(5);
  });

  it('rebuilds once on the new tip when main moves between its read and the fast-forward', async () => {
    const f = await startRepo();
    let pushed = false;
    const racing: typeof fetch = async (input, init) => {
      if (!pushed && init?.method === 'PATCH' && String(input).endsWith('/git/refs/heads%2Fmain')) {
        pushed = true;
        await fetch(`${f.url}/repos/${f.owner}/${f.repo}/contents/docs%2Fy.md`, {
          method: 'PUT',
          headers: { authorization: `token ${f.tokenFor('github-actions[bot]')}` },
          body: JSON.stringify({ message: 'y', content: Buffer.from('y\n').toString('base64') }),
        });
      }
      return fetch(input, init);
    };
    const { octokit, logger } = botClient(f, { fetch: racing });
    const current = auditOf([PLAYS]);
    const result = await publishReport({
      octokit,
      ...repoOf(f),
      files: filesOf(current),
      mode: 'commit',
      current,
      budget: createWriteBudget(),
      logger,
    });
    expect(pushed).toBe(true);
    expect(f.refs()['refs/heads/main']).toBe(result.commitSha);
    expect(f.filesAt('main')).toEqual({ 'README.md': '# lake\n', 'docs/y.md': 'y\n', ...filesOf(current) });
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('main moved'))).toBe(true);
  });
});

describe('report helpers', () => {
  it('hashes a blob as git does', () => {
    expect(gitBlobSha('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('titles the pull request with gap moves and table statuses', () => {
    const before = auditOf([PLAYS, CATALOG]);
    const after = auditOf([
      PLAYS,
      missingChildren('fct_lineups', 2024, 2),
      otherGap('empty_table', 'fct_lines'),
    ]);
    expect(reportPullTitle(after, diffAudits(before, after))).toBe(
      'Data audit: 3 gaps (2 new, 1 closed) · 1 PASS 1 WARN 1 FAIL',
    );
  });
});
