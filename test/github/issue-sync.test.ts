import { describe, expect, it } from 'vitest';
import { createWriteBudget, type WriteBudget } from '../../src/github/write-budget.js';
import type { Gap } from '../../src/audit/types.js';
import { renderIssue } from '../../src/github/issue-body.js';
import { syncGapIssues, type SyncGapIssuesResult } from '../../src/github/issue-sync.js';
import { parseMarker } from '../../src/github/marker.js';
import type { FakeGitHub } from '../fakes/github/server.js';
import { BOT, botClient, fakeGitHubs, missingChildren, otherGap, repoOf } from './helpers.js';

const fake = fakeGitHubs();

const PLAYS = missingChildren('fct_plays', 2024, 25);
const SUBS = missingChildren('fct_substitutions', 2025, 3, 402_000);
const CATALOG = otherGap('catalog_missing_partition', 'fct_games', undefined, { count: 4 });
const LIST_ROUTE = 'GET /repos/{owner}/{repo}/issues';

/** One nightly sync against the fake, as the audit command runs it. */
async function night(
  f: FakeGitHub,
  gaps: Gap[],
  options: { maxNewIssues?: number; generatedAt?: string; budget?: WriteBudget; fetch?: typeof fetch } = {},
): Promise<SyncGapIssuesResult> {
  const { octokit, logger } = botClient(f, options.fetch ? { fetch: options.fetch } : {});
  return syncGapIssues({
    octokit,
    ...repoOf(f),
    gaps,
    botLogin: BOT,
    maxNewIssues: options.maxNewIssues ?? 10,
    auditRef: {
      generatedAt: options.generatedAt ?? '2025-03-02T06:00:00Z',
      runUrl: 'https://github.com/cbbd-org/cbbd-lake/actions/runs/42',
    },
    budget: options.budget ?? createWriteBudget(),
    logger,
  });
}

const byKey = (f: FakeGitHub, key: string) => f.issues().filter((i) => parseMarker(i.body)?.key === key);

