import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_BOT,
  DEFAULT_BOT_TOKEN,
  SECONDARY_RATE_LIMIT_MESSAGE,
  startFakeGitHub,
  type FakeGitHub,
  type FakeGitHubOptions,
} from './server.js';

const ADMIN_TOKEN = 'ghp_alice';
const USERS: FakeGitHubOptions['users'] = [
  DEFAULT_BOT,
  { login: 'alice', role: 'admin', token: ADMIN_TOKEN },
  { login: 'max', role: 'maintain' },
  { login: 'walt', role: 'write' },
  { login: 'tracy', role: 'triage' },
  { login: 'rhea', role: 'read', token: 'ghp_rhea' },
  { login: 'stranger' },
];

const running: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

async function fake(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const f = await startFakeGitHub({ users: USERS, ...options });
  running.push(f);
  return f;
}

/** Octokit logs every failed request; the tests provoke failures on purpose. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const client = (f: FakeGitHub, token = DEFAULT_BOT_TOKEN) =>
  new Octokit({ baseUrl: f.url, auth: token, log: quiet });
const repoOf = (f: FakeGitHub) => ({ owner: f.owner, repo: f.repo });

interface HttpFailure {
  status: number;
  message: string;
  response: {
    data: Record<string, unknown> & { errors?: Record<string, unknown>[] };
    headers: Record<string, string>;
  };
}

/** The error a call fails with; fails the test when the call succeeds. */
async function failure(call: Promise<unknown>): Promise<HttpFailure> {
  try {
    await call;
  } catch (e) {
    return e as HttpFailure;
  }
  throw new Error('expected the call to fail');
}

