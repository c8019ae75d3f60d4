import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseMarker } from '../../src/github/marker.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { DEFAULT_BOT, startFakeGitHub, type FakeGitHub, type WorkflowEvent } from '../fakes/github/server.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';
import { runBundledAction, type ActionRun } from '../helpers/run-action.js';
import { contractFigures, createRestContract, createWebhookContract } from '../contract/openapi-contract.js';

const API_KEY = 'cbbd-secret-key-0123456789';
const SEASONS = [2024, 2025];
const LAKE = {
  seasons: SEASONS,
  gamesPerSeason: 20,
  playsPerGame: [20, 30] as [number, number],
  gaps: onlyGaps({ missingShare: { fct_plays: 0.2, fct_substitutions: 0.1, fct_lineups: 0.1 } }),
};

/**
 * The bundled action, end to end, as GitHub runs it: night after night against a fake GitHub, and the whole fill
 * loop from a `fill` label to the result comment, over a generated lake and the fake CBBD API.
 */
describe('dist/index.js as GitHub runs it', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let workspace: string;
  let gh: FakeGitHub;
  let api: FakeCbbdApi;
  const runs: ActionRun[] = [];
  const botToken = DEFAULT_BOT.token!;

  const action = async (
    inputs: Record<string, string>,
    event: WorkflowEvent = gh.scheduled('.github/workflows/audit.yml', '17 5 * * *'),
    env: Record<string, string> = {},
  ) => {
    const run = await runBundledAction({
      workspace,
      inputs: { lake: lake.root, 'github-token': botToken, ...inputs },
      event,
      env: { CBBD_API_URL: api.url, ...env },
      github: gh,
    });
    runs.push(run);
    return run;
  };
  const gapIssues = () =>
    gh.issues().filter((i) => i.labels.includes('data-gap') && i.author === DEFAULT_BOT.login);
  /** fill.yml's check job, then (when it allows) its plan job with the check's outputs, as the workflow wires them. */
  const checkThenPlan = async (event: WorkflowEvent, planInputs: Record<string, string> = {}) => {
    const check = await action({ command: 'check' }, event);
    expect(check.code, check.stdout).toBe(0);
    if (check.outputs.allowed !== 'true') return { check, plan: undefined };
    const plan = await action(
      { command: 'plan', endpoint: check.outputs.endpoint!, seasons: check.outputs.seasons!, ...planInputs },
      event,
    );
    return { check, plan };
  };

  beforeAll(async () => {
    lake = await tempLake(LAKE);
    workspace = await mkdtemp(path.join(os.tmpdir(), 'cbbd-workspace-'));
    await writeFile(path.join(workspace, 'config.yaml'), DEFAULT_CONFIG_YAML);
    gh = await startFakeGitHub({
      files: { 'README.md': '# data\n' },
      users: [
        DEFAULT_BOT,
        { login: 'alice', role: 'write' },
        { login: 'trent', role: 'triage' },
        { login: 'mona-cat_octo', role: 'maintain' },
      ],
      // New repositories keep GitHub Actions from opening pull requests until an admin allows it.
      actionsCanCreatePullRequests: false,
    });
    api = await startFakeCbbdApi({
      seed: 7,
      seasons: SEASONS,
      gamesPerSeason: 20,
      playsPerGame: [20, 30],
      keys: { [API_KEY]: 5000 },
    });
  });
  afterAll(async () => {
    await gh.close();
    await api.close();
    await lake.cleanup();
    await rm(workspace, { recursive: true, force: true });
  });

  it('first night, Actions may not open pull requests: issues synced, report pushed, the error names the setting', async () => {
    const run = await action({ command: 'audit', seasons: '2024-2025' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::GitHub refused to open the report pull request: .*"Allow GitHub Actions to create and approve pull requests".*GitHub App installation token/,
    );
    // The step failed after the sync: every gap already has its issue (the next night checks their number).
    expect(gapIssues().length).toBeGreaterThan(3);
    expect(gh.fileAt('cbbd-gap-bot/audit', 'reports/data_audit.json')).toBeDefined();
    expect(gh.pulls()).toEqual([]);
  });

  it('the next night, once an admin allows it: one issue per gap with its marker and labels, the pull request opened', async () => {
    gh.setActionsCanCreatePullRequests(true);
    gh.resetLog();
    const run = await action({ command: 'audit', seasons: '2024-2025' });
    expect(run.code, run.stdout).toBe(0);
    // Nothing changed since the report was pushed: the one write is the pull request.
    expect(gh.writes()).toBe(1);
    expect(run.summary).toContain('pull request #');
    const gaps = Number(run.outputs.gaps);
    expect(gaps).toBeGreaterThan(3);
    // A night of 2024-2025 (not the configured full range) syncs only gaps of those seasons, none season-less.
    const report = JSON.parse(
      await readFile(
        path.join(path.dirname(path.resolve(workspace, run.outputs['report-path']!)), 'data_audit.json'),
        'utf8',
      ),
    ) as { gaps: { key: string; season?: number }[] };
    const seasonal = report.gaps.filter((g) => g.season !== undefined).map((g) => g.key);
    expect(seasonal.length).toBeGreaterThan(3);
    const issues = gapIssues();
    const keys = issues.map((i) => parseMarker(i.body)?.key);
    expect([...new Set(keys)].sort()).toEqual(seasonal.sort());
    const plays = issues.find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2025')!;
    expect(plays.labels).toEqual(expect.arrayContaining(['data-gap', 'table:fct_plays', 'season:2025']));
    expect(run.outputs['pr-number']).toMatch(/^\d+$/);
    const pr = gh.pulls().find((p) => String(p.number) === run.outputs['pr-number'])!;
    expect(pr.head).toBe('cbbd-gap-bot/audit');
    expect(pr.title).toMatch(new RegExp(`${gaps} gaps`));
    expect(pr.body).toContain('this is the first audit');
    expect(gh.fileAt('cbbd-gap-bot/audit', 'reports/data_audit.md')).toContain('## Scorecard');
    expect(run.summary).toContain('Data audit');
    expect(run.summary).toContain('GitHub writes: 1 GitHub writes of 400 (1 pull)');
  });

  it('an unchanged night makes no write call at all', async () => {
    gh.resetLog();
    const run = await action({ command: 'audit', seasons: '2024-2025' });
    expect(run.code, run.stdout).toBe(0);
    expect(gh.writes()).toBe(0);
    expect(run.outputs['pr-number']).toBe('');
  });

  it('a fill label from a triage user plans nothing, comments once naming them, and removes the label', async () => {
    const issue = gapIssues().find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2025')!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { check, plan } = await checkThenPlan(gh.labelAs('trent', issue.number, 'fill'));
      expect(check.outputs.allowed).toBe('false');
      expect(plan).toBeUndefined();
      expect(gh.issue(issue.number).labels).not.toContain('fill');
    }
    const refusals = gh.issue(issue.number).comments.filter((c) => c.author === DEFAULT_BOT.login);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.body).toContain('@trent');
  });

  it('a fill label on a look-alike issue a person opened with a copied marker is refused', async () => {
    const original = gapIssues().find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2024')!;
    const copy = gh.openIssueAs('alice', {
      title: original.title,
      body: original.body ?? '',
      labels: ['data-gap'],
    });
    const { check } = await checkThenPlan(gh.labelAs('alice', copy.number, 'fill'));
    expect(check.outputs.allowed).toBe('false');
    expect(gh.issue(copy.number).labels).not.toContain('fill');
  });

  it('a label from a sender that is no GitHub login is refused on the issue, not by a failed job', async () => {
    const issue = gapIssues().find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2024')!;
    const event = gh.labelAs('alice', issue.number, 'fill');
    const sender = event.payload.sender as { login: string };
    const { check } = await checkThenPlan({
      ...event,
      payload: { ...event.payload, sender: { ...sender, login: 'not a login' } },
    });
    expect(check.outputs.allowed).toBe('false');
    expect(gh.issue(issue.number).labels).not.toContain('fill');
    expect(gh.issue(issue.number).comments.at(-1)?.body).toContain('it came from `not a login`');
  });

  it('a fill cancelled midway comments so on the issue and keeps the label and the issue open', async () => {
    const issue = gapIssues().find(
      (i) => parseMarker(i.body)?.key === 'missing_children:fct_substitutions:2025',
    )!;
    const { check } = await checkThenPlan(gh.labelAs('mona-cat_octo', issue.number, 'fill'));
    expect(check.outputs).toMatchObject({ allowed: 'true', endpoint: 'substitutions_game', seasons: '2025' });
    const empty = await mkdtemp(path.join(os.tmpdir(), 'cbbd-results-'));
    const run = await action({
      command: 'finalize',
      cancelled: 'true',
      endpoint: check.outputs.endpoint!,
      seasons: check.outputs.seasons!,
      'issue-number': check.outputs['issue-number']!,
      'results-dir': empty,
    });
    expect(run.code, run.stdout).toBe(0);
    const after = gh.issue(issue.number);
    expect(after.state).toBe('open');
    expect(after.labels).toContain('fill');
    expect(after.comments.at(-1)?.body).toMatch(
      /^\*\*Fill cancelled\*\*: the run was cancelled before it finished/,
    );
    await rm(empty, { recursive: true, force: true });
  });

  it('a fill label from a writer runs the loop: plan, fill legs, finalize comments the result and closes the issue', async () => {
    const issue = gapIssues().find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2025')!;
    const { check, plan } = await checkThenPlan(gh.labelAs('alice', issue.number, 'fill'), { shards: '2' });
    expect(check.outputs).toMatchObject({ allowed: 'true', 'issue-number': String(issue.number) });
    expect(plan!.code, plan!.stdout).toBe(0);
    expect(Number(plan!.outputs.legs)).toBeGreaterThan(0);
    expect(plan!.outputs).toMatchObject({ endpoint: 'plays_game', seasons: '2025' });
    const legs = (
      JSON.parse(plan!.outputs.matrix!) as {
        include: { endpoint: string; season: number; shard: string; rate: number; concurrency: number }[];
      }
    ).include;
    const results = await mkdtemp(path.join(os.tmpdir(), 'cbbd-results-'));
    let filled = 0;
    for (const [i, leg] of legs.entries()) {
      const run = await action(
        {
          command: 'fill',
          endpoint: leg.endpoint,
          seasons: String(leg.season),
          shard: leg.shard,
          rate: String(leg.rate),
          concurrency: String(leg.concurrency),
          'result-path': path.join(results, `leg-${i}`, 'fill-result.json'),
        },
        undefined,
        { CBBD_API_KEY: API_KEY },
      );
      expect(run.code, run.stdout).toBe(0);
      filled += Number(run.outputs.filled);
    }
    expect(filled).toBe(lake.manifest.missing.fct_plays![2025]!.length);
    const finalize = await action({
      command: 'finalize',
      endpoint: check.outputs.endpoint!,
      seasons: check.outputs.seasons!,
      'issue-number': check.outputs['issue-number']!,
      'results-dir': results,
    });
    expect(finalize.code, finalize.stdout).toBe(0);
    expect(finalize.outputs).toMatchObject({ filled: String(filled), empty: '0', failed: '0' });
    const after = gh.issue(issue.number);
    expect(after.state).toBe('closed');
    expect(after.labels).not.toContain('fill');
    const result = after.comments.filter((c) => c.author === DEFAULT_BOT.login).at(-1)!;
    expect(result.body).toMatch(new RegExp(`${filled}`));
    expect(result.body).toContain('https://github.example/');
    await rm(results, { recursive: true, force: true });
  });

  it('the next night sees the gap gone: the report pull request says it closed', async () => {
    const run = await action({ command: 'audit', seasons: '2024-2025' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['closed-gaps']).toBe('1');
    const pr = gh.pulls().find((p) => String(p.number) === run.outputs['pr-number'])!;
    expect(pr.body).toContain('missing_children:fct_plays:2025');
    expect(gh.pulls().filter((p) => p.head === 'cbbd-gap-bot/audit')).toHaveLength(1);
  });

  it('a lake URI with nothing under it fails the step with exit 2 before any issue is touched, naming the URI', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'cbbd-no-lake-'));
    try {
      gh.resetLog();
      const run = await action({ command: 'audit', lake: empty, seasons: '2024-2025' });
      expect(run.code, run.stdout).toBe(2);
      expect(run.stdout).toContain(`::error::--lake file://${empty}: no objects under silver/`);
      expect(run.summary).toContain('cbbd-gap-bot failed (exit 2)');
      expect(gh.writes()).toBe(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('a dispatch with a reversed range fails the check before anything runs, quoting the range', async () => {
    gh.resetLog();
    const inputs = { endpoint: 'plays_game', seasons: '2026-2020', shards: '1', 'dry-run': false };
    const run = await action(
      { command: 'check', endpoint: inputs.endpoint, seasons: inputs.seasons },
      gh.dispatchAs('alice', '.github/workflows/fill.yml', inputs),
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      '::error::input seasons: season range 2026-2020 is reversed; write it as 2020-2026',
    );
    expect(gh.writes()).toBe(0);
  });

  it('a workflow whose region or fill label disagrees with config.yaml fails the step, naming the variable', async () => {
    const run = await action({ command: 'audit', seasons: '2024-2025', 'report-mode': 'none' }, undefined, {
      AWS_REGION: 'eu-west-1',
      CBBD_FILL_LABEL: 'gap-fill',
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('set the repository variable CBBD_AWS_REGION to us-east-1');
    expect(run.stdout).toContain('set the repository variable CBBD_FILL_LABEL to fill');
  });

  it('every event fed to the action validates against GitHub’s webhook schemas', () => {
    const webhooks = createWebhookContract();
    const events = [
      gh.labelAs('alice', gapIssues()[0]!.number, 'fill'),
      gh.dispatchAs('alice', '.github/workflows/fill.yml', {
        endpoint: 'plays_game',
        seasons: '2024',
        shards: '1',
        'dry-run': false,
      }),
    ];
    expect(webhooks.errors('webhook-issues-labeled', events[0]!.payload)).toEqual([]);
    expect(webhooks.errors('webhook-workflow-dispatch', events[1]!.payload)).toEqual([]);
    const schedule = gh.scheduled('.github/workflows/audit.yml', '17 5 * * *').payload;
    expect(webhooks.errors('repository-webhooks', schedule.repository)).toEqual([]);
  });

  it('every request the bundled action made matched GitHub’s REST description', () => {
    const report = createRestContract().check(gh.history());
    console.info(`OpenAPI contract (action e2e): ${contractFigures(report)}`);
    expect(report.mismatches).toEqual([]);
    expect(report.requests).toBeGreaterThan(50);
  });

  it('neither the token nor the API key appears in any log, output, summary, issue, comment or report', async () => {
    const everything = [
      // The runner consumes `::add-mask::` commands and shows them to no one; everything else is visible.
      ...runs.flatMap((r) => [
        r.stdout.replace(/^::add-mask::.*$/gm, ''),
        r.stderr,
        JSON.stringify(r.outputs),
        r.summary,
      ]),
      ...gh.issues().flatMap((i) => [i.title, i.body, ...i.comments.map((c) => c.body)]),
      ...gh.pulls().flatMap((p) => [p.title, p.body]),
      ...Object.values(gh.filesAt('cbbd-gap-bot/audit') ?? {}),
      ...(await Promise.all(
        (await readdir(path.join(workspace, 'reports'))).map((f) =>
          readFile(path.join(workspace, 'reports', f), 'utf8'),
        ),
      )),
    ].join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    expect(everything).not.toContain(botToken);
    expect(everything).not.toContain(API_KEY);
  });
});
