import { describe, expect, it } from 'vitest';
import { openGitHub } from '../../src/commands/github-context.js';
import { createGitHubClient } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { botClient, fakeGitHubs, repoOf } from './helpers.js';

const fake = fakeGitHubs();

type Client = ReturnType<typeof botClient>['octokit'];
type Repo = ReturnType<typeof repoOf>;

async function failure(call: Promise<unknown>): Promise<Error & { status?: number }> {
  try {
    await call;
  } catch (e) {
    return e as Error & { status?: number };
  }
  throw new Error('expected the call to fail');
}

describe('createGitHubClient: retries', () => {
  it('waits out a secondary rate limit for its retry-after and gets through', async () => {
    const f = await fake();
    f.injectFault({
      when: 'POST /repos/{owner}/{repo}/issues',
      fault: { kind: 'secondary-rate-limit', retryAfter: 7 },
    });
    const { octokit, logger } = botClient(f);
    const { data } = await octokit.rest.issues.create({ ...repoOf(f), title: 'gap' });
    expect(data.number).toBe(1);
    expect(f.log().map((e) => [e.status, e.fault])).toEqual([
      [403, 'secondary-rate-limit'],
      [201, undefined],
    ]);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'GitHub secondary rate limit on POST /repos/{owner}/{repo}/issues: retrying in 7s (retry 1 of 3)',
    ]);
  });

  it('gives up on a secondary rate limit after maxRetries retries', async () => {
    const f = await fake();
    f.injectFault({ fault: { kind: 'secondary-rate-limit', retryAfter: 1 }, times: 10 });
    const { octokit, logger } = botClient(f, { maxRetries: 2 });
    const e = await failure(octokit.rest.repos.get(repoOf(f)));
    expect(e.status).toBe(403);
    expect(f.faults()).toBe(3);
    expect(logger.lines.at(-1)?.message).toContain('giving up');
  });

  it('retries 5xx with backoff, a bounded number of times', async () => {
    const f = await fake();
    f.injectFault({
      when: (r) => r.method === 'POST',
      fault: { kind: 'server-error', status: 502 },
      times: 2,
    });
    const { octokit } = botClient(f);
    await octokit.rest.issues.create({ ...repoOf(f), title: 'gap' });
    expect(f.log().map((e) => e.status)).toEqual([502, 502, 201]);

    f.resetLog();
    f.injectFault({ fault: { kind: 'server-error', status: 503 }, times: 100 });
    expect((await failure(octokit.rest.repos.get(repoOf(f)))).status).toBe(503);
    expect(f.log()).toHaveLength(4);
  });

  it.each<[string, (o: Client, r: Repo) => Promise<unknown>, number]>([
    ['404 not found', (o, r) => o.rest.issues.get({ ...r, issue_number: 99 }), 404],
    [
      '422 validation (body too long)',
      (o, r) => o.rest.issues.create({ ...r, title: 't', body: 'x'.repeat(70_000) }),
      422,
    ],
    [
      '422 reference already exists',
      (o, r) => o.rest.git.createRef({ ...r, ref: 'refs/heads/main', sha: '0'.repeat(40) }),
      422,
    ],
  ])('never retries %s', async (_name, call, status) => {
    const f = await fake();
    const { octokit } = botClient(f);
    expect((await failure(call(octokit, repoOf(f)))).status).toBe(status);
    expect(f.log()).toHaveLength(1);
  });

  it('does not sit out a spent hourly quota that resets in an hour', async () => {
    const f = await fake({ faults: [{ fault: { kind: 'primary-rate-limit' } }] });
    const { octokit, logger } = botClient(f);
    expect((await failure(octokit.rest.repos.get(repoOf(f)))).status).toBe(403);
    expect(f.log()).toHaveLength(1);
    expect(logger.lines.at(-1)?.message).toMatch(/primary rate limit .* giving up/);
  });
});

describe('createGitHubClient: writes one at a time', () => {
  it('never has two writes in flight, reads mixed in or not', async () => {
    const f = await fake();
    let inFlight = 0;
    let maxWrites = 0;
    const counting: typeof fetch = async (input, init) => {
      const write = (init?.method ?? 'GET') !== 'GET';
      if (write) maxWrites = Math.max(maxWrites, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        if (write) inFlight--;
      }
    };
    const { octokit } = botClient(f, { fetch: counting });
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => octokit.rest.issues.create({ ...repoOf(f), title: `gap ${i}` })),
      ...Array.from({ length: 4 }, () => octokit.rest.repos.get(repoOf(f))),
    ]);
    expect(f.issues()).toHaveLength(6);
    expect(maxWrites).toBe(1);
  });
});

describe('createGitHubClient: the token', () => {
  const token = 'ghp_doNotLeakThisToken0123456789';

  it('never appears in an error message or a log line', async () => {
    const f = await fake();
    const logger = createMemoryLogger();
    const octokit = createGitHubClient({ token, baseUrl: f.url, logger, retryAfterBaseValue: 1 });
    const e = await failure(octokit.rest.issues.create({ ...repoOf(f), title: 'x' }));
    expect(e.status).toBe(401);
    expect(`${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}`).not.toContain(token);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.lines)).not.toContain(token);
  });

  it('is scrubbed from a log line that would quote it', async () => {
    const f = await fake();
    const logger = createMemoryLogger();
    const octokit = createGitHubClient({ token, baseUrl: f.url, logger, retryAfterBaseValue: 1 });
    // Octokit logs each request's path; here the path holds the token.
    const e = await failure(octokit.request(`GET /repos/x/${token}/nothing`));
    expect(e.message).not.toContain(token);
    expect(JSON.stringify(logger.lines)).not.toContain(token);
  });

  it('must not be empty', () => {
    expect(() =>
      createGitHubClient({ token: ' ', baseUrl: 'http://127.0.0.1:1', logger: createMemoryLogger() }),
    ).toThrow(/token is required/);
  });
});

describe('openGitHub: CBBD_GITHUB_PACE_MS', () => {
  const open = (pace: string) =>
    openGitHub('t', 'bot', { GITHUB_REPOSITORY: 'o/r', CBBD_GITHUB_PACE_MS: pace }, createMemoryLogger());

  it('takes whole milliseconds up to a second, and refuses anything else naming the variable', () => {
    expect(open('10').octokit).toBeDefined();
    expect(open('').octokit).toBeDefined();
    for (const bad of ['fast', '-5', '1.5', '1001'])
      expect(() => open(bad)).toThrow(
        `CBBD_GITHUB_PACE_MS: expected whole milliseconds from 0 to 1000, got "${bad}"`,
      );
  });
});