describe('authentication', () => {
  it('answers 401 Bad credentials for an unknown token and records no user', async () => {
    const f = await fake();
    const e = await failure(client(f, 'ghp_nope').rest.repos.get(repoOf(f)));
    expect(e.status).toBe(401);
    expect(e.response.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect(f.log()).toEqual([{ method: 'GET', path: `/repos/${f.owner}/${f.repo}`, query: '', status: 401 }]);
  });

  it('answers 401 Requires authentication without a token', async () => {
    const f = await fake();
    const e = await failure(new Octokit({ baseUrl: f.url, log: quiet }).rest.repos.get(repoOf(f)));
    expect(e.status).toBe(401);
    expect(e.response.data.message).toBe('Requires authentication');
  });

  it('takes the token and Bearer schemes, and attributes writes to the token user', async () => {
    const f = await fake();
    for (const scheme of ['token', 'Bearer']) {
      const res = await fetch(`${f.url}/repos/${f.owner}/${f.repo}/issues`, {
        method: 'POST',
        headers: { authorization: `${scheme} ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `via ${scheme}` }),
      });
      expect(res.status).toBe(201);
    }
    expect(f.issues().map((i) => i.author)).toEqual(['alice', 'alice']);
    expect(f.log().map((e) => e.user)).toEqual(['alice', 'alice']);
  });
});

describe('repository', () => {
  it('serves the repository to @actions/github pointed at it through GITHUB_API_URL', async () => {
    const f = await fake();
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = f.url;
    try {
      const { getOctokit } = await import('@actions/github');
      const { data } = await getOctokit(DEFAULT_BOT_TOKEN, { log: quiet }).rest.repos.get(repoOf(f));
      expect(data).toMatchObject({ full_name: 'cbbd-org/cbbd-lake', default_branch: 'main', private: true });
      expect(data.owner.login).toBe('cbbd-org');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
  });

  it('answers 404 for another repository and for unknown routes', async () => {
    const f = await fake();
    const other = await failure(
      client(f).rest.issues.get({ owner: 'someone', repo: 'else', issue_number: 1 }),
    );
    expect(other.status).toBe(404);
    const unknown = await failure(client(f).request('GET /repos/{owner}/{repo}/deployments', repoOf(f)));
    expect(unknown.status).toBe(404);
    expect(unknown.response.data).toMatchObject({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    });
  });
});

describe('issues', () => {
  it('paginates over Link headers like GitHub, with the labels filter, state=all, and pull requests included', async () => {
    const f = await fake({ files: { 'README.md': '# lake\n' } });
    for (let n = 1; n <= 130; n++) {
      const issue = f.openIssueAs('stranger', {
        title: `gap ${n}`,
        labels: n % 10 === 0 ? ['other'] : ['gap', 'fill'],
      });
      if (n % 3 === 0) {
        await client(f).rest.issues.update({ ...repoOf(f), issue_number: issue.number, state: 'closed' });
      }
    }
    const pr = await openPullFromNewBranch(f, 'cbbd-gap-bot/fill');
    await client(f).rest.issues.addLabels({ ...repoOf(f), issue_number: pr, labels: ['gap', 'FILL'] });
    f.resetLog();

    const octokit = client(f);
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repoOf(f),
      state: 'all',
      labels: 'gap,fill',
      per_page: 100,
    });
    expect(all).toHaveLength(117 + 1);
    expect(new Set(all.map((i) => i.number)).size).toBe(all.length);
    expect(all.filter((i) => i.state === 'closed').length).toBeGreaterThan(30);
    expect(all.find((i) => i.number === pr)?.pull_request).toMatchObject({
      url: `${f.url}/repos/cbbd-org/cbbd-lake/pulls/${pr}`,
    });
    expect(f.log().map((e) => [e.method, e.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
    ]);

    const first = await octokit.rest.issues.listForRepo({
      ...repoOf(f),
      state: 'all',
      labels: 'gap,fill',
      per_page: 100,
    });
    const base = `${f.url}/repositories/700000001/issues?state=all&labels=gap%2Cfill&per_page=100`;
    expect(first.headers.link).toBe(`<${base}&page=2>; rel="next", <${base}&page=2>; rel="last"`);
    const second = await octokit.rest.issues.listForRepo({
      ...repoOf(f),
      state: 'all',
      labels: 'gap,fill',
      per_page: 100,
      page: 2,
    });
    expect(second.data).toHaveLength(18);
    expect(second.headers.link).toBe(`<${base}&page=1>; rel="prev", <${base}&page=1>; rel="first"`);
  });

  it('defaults to open issues, 30 a page, newest first, and lists closed ones on request', async () => {
    const f = await fake();
    const octokit = client(f);
    for (let n = 1; n <= 40; n++) f.openIssueAs('stranger', { title: `#${n}` });
    for (const issue_number of [40, 39, 3]) {
      await octokit.rest.issues.update({ ...repoOf(f), issue_number, state: 'closed' });
    }
    const { data, headers } = await octokit.rest.issues.listForRepo(repoOf(f));
    expect(data).toHaveLength(30);
    expect(data.map((i) => i.number).slice(0, 2)).toEqual([38, 37]);
    expect(headers.link).toContain('rel="next"');
    const closed = await octokit.rest.issues.listForRepo({ ...repoOf(f), state: 'closed', direction: 'asc' });
    expect(closed.data.map((i) => i.number)).toEqual([3, 39, 40]);
    expect(closed.headers.link).toBeUndefined();
  });

  it('creates missing labels implicitly, numbers issues and pulls from one sequence, and records the author', async () => {
    const f = await fake({ files: { 'a.txt': 'a' } });
    const octokit = client(f);
    const { data: issue } = await octokit.rest.issues.create({
      ...repoOf(f),
      title: 'Gap: games 2024',
      body: 'details',
      labels: ['gap', 'season:2024'],
    });
    expect(issue).toMatchObject({
      number: 1,
      state: 'open',
      user: { login: 'github-actions[bot]', type: 'Bot' },
    });
    expect(issue.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['gap', 'season:2024']);
    const { data: label } = await octokit.rest.issues.getLabel({ ...repoOf(f), name: 'season:2024' });
    expect(label.color).toBe('ededed');
    expect(await openPullFromNewBranch(f, 'x')).toBe(2);
    expect((await octokit.rest.issues.create({ ...repoOf(f), title: 'next' })).data.number).toBe(3);
  });

  it('silently drops labels on a new issue from someone without push access', async () => {
    const f = await fake();
    const { data } = await client(f, 'ghp_rhea').rest.issues.create({
      ...repoOf(f),
      title: 't',
      labels: ['gap'],
    });
    expect(data.labels).toEqual([]);
    expect(f.issue(data.number).author).toBe('rhea');
  });

  it('refuses bodies over 65536 characters with GitHub’s two error shapes', async () => {
    const f = await fake();
    const octokit = client(f);
    const tooLong = 'x'.repeat(65537);
    const created = await failure(octokit.rest.issues.create({ ...repoOf(f), title: 't', body: tooLong }));
    expect(created.status).toBe(422);
    expect(created.response.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'Issue',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: 'https://docs.github.com/rest',
      status: '422',
    });
    const { data: issue } = await octokit.rest.issues.create({
      ...repoOf(f),
      title: 't',
      body: 'x'.repeat(65536),
    });
    const updated = await failure(
      octokit.rest.issues.update({ ...repoOf(f), issue_number: issue.number, body: tooLong }),
    );
    expect(updated.response.data.errors?.[0]).toMatchObject({ resource: 'Issue', field: 'body' });
    const comment = await failure(
      octokit.rest.issues.createComment({ ...repoOf(f), issue_number: issue.number, body: tooLong }),
    );
    expect(comment.response.data.errors).toEqual([
      {
        resource: 'IssueComment',
        code: 'unprocessable',
        field: 'data',
        message: 'Body is too long (maximum is 65536 characters)',
      },
    ]);
    expect(f.issue(issue.number).comments).toEqual([]);
  });

  it('closes with a state_reason, reopens as "reopened", and records both events', async () => {
    const f = await fake();
    const octokit = client(f);
    const { number } = f.openIssueAs('stranger', { title: 'gap' });
    const closed = await octokit.rest.issues.update({
      ...repoOf(f),
      issue_number: number,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_by: { login: 'github-actions[bot]' },
    });
    const reopened = await octokit.rest.issues.update({ ...repoOf(f), issue_number: number, state: 'open' });
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });
    expect(f.issue(number).events.map((e) => e.event)).toEqual(['closed', 'reopened']);
  });

  it('posts and paginates comments', async () => {
    const f = await fake();
    const { number } = f.openIssueAs('stranger', { title: 'gap' });
    for (let n = 1; n <= 24; n++) f.commentAs('stranger', number, `me too ${n}`);
    const octokit = client(f);
    const { data: posted } = await octokit.rest.issues.createComment({
      ...repoOf(f),
      issue_number: number,
      body: 'Filled.',
    });
    expect(posted.user?.login).toBe('github-actions[bot]');
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repoOf(f),
      issue_number: number,
      per_page: 10,
    });
    expect(all.map((c) => c.body)).toEqual([
      ...Array.from({ length: 24 }, (_, i) => `me too ${i + 1}`),
      'Filled.',
    ]);
    expect(
      f.log().filter((e) => e.route === 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'),
    ).toHaveLength(3);
  });
});

describe('labels', () => {
  it('creates a label once, then 422 already_exists, names compared case-insensitively', async () => {
    const f = await fake();
    const octokit = client(f);
    const { status } = await octokit.rest.issues.createLabel({ ...repoOf(f), name: 'gap', color: 'd73a4a' });
    expect(status).toBe(201);
    const e = await failure(octokit.rest.issues.createLabel({ ...repoOf(f), name: 'GAP', color: 'd73a4a' }));
    expect(e.status).toBe(422);
    expect(e.response.data.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    expect((await failure(octokit.rest.issues.getLabel({ ...repoOf(f), name: 'missing' }))).status).toBe(404);
  });

  it('adds, replaces and removes labels, 404 "Label does not exist" when absent, with labeled events by actor', async () => {
    const f = await fake();
    const octokit = client(f);
    const { number } = f.openIssueAs('stranger', { title: 'gap' });
    const added = await octokit.rest.issues.addLabels({
      ...repoOf(f),
      issue_number: number,
      labels: ['gap', 'needs fill'],
    });
    expect(added.data.map((l) => l.name)).toEqual(['gap', 'needs fill']);
    f.labelAs('alice', number, 'approved');

    const removed = await octokit.rest.issues.removeLabel({
      ...repoOf(f),
      issue_number: number,
      name: 'needs fill',
    });
    expect(removed.data.map((l) => l.name)).toEqual(['gap', 'approved']);
    const missing = await failure(
      octokit.rest.issues.removeLabel({ ...repoOf(f), issue_number: number, name: 'needs fill' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.response.data.message).toBe('Label does not exist');

    const replaced = await octokit.rest.issues.setLabels({
      ...repoOf(f),
      issue_number: number,
      labels: ['filled'],
    });
    expect(replaced.data.map((l) => l.name)).toEqual(['filled']);

    const { data: events } = await octokit.rest.issues.listEvents({ ...repoOf(f), issue_number: number });
    const labeled = events
      .filter((e) => e.event === 'labeled')
      .map((e) => [e.actor?.login, (e as { label?: { name: string } }).label?.name]);
    expect(labeled).toEqual([
      ['github-actions[bot]', 'gap'],
      ['github-actions[bot]', 'needs fill'],
      ['alice', 'approved'],
      ['github-actions[bot]', 'filled'],
    ]);
  });
});

describe('collaborator permission', () => {
  it.each([
    ['alice', 'admin', 'admin'],
    ['max', 'write', 'maintain'],
    ['walt', 'write', 'write'],
    ['tracy', 'read', 'triage'],
    ['rhea', 'read', 'read'],
  ])('%s has legacy permission %s and role_name %s', async (username, permission, roleName) => {
    const f = await fake();
    const { data } = await client(f).rest.repos.getCollaboratorPermissionLevel({ ...repoOf(f), username });
    expect(data).toMatchObject({ permission, role_name: roleName, user: { login: username } });
  });

  it('names a custom role in role_name and shows the role it is based on in permission', async () => {
    const f = await fake({
      users: [...USERS, { login: 'carla', role: 'maintain', customRole: 'data-steward' }],
    });
    const { data } = await client(f).rest.repos.getCollaboratorPermissionLevel({
      ...repoOf(f),
      username: 'carla',
    });
    expect(data).toMatchObject({
      permission: 'write',
      role_name: 'data-steward',
      user: { permissions: { maintain: true, admin: false } },
    });
  });

  it('answers 404 for strangers on a private repository and unknown users, read on a public one', async () => {
    const f = await fake();
    const octokit = client(f);
    for (const username of ['stranger', 'nobody-at-all']) {
      const e = await failure(octokit.rest.repos.getCollaboratorPermissionLevel({ ...repoOf(f), username }));
      expect(e.status).toBe(404);
    }
    const pub = await fake({ private: false });
    const { data } = await client(pub).rest.repos.getCollaboratorPermissionLevel({
      ...repoOf(pub),
      username: 'stranger',
    });
    expect(data).toMatchObject({ permission: 'read', role_name: 'read' });
  });
});

describe('git data', () => {
  it('commits nested files the way create-pull-request does and reads them back', async () => {
    const f = await fake({ files: { 'README.md': '# lake\n', 'reports/old.md': 'old\n' } });
    const octokit = client(f);
    const r = repoOf(f);
    const { data: main } = await octokit.rest.git.getRef({ ...r, ref: 'heads/main' });
    const { data: parent } = await octokit.rest.git.getCommit({ ...r, commit_sha: main.object.sha });

    const { data: blob } = await octokit.rest.git.createBlob({
      ...r,
      content: Buffer.from('{"gaps":3}\n').toString('base64'),
      encoding: 'base64',
    });
    const { data: tree } = await octokit.rest.git.createTree({
      ...r,
      base_tree: parent.tree.sha,
      tree: [
        { path: 'reports/data_audit.md', mode: '100644', type: 'blob', content: '# Audit\n\n3 gaps.\n' },
        { path: 'reports/gaps.json', mode: '100644', type: 'blob', sha: blob.sha },
        { path: 'reports/old.md', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      ...r,
      message: 'Update data audit',
      tree: tree.sha,
      parents: [main.object.sha],
    });
    expect(commit.author.name).toBe('github-actions[bot]');
    await octokit.rest.git.createRef({ ...r, ref: 'refs/heads/cbbd-gap-bot/report', sha: commit.sha });

    const { data: file } = await octokit.rest.repos.getContent({
      ...r,
      path: 'reports/data_audit.md',
      ref: 'cbbd-gap-bot/report',
    });
    if (Array.isArray(file) || file.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(file.content, 'base64').toString()).toBe('# Audit\n\n3 gaps.\n');
    expect(file.content.endsWith('\n')).toBe(true);
    expect(f.filesAt('cbbd-gap-bot/report')).toEqual({
      'README.md': '# lake\n',
      'reports/data_audit.md': '# Audit\n\n3 gaps.\n',
      'reports/gaps.json': '{"gaps":3}\n',
    });
    expect(f.fileAt('main', 'reports/data_audit.md')).toBeUndefined();
    const { data: listing } = await octokit.rest.git.getTree({ ...r, tree_sha: tree.sha, recursive: '1' });
    expect(listing.tree.map((e) => e.path)).toEqual([
      'README.md',
      'reports',
      'reports/data_audit.md',
      'reports/gaps.json',
    ]);
    expect(
      (await failure(octokit.rest.repos.getContent({ ...r, path: 'reports/data_audit.md' }))).status,
    ).toBe(404);
  });

  it('refuses an existing ref, a non-fast-forward update unless forced, and a ref spelled with refs/ on PATCH', async () => {
    const f = await fake({ files: { 'a.txt': 'a\n' } });
    const octokit = client(f);
    const r = repoOf(f);
    const mainSha = f.refs()['refs/heads/main'] as string;
    const commitOn = async (parent: string, text: string) => {
      const { data: tree } = await octokit.rest.git.createTree({
        ...r,
        tree: [{ path: 'a.txt', mode: '100644', type: 'blob', content: text }],
      });
      return (await octokit.rest.git.createCommit({ ...r, message: text, tree: tree.sha, parents: [parent] }))
        .data.sha;
    };
    await octokit.rest.git.createRef({ ...r, ref: 'refs/heads/fill', sha: mainSha });
    const again = await failure(octokit.rest.git.createRef({ ...r, ref: 'refs/heads/fill', sha: mainSha }));
    expect([again.status, again.response.data.message]).toEqual([422, 'Reference already exists']);

    const child = await commitOn(mainSha, 'b\n');
    await octokit.rest.git.updateRef({ ...r, ref: 'heads/fill', sha: child });
    const sibling = await commitOn(mainSha, 'c\n');
    const refused = await failure(octokit.rest.git.updateRef({ ...r, ref: 'heads/fill', sha: sibling }));
    expect([refused.status, refused.response.data.message]).toEqual([422, 'Update is not a fast forward']);
    expect(f.fileAt('fill', 'a.txt')).toBe('b\n');
    await octokit.rest.git.updateRef({ ...r, ref: 'heads/fill', sha: sibling, force: true });
    expect(f.fileAt('fill', 'a.txt')).toBe('c\n');

    const prefixed = await failure(
      octokit.rest.git.updateRef({ ...r, ref: 'refs/heads/fill', sha: sibling }),
    );
    expect(prefixed.response.data.message).toBe('Reference does not exist');
    expect((await failure(octokit.rest.git.getRef({ ...r, ref: 'heads/absent' }))).status).toBe(404);
  });

  it('hashes objects exactly as git does', async () => {
    const f = await fake({ files: {} });
    const octokit = client(f);
    const { data: blob } = await octokit.rest.git.createBlob({
      ...repoOf(f),
      content: 'hello\n',
      encoding: 'utf-8',
    });
    expect(blob.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const { data: tree } = await octokit.rest.git.getTree({ ...repoOf(f), tree_sha: 'main' });
    expect(tree.sha).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });
});

/** Puts one commit on a new branch off main through the Git Data API and opens a pull request for it. */
async function openPullFromNewBranch(f: FakeGitHub, branch: string): Promise<number> {
  const octokit = client(f);
  const r = repoOf(f);
  const main = f.refs()['refs/heads/main'] as string;
  const { data: base } = await octokit.rest.git.getCommit({ ...r, commit_sha: main });
  const { data: tree } = await octokit.rest.git.createTree({
    ...r,
    base_tree: base.tree.sha,
    tree: [{ path: `changes/${branch}.md`, mode: '100644', type: 'blob', content: branch }],
  });
  const { data: commit } = await octokit.rest.git.createCommit({
    ...r,
    message: branch,
    tree: tree.sha,
    parents: [main],
  });
  await octokit.rest.git.createRef({ ...r, ref: `refs/heads/${branch}`, sha: commit.sha });
  const { data: pull } = await octokit.rest.pulls.create({
    ...r,
    title: `Fill ${branch}`,
    head: branch,
    base: 'main',
  });
  return pull.number;
}

describe('pull requests', () => {
  it('opens, refuses a duplicate and an empty one, lists by owner:branch and updates', async () => {
    const f = await fake({ files: { 'a.txt': 'a' } });
    const octokit = client(f);
    const r = repoOf(f);
    f.openIssueAs('stranger', { title: 'an issue first' });
    const number = await openPullFromNewBranch(f, 'cbbd-gap-bot/fill');
    expect(number).toBe(2);

    const duplicate = await failure(
      octokit.rest.pulls.create({ ...r, title: 'again', head: 'cbbd-org:cbbd-gap-bot/fill', base: 'main' }),
    );
    expect(duplicate.status).toBe(422);
    expect(duplicate.response.data.errors).toEqual([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: 'A pull request already exists for cbbd-org:cbbd-gap-bot/fill.',
      },
    ]);
    await octokit.rest.git.createRef({
      ...r,
      ref: 'refs/heads/empty',
      sha: f.refs()['refs/heads/main'] as string,
    });
    const empty = await failure(
      octokit.rest.pulls.create({ ...r, title: 'nothing', head: 'empty', base: 'main' }),
    );
    expect(empty.response.data.errors?.[0]?.message).toBe('No commits between main and empty');

    const { data: byHead } = await octokit.rest.pulls.list({ ...r, head: 'cbbd-org:cbbd-gap-bot/fill' });
    expect(byHead.map((p) => p.number)).toEqual([number]);
    expect((await octokit.rest.pulls.list({ ...r, head: 'cbbd-org:other' })).data).toEqual([]);
    // GitHub ignores a head filter without the owner and lists everything.
    await openPullFromNewBranch(f, 'second');
    expect((await octokit.rest.pulls.list({ ...r, head: 'cbbd-gap-bot/fill' })).data).toHaveLength(2);

    const { data: updated } = await octokit.rest.pulls.update({
      ...r,
      pull_number: number,
      title: 'Fill 2024',
      body: 'New body',
      state: 'closed',
    });
    expect(updated).toMatchObject({ title: 'Fill 2024', body: 'New body', state: 'closed', merged: false });
    expect(f.pulls().find((p) => p.number === number)).toMatchObject({
      state: 'closed',
      head: 'cbbd-gap-bot/fill',
      base: 'main',
    });
    expect((await octokit.rest.pulls.get({ ...r, pull_number: number })).data.head.ref).toBe(
      'cbbd-gap-bot/fill',
    );
    expect((await failure(octokit.rest.pulls.get({ ...r, pull_number: 1 }))).status).toBe(404);
  });
});

describe('rate limits and faults', () => {
  const RetryingOctokit = Octokit.plugin(retry, throttling);

  it('answers a secondary rate limit with 403 and retry-after, and plugin-throttling retries into success', async () => {
    const f = await fake();
    const { number } = f.openIssueAs('stranger', { title: 'gap' });
    f.injectFault({
      when: 'GET /repos/{owner}/{repo}/issues/{issue_number}',
      fault: { kind: 'secondary-rate-limit', retryAfter: 1 },
    });
    const waits: number[] = [];
    const octokit = new RetryingOctokit({
      baseUrl: f.url,
      auth: DEFAULT_BOT_TOKEN,
      log: quiet,
      throttle: {
        retryAfterBaseValue: 1, // milliseconds per second of retry-after, so the test does not wait
        onSecondaryRateLimit: (retryAfter: number) => {
          waits.push(retryAfter);
          return true;
        },
        onRateLimit: () => false,
      },
    });
    const { data } = await octokit.rest.issues.get({ ...repoOf(f), issue_number: number });
    expect(data.number).toBe(number);
    expect(waits).toEqual([1]);
    expect(f.log().map((e) => [e.status, e.fault])).toEqual([
      [403, 'secondary-rate-limit'],
      [200, undefined],
    ]);
    expect(f.faults()).toBe(1);
  });

  it('sends the secondary limit’s headers and body as GitHub does', async () => {
    const f = await fake({ faults: [{ fault: { kind: 'secondary-rate-limit', retryAfter: 7 } }] });
    const e = await failure(client(f).rest.repos.get(repoOf(f)));
    expect(e.status).toBe(403);
    expect(e.response.headers['retry-after']).toBe('7');
    expect(e.response.headers['x-ratelimit-remaining']).toBe('4999');
    expect(e.response.data.message).toBe(SECONDARY_RATE_LIMIT_MESSAGE);
  });

  it('fails the 2nd and 3rd matching request with 502, and plugin-retry gets through', async () => {
    const f = await fake({
      faults: [
        {
          when: (req) => req.method === 'POST',
          nth: 2,
          times: 2,
          fault: { kind: 'server-error', status: 502 },
        },
      ],
    });
    const octokit = new RetryingOctokit({
      baseUrl: f.url,
      auth: DEFAULT_BOT_TOKEN,
      log: quiet,
      retry: { retryAfterBaseValue: 1 },
      throttle: { enabled: false },
    });
    await octokit.rest.issues.create({ ...repoOf(f), title: 'one' });
    await octokit.rest.issues.create({ ...repoOf(f), title: 'two' });
    expect(f.issues().map((i) => i.title)).toEqual(['one', 'two']);
    expect(f.log().map((e) => e.status)).toEqual([201, 502, 502, 201]);
    expect([f.writes(), f.faults()]).toEqual([2, 2]);
  });

  it('sends x-ratelimit headers on every answer and refuses with 403 once the hourly quota is spent', async () => {
    const f = await fake({ rateLimit: 2 });
    const octokit = client(f);
    const first = await octokit.rest.repos.get(repoOf(f));
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    });
    await octokit.rest.repos.get(repoOf(f));
    expect((await octokit.rest.rateLimit.get()).data.resources.core.remaining).toBe(0);
    const spent = await failure(octokit.rest.repos.get(repoOf(f)));
    expect(spent.status).toBe(403);
    expect(spent.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(spent.response.data.message).toBe('API rate limit exceeded for installation ID 41898282.');
  });
});

describe('observability', () => {
  it('counts writes that reached a handler, not refusals, faults or reads', async () => {
    const f = await fake({
      faults: [
        { when: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', fault: { kind: 'server-error' } },
      ],
    });
    const octokit = client(f);
    const { data: issue } = await octokit.rest.issues.create({ ...repoOf(f), title: 'gap' });
    await octokit.rest.issues.get({ ...repoOf(f), issue_number: issue.number });
    await failure(octokit.rest.issues.update({ ...repoOf(f), issue_number: issue.number, title: 'faulted' }));
    await failure(octokit.rest.issues.create({ ...repoOf(f), title: 'x', body: 'y'.repeat(70000) }));
    await failure(client(f, 'bad').rest.issues.create({ ...repoOf(f), title: 'unauthenticated' }));
    await failure(octokit.request('POST /repos/{owner}/{repo}/nowhere', repoOf(f)));
    expect([f.writes(), f.faults()]).toEqual([2, 1]);
    expect(f.log().map((e) => `${e.method} ${e.status} ${e.user ?? '-'}`)).toEqual([
      'POST 201 github-actions[bot]',
      'GET 200 github-actions[bot]',
      'PATCH 500 github-actions[bot]',
      'POST 422 github-actions[bot]',
      'POST 401 -',
      'POST 404 github-actions[bot]',
    ]);
    f.resetLog();
    expect([f.writes(), f.faults(), f.log()]).toEqual([0, 0, []]);
  });
});
