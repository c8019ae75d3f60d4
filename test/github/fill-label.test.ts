import { describe, expect, it } from 'vitest';
import { createWriteBudget } from '../../src/github/write-budget.js';
import type { Gap } from '../../src/audit/types.js';
import { checkFillRequest, judgeFillRequest, type FillRequestDecision } from '../../src/github/fill-label.js';
import { renderIssue } from '../../src/github/issue-body.js';
import { syncGapIssues } from '../../src/github/issue-sync.js';
import type { FakeGitHub, FakeGitHubOptions } from '../fakes/github/server.js';
import { BOT, botClient, fakeGitHubs, missingChildren, otherGap, repoOf, USERS } from './helpers.js';

const fake = fakeGitHubs();
const PLAYS = missingChildren('fct_plays', 2024, 25);

/** A repository where the bot has opened the issues of these gaps (#1, #2, …). */
async function repoWithIssues(gaps: Gap[], options?: FakeGitHubOptions): Promise<FakeGitHub> {
  const f = await fake(options);
  const { octokit, logger } = botClient(f);
  await syncGapIssues({
    octokit,
    ...repoOf(f),
    gaps,
    botLogin: BOT,
    maxNewIssues: 10,
    auditRef: { generatedAt: '2025-03-01T06:00:00Z' },
    budget: createWriteBudget(),
    logger,
  });
  f.resetLog();
  return f;
}

/** What the fill workflow does on `issues.labeled`: a person labels, then the bot checks. */
async function labelAndCheck(f: FakeGitHub, who: string, issueNumber: number): Promise<FillRequestDecision> {
  f.labelAs(who, issueNumber, 'fill');
  const { octokit, logger } = botClient(f);
  return checkFillRequest({
    octokit,
    ...repoOf(f),
    issueNumber,
    labeler: who,
    botLogin: BOT,
    gapLabel: 'data-gap',
    fillLabel: 'fill',
    budget: createWriteBudget(),
    logger,
  });
}