describe('syncGapIssues', () => {
  it('on the first night opens one issue per gap, with labels and the marker', async () => {
    const f = await fake();
    const result = await night(f, [PLAYS, SUBS, CATALOG]);
    expect(result.created.map((c) => [c.number, c.key])).toEqual([
      [1, PLAYS.key],
      [2, SUBS.key],
      [3, CATALOG.key],
    ]);
    expect(result.created[0]?.url).toBe('https://github.com/cbbd-org/cbbd-lake/issues/1');
    expect(f.issues().map((i) => [i.author, i.state, i.labels])).toEqual([
      [BOT, 'open', ['data-gap', 'table:fct_plays', 'season:2024']],
      [BOT, 'open', ['data-gap', 'table:fct_substitutions', 'season:2025']],
      [BOT, 'open', ['data-gap', 'table:fct_games']],
    ]);
    expect(f.issue(1).title).toBe('Data gap: fct_plays 2024 — 25 games without play-by-play');
    expect(f.issue(1).body).toBe(renderIssue(PLAYS).body);
    expect([result.writes, f.writes()]).toEqual([3, 3]);
  });

  it('on an unchanged night lists the label once and writes nothing', async () => {
    const f = await fake();
    await night(f, [PLAYS, SUBS, CATALOG]);
    f.resetLog();
    const result = await night(f, [PLAYS, SUBS, CATALOG], { generatedAt: '2025-03-03T06:00:00Z' });
    expect(result).toMatchObject({
      created: [],
      updated: [],
      closed: [],
      reopened: [],
      unchanged: 3,
      writes: 0,
    });
    expect(f.writes()).toBe(0);
    expect(f.log().map((e) => e.route)).toEqual([LIST_ROUTE]);
    expect(f.log()[0]?.query).toBe('labels=data-gap&state=all&per_page=100');
  });

  it('updates the body when the gap moves, and only then', async () => {
    const f = await fake();
    await night(f, [PLAYS]);
    f.resetLog();
    const result = await night(f, [missingChildren('fct_plays', 2024, 20)]);
    expect(result.updated.map((u) => u.number)).toEqual([1]);
    expect(f.issue(1).title).toBe('Data gap: fct_plays 2024 — 20 games without play-by-play');
    expect(f.issue(1).comments).toEqual([]);
    expect(f.writes()).toBe(1);
  });

  it('closes the issue of a fixed gap with one comment naming the audit, once', async () => {
    const f = await fake();
    await night(f, [PLAYS, SUBS]);
    f.resetLog();
    const result = await night(f, [SUBS], { generatedAt: '2025-03-04T06:00:00Z' });
    expect(result.closed).toEqual([
      { number: 1, key: PLAYS.key, url: 'https://github.com/cbbd-org/cbbd-lake/issues/1' },
    ]);
    expect(f.issue(1)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(f.issue(1).comments.map((c) => c.body)).toEqual([
      'The audit of 2025-03-04T06:00:00Z ([run](https://github.com/cbbd-org/cbbd-lake/actions/runs/42)) no longer ' +
        'finds this gap: closing. It reopens if the gap comes back.',
    ]);
    expect(f.issue(2).state).toBe('open');
    expect(f.writes()).toBe(2);

    f.resetLog();
    expect((await night(f, [SUBS])).writes).toBe(0);
    expect(f.issue(1).comments).toHaveLength(1);
  });

  it('reopens the issue of a gap that came back, with a comment, rather than opening another', async () => {
    const f = await fake();
    await night(f, [PLAYS]);
    await night(f, []);
    const back = missingChildren('fct_plays', 2024, 7);
    const result = await night(f, [back], { generatedAt: '2025-03-05T06:00:00Z' });
    expect(result.reopened.map((r) => r.number)).toEqual([1]);
    expect(result.created).toEqual([]);
    expect(f.issues()).toHaveLength(1);
    expect(f.issue(1)).toMatchObject({
      state: 'open',
      stateReason: 'reopened',
      title: renderIssue(back).title,
    });
    expect(f.issue(1).comments.at(-1)?.body).toBe(
      'The audit of 2025-03-05T06:00:00Z ([run](https://github.com/cbbd-org/cbbd-lake/actions/runs/42)) finds this ' +
        'gap again (7 games without play-by-play): reopening.',
    );
  });

  it('opens at most maxNewIssues a night and defers the rest to the next', async () => {
    const f = await fake();
    const gaps = [2020, 2021, 2022, 2023, 2024].map((s) => missingChildren('fct_plays', s, 3));
    const first = await night(f, gaps, { maxNewIssues: 2 });
    expect(first.created.map((c) => c.key)).toEqual([gaps[0]?.key, gaps[1]?.key]);
    expect(first.deferred.map((g) => g.key)).toEqual(gaps.slice(2).map((g) => g.key));
    const second = await night(f, gaps, { maxNewIssues: 2 });
    expect(second.created.map((c) => c.number)).toEqual([3, 4]);
    expect([second.unchanged, second.deferred.length]).toEqual([2, 1]);
    const third = await night(f, gaps, { maxNewIssues: 2 });
    expect([third.created.length, third.deferred.length, f.issues().length]).toEqual([1, 0, 5]);
  });

  it('never touches a look-alike a person opened with a copied marker, and opens its own', async () => {
    const f = await fake();
    const copy = f.openIssueAs('stranger', { ...renderIssue(PLAYS), title: 'plays are missing!' });
    const noMarker = f.openIssueAs('alice', {
      title: 'a gap I noticed',
      body: 'no marker',
      labels: ['data-gap'],
    });
    const result = await night(f, [PLAYS]);
    expect(result.created.map((c) => c.number)).toEqual([3]);
    expect(byKey(f, PLAYS.key).map((i) => [i.number, i.author])).toEqual([
      [copy.number, 'stranger'],
      [3, BOT],
    ]);

    await night(f, []);
    for (const n of [copy.number, noMarker.number]) {
      expect(f.issue(n)).toMatchObject({
        state: 'open',
        comments: [],
        title: n === copy.number ? 'plays are missing!' : 'a gap I noticed',
      });
    }
    expect(f.issue(3).state).toBe('closed');
  });

  it('skips pull requests, which GitHub lists among the issues', async () => {
    const f = await fake({ files: { 'README.md': '# lake\n' } });
    const { octokit } = botClient(f);
    const r = repoOf(f);
    const main = f.refs()['refs/heads/main'] as string;
    const { data: tree } = await octokit.rest.git.createTree({
      ...r,
      tree: [{ path: 'x.md', mode: '100644', type: 'blob', content: 'x' }],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      ...r,
      message: 'x',
      tree: tree.sha,
      parents: [main],
    });
    await octokit.rest.git.createRef({ ...r, ref: 'refs/heads/x', sha: commit.sha });
    const { data: pr } = await octokit.rest.pulls.create({
      ...r,
      head: 'x',
      base: 'main',
      title: 'x',
      body: renderIssue(PLAYS).body,
    });
    await octokit.rest.issues.addLabels({ ...r, issue_number: pr.number, labels: ['data-gap'] });
    f.resetLog();
    const result = await night(f, []);
    expect(result.closed).toEqual([]);
    expect(f.writes()).toBe(0);
  });

  it('keeps the oldest of two open bot issues for one key and closes the newer as a duplicate', async () => {
    const f = await fake();
    const { octokit } = botClient(f);
    for (let i = 0; i < 2; i++) await octokit.rest.issues.create({ ...repoOf(f), ...renderIssue(PLAYS) });
    const result = await night(f, [PLAYS]);
    expect(result.duplicatesClosed.map((d) => d.number)).toEqual([2]);
    expect(result.unchanged).toBe(1);
    expect(f.issue(2)).toMatchObject({ state: 'closed', stateReason: 'duplicate' });
    expect(f.issue(2).comments.map((c) => c.body)).toEqual([
      'Duplicate of #1, which tracks the same gap (`missing_children:fct_plays:2024`); two runs opened one each.',
    ]);
    expect(f.issue(1)).toMatchObject({ state: 'open', comments: [] });

    f.resetLog();
    expect((await night(f, [PLAYS])).writes).toBe(0);
    await night(f, []);
    await night(f, [PLAYS]);
    expect(f.issue(1).state).toBe('open');
    expect(f.issue(2).state).toBe('closed');
  });

  it('puts back a removed label of its own and keeps the labels people added', async () => {
    const f = await fake();
    await night(f, [PLAYS]);
    const { octokit } = botClient(f);
    await octokit.rest.issues.setLabels({ ...repoOf(f), issue_number: 1, labels: ['data-gap', 'priority'] });
    const result = await night(f, [PLAYS]);
    expect(result.updated.map((u) => u.number)).toEqual([1]);
    expect(f.issue(1).labels).toEqual(['data-gap', 'priority', 'table:fct_plays', 'season:2024']);
  });

  it('never sends a label set: a fill label added between the listing and the write survives', async () => {
    const f = await fake();
    await night(f, [PLAYS]);
    const { octokit } = botClient(f);
    await octokit.rest.issues.removeLabel({ ...repoOf(f), issue_number: 1, name: 'season:2024' });
    // A maintainer labels the issue `fill` after the sync listed it and before its first write.
    let labelled = false;
    const racing: typeof fetch = async (input, init) => {
      if (!labelled && init?.method && init.method !== 'GET') {
        labelled = true;
        f.labelAs('walt', 1, 'fill');
      }
      return fetch(input, init);
    };
    f.resetLog();
    const result = await night(f, [missingChildren('fct_plays', 2024, 20)], { fetch: racing });
    expect(labelled).toBe(true);
    expect(result.updated.map((u) => u.number)).toEqual([1]);
    expect(f.issue(1).labels).toEqual(['data-gap', 'table:fct_plays', 'fill', 'season:2024']);
    expect(
      f.log().map((e) => [e.method, e.route, (e.body as { labels?: unknown } | undefined)?.labels]),
    ).toEqual([
      ['GET', LIST_ROUTE, undefined],
      ['PATCH', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', undefined],
      ['POST', 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels', ['season:2024']],
    ]);
  });

  it('charges every write to the budget and defers what does not fit, whole units, to the next night', async () => {
    const f = await fake();
    await night(f, [PLAYS, SUBS, CATALOG]);
    f.resetLog();
    // Three closes (2 writes each) and two creates (1 each) against 5 writes: two closes and one create fit.
    const budget = createWriteBudget(5);
    const gaps = [missingChildren('fct_plays', 2021, 3), missingChildren('fct_plays', 2022, 3)];
    const result = await night(f, gaps, { budget });
    expect([result.closed.length, result.created.length]).toEqual([2, 1]);
    expect(result.deferredWork).toEqual({ close: 1, create: 1 });
    expect(result.deferred.map((g) => g.key)).toEqual([gaps[1]?.key]);
    expect([budget.used(), f.writes(), budget.deferred()]).toEqual([5, 5, { close: 1, create: 1 }]);
    expect(budget.usedByKind()).toEqual({ 'issue-close': 2, comment: 2, 'issue-create': 1 });

    const next = await night(f, gaps);
    expect([next.closed.length, next.created.length, next.deferred.length]).toEqual([1, 1, 0]);
    expect(f.issues().filter((i) => i.state === 'open')).toHaveLength(2);
  });

  it('leaves closed an issue a person closed as not planned', async () => {
    const f = await fake();
    await night(f, [PLAYS]);
    const { octokit } = botClient(f);
    await octokit.rest.issues.update({
      ...repoOf(f),
      issue_number: 1,
      state: 'closed',
      state_reason: 'not_planned',
    });
    f.resetLog();
    const result = await night(f, [PLAYS]);
    expect(result.declined.map((d) => d.number)).toEqual([1]);
    expect([result.created.length, f.writes(), f.issues().length]).toEqual([0, 0, 1]);
  });

  it('reads every page of the label, once, and stays silent on an unchanged night of 130 gaps', async () => {
    const f = await fake();
    const gaps = Array.from({ length: 130 }, (_, i) => missingChildren('fct_plays', 1900 + i, 2));
    expect((await night(f, gaps, { maxNewIssues: 200 })).created).toHaveLength(130);
    f.resetLog();
    const result = await night(f, gaps, { maxNewIssues: 200 });
    expect([result.unchanged, result.writes, f.writes()]).toEqual([130, 0, 0]);
    expect(f.log().map((e) => e.route)).toEqual([LIST_ROUTE, LIST_ROUTE]);
  });

  it('recovers from a secondary rate limit in the middle of a sync', async () => {
    const f = await fake();
    f.injectFault({
      when: 'POST /repos/{owner}/{repo}/issues',
      nth: 2,
      fault: { kind: 'secondary-rate-limit', retryAfter: 3 },
    });
    const result = await night(f, [PLAYS, SUBS, CATALOG]);
    expect(result.created).toHaveLength(3);
    expect(f.issues().map((i) => i.title)).toHaveLength(3);
    expect([f.faults(), f.writes()]).toEqual([1, 3]);
  });
});
