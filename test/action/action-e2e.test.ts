import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseMarker } from '../../src/github/marker.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { DEFAULT_BOT, startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';
import { runBundledAction, type ActionRun } from '../helpers/run-action.js';

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
    event?: { name: string; payload: unknown },
    env: Record<string, string> = {},
  ) => {
    const run = await runBundledAction({
      workspace,
      inputs: { lake: lake.root, 'github-token': botToken, ...inputs },
      ...(event ? { event } : {}),
      env: { CBBD_API_URL: api.url, ...env },
      github: gh,
    });
    runs.push(run);
    return run;
  };
  const gapIssues = () =>
    gh.issues().filter((i) => i.labels.includes('data-gap') && i.author === DEFAULT_BOT.login);
  const labelEvent = (issue: number, sender: string) => ({
    name: 'issues',
    payload: {
      action: 'labeled',
      issue: { number: issue },
      label: { name: 'fill' },
      sender: { login: sender },
    },
  });

  beforeAll(async () => {
    lake = await tempLake(LAKE);
    workspace = await mkdtemp(path.join(os.tmpdir(), 'cbbd-workspace-'));
    await writeFile(path.join(workspace, 'config.yaml'), DEFAULT_CONFIG_YAML);
    gh = await startFakeGitHub({
      files: { 'README.md': '# data\n' },
      users: [DEFAULT_BOT, { login: 'alice', role: 'write' }, { login: 'trent', role: 'triage' }],
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

  it('first night: one issue per gap with its marker and labels, the report committed in one pull request', async () => {
    const run = await action({ command: 'audit', seasons: '2024-2025' });
    expect(run.code, run.stdout).toBe(0);
    const gaps = Number(run.outputs.gaps);
    expect(gaps).toBeGreaterThan(3);
    expect(run.outputs['new-gaps']).toBe(String(gaps));
    const issues = gapIssues();
    expect(issues).toHaveLength(gaps);
    const keys = issues.map((i) => parseMarker(i.body)?.key);
    expect(new Set(keys).size).toBe(gaps);
    const plays = issues.find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2025')!;
    expect(plays.labels).toEqual(expect.arrayContaining(['data-gap', 'table:fct_plays', 'season:2025']));
    expect(run.outputs['pr-number']).toMatch(/^\d+$/);
    const pr = gh.pulls().find((p) => String(p.number) === run.outputs['pr-number'])!;
    expect(pr.head).toBe('cbbd-gap-bot/audit');
    expect(pr.title).toMatch(new RegExp(`${gaps} gaps`));
    expect(gh.fileAt('cbbd-gap-bot/audit', 'reports/data_audit.md')).toContain('## Scorecard');
    expect(run.summary).toContain('Data audit');
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
      gh.labelAs('trent', issue.number, 'fill');
      const run = await action({ command: 'plan' }, labelEvent(issue.number, 'trent'));
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs.legs).toBe('0');
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
    gh.labelAs('alice', copy.number, 'fill');
    const run = await action({ command: 'plan' }, labelEvent(copy.number, 'alice'));
    expect(run.outputs.legs).toBe('0');
    expect(gh.issue(copy.number).labels).not.toContain('fill');
  });

  it('a fill label from a writer runs the loop: plan, fill legs, finalize comments the result and closes the issue', async () => {
    const issue = gapIssues().find((i) => parseMarker(i.body)?.key === 'missing_children:fct_plays:2025')!;
    gh.labelAs('alice', issue.number, 'fill');
    const plan = await action({ command: 'plan', shards: '2' }, labelEvent(issue.number, 'alice'));
    expect(plan.code, plan.stdout).toBe(0);
    expect(Number(plan.outputs.legs)).toBeGreaterThan(0);
    expect(plan.outputs).toMatchObject({
      endpoint: 'plays_game',
      seasons: '2025',
      'issue-number': String(issue.number),
    });
    const legs = (
      JSON.parse(plan.outputs.matrix!) as {
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
      endpoint: 'plays_game',
      seasons: '2025',
      'issue-number': String(issue.number),
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

  it('a dispatch with a reversed range fails before anything runs, quoting the range', async () => {
    gh.resetLog();
    const run = await action(
      { command: 'plan', endpoint: 'plays_game', seasons: '2026-2020' },
      { name: 'workflow_dispatch', payload: {} },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input seasons: season range 2026-2020 is reversed; write it as 2020-2026',
    );
    expect(gh.writes()).toBe(0);
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