describe('checkFillRequest', () => {
  it.each(['walt', 'max', 'alice'])(
    'lets %s (write, maintain, admin) fill a bot issue, writing nothing',
    async (who) => {
      const f = await repoWithIssues([PLAYS]);
      const decision = await labelAndCheck(f, who, 1);
      expect(decision).toEqual({
        allowed: true,
        gap: { key: PLAYS.key, endpoint: 'plays_game', season: 2024, table: 'fct_plays' },
      });
      expect(f.writes()).toBe(0);
      expect(f.issue(1).labels).toContain('fill');
      expect(f.log().map((e) => e.route)).toEqual([
        'GET /repos/{owner}/{repo}/issues/{issue_number}',
        'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      ]);
    },
  );

  it('refuses triage once with a comment, removes the label, and does not repeat itself on a re-label', async () => {
    const f = await repoWithIssues([PLAYS]);
    const first = await labelAndCheck(f, 'tracy', 1);
    expect(first).toMatchObject({ allowed: false, reason: 'not-permitted' });
    expect(f.issue(1).labels).not.toContain('fill');
    const comments = f.issue(1).comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]?.author).toBe(BOT);
    expect(comments[0]?.body).toContain('@tracy, the `fill` label did not start a fill');
    expect(comments[0]?.body).toContain('needs write, maintain or admin access (yours: triage)');

    const second = await labelAndCheck(f, 'tracy', 1);
    expect(second).toMatchObject({ allowed: false, reason: 'not-permitted' });
    expect(f.issue(1).comments).toHaveLength(1);
    expect(f.issue(1).labels).not.toContain('fill');
    expect(
      f
        .issue(1)
        .events.filter((e) => e.label === 'fill')
        .map((e) => [e.event, e.actor]),
    ).toEqual([
      ['labeled', 'tracy'],
      ['unlabeled', BOT],
      ['labeled', 'tracy'],
      ['unlabeled', BOT],
    ]);
  });

  it('answers another person refused for the same reason with their own comment', async () => {
    const f = await repoWithIssues([PLAYS]);
    await labelAndCheck(f, 'tracy', 1);
    await labelAndCheck(f, 'rhea', 1);
    expect(f.issue(1).comments.map((c) => c.body.split('\n')[1]?.slice(0, 7))).toEqual([
      '@tracy,',
      '@rhea, ',
    ]);
  });

  it('judges a custom role by the role it is based on (role_name is its own name, permission the base)', async () => {
    const f = await repoWithIssues([PLAYS], {
      users: [
        ...USERS!,
        { login: 'carla', role: 'write', customRole: 'data-steward' },
        { login: 'sam', role: 'triage', customRole: 'label-wrangler' },
      ],
    });
    expect(await labelAndCheck(f, 'carla', 1)).toMatchObject({ allowed: true });
    expect(f.writes()).toBe(0);
    expect(await labelAndCheck(f, 'sam', 1)).toMatchObject({ allowed: false, reason: 'not-permitted' });
    expect(f.issue(1).comments[0]?.body).toContain('needs write, maintain or admin access (yours: read)');
  });

  it('refuses someone outside a private repository (the permission API answers 404)', async () => {
    const f = await repoWithIssues([PLAYS]);
    expect(await labelAndCheck(f, 'stranger', 1)).toMatchObject({ allowed: false, reason: 'not-permitted' });
    expect(f.issue(1).comments[0]?.body).toContain('(yours: none)');
  });

  it('refuses a writer on a look-alike issue a person opened with a copied marker', async () => {
    const f = await fake();
    const copy = f.openIssueAs('stranger', renderIssue(PLAYS));
    const decision = await labelAndCheck(f, 'walt', copy.number);
    expect(decision).toMatchObject({ allowed: false, reason: 'not-bot-issue' });
    expect(f.issue(copy.number).labels).not.toContain('fill');
    expect(f.issue(copy.number).comments.map((c) => c.author)).toEqual([BOT]);
    expect(f.issue(copy.number).comments[0]?.body).toContain('stranger opened this one');
  });

  it('lets an Enterprise Managed User (handle_shortcode) with write access fill', async () => {
    const f = await repoWithIssues([PLAYS]);
    f.setRole('mona-cat_octo', 'write');
    expect(await labelAndCheck(f, 'mona-cat_octo', 1)).toMatchObject({ allowed: true });
    expect(f.writes()).toBe(0);
  });

  it('refuses a sender that is no GitHub login politely: one comment, the label removed, no permission lookup', async () => {
    const f = await repoWithIssues([PLAYS]);
    const decision = await labelAndCheck(f, 'not a login', 1);
    expect(decision).toMatchObject({ allowed: false, reason: 'unknown-login' });
    expect(f.issue(1).labels).not.toContain('fill');
    const [comment] = f.issue(1).comments;
    expect(comment?.body).toContain(
      'Sorry, the `fill` label did not start a fill: it came from `not a login`',
    );
    expect(comment?.body).not.toContain('@not');
    expect(f.log().map((e) => e.route)).not.toContain(
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    );
  });

  it('refuses a gap kind a fill cannot close', async () => {
    const f = await repoWithIssues([otherGap('missing_season', 'fct_lines', 2019)]);
    expect(await labelAndCheck(f, 'alice', 1)).toMatchObject({ allowed: false, reason: 'not-fillable' });
  });

  it('does nothing when the label is already gone by the time it runs', async () => {
    const f = await repoWithIssues([PLAYS]);
    const { octokit, logger } = botClient(f);
    const decision = await checkFillRequest({
      octokit,
      ...repoOf(f),
      issueNumber: 1,
      labeler: 'walt',
      botLogin: BOT,
      budget: createWriteBudget(),
      logger,
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'label-gone' });
    expect(f.writes()).toBe(0);
  });
});

describe('judgeFillRequest', () => {
  const body = renderIssue(PLAYS).body;
  const base = {
    role: 'write',
    author: BOT,
    botLogin: BOT,
    open: true,
    labels: ['data-gap', 'fill'],
    gapLabel: 'data-gap',
    body,
  };
  it.each<[string, Partial<typeof base>, string]>([
    ['read', { role: 'read' }, 'not-permitted'],
    ['triage', { role: 'triage' }, 'not-permitted'],
    ['no role', { role: 'none' }, 'not-permitted'],
    ['a person’s issue', { author: 'walt' }, 'not-bot-issue'],
    ['a deleted author', { author: undefined }, 'not-bot-issue'],
    ['a closed issue', { open: false }, 'issue-closed'],
    ['no gap label', { labels: ['fill'] }, 'missing-gap-label'],
    ['no marker', { body: 'plain text' }, 'no-marker'],
    ['a damaged marker', { body: body.replace('"kind"', '"kimd"') }, 'no-marker'],
    [
      'a fillable kind without an endpoint',
      { body: renderIssue({ ...PLAYS, endpoint: undefined }).body },
      'not-fillable',
    ],
  ])('refuses %s', (_name, facts, reason) => {
    expect(judgeFillRequest({ ...base, ...facts })).toMatchObject({ allowed: false, reason });
  });

  it('allows the bot’s login in any case, and labels in any case', () => {
    expect(judgeFillRequest({ ...base, author: BOT.toUpperCase(), labels: ['DATA-GAP'] }).allowed).toBe(true);
  });
});
