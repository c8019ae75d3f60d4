import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { NODE24, NODE24_VERSION } from '../helpers/node-binaries.js';
import { SMALL_LAKE, tempLake } from '../helpers/lakes.js';

async function cli(argv: string[], cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd,
    now: () => new Date('2026-11-21T05:00:00Z'),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('the bundled CLI on Node 24', () => {
  it('runs the whole suite, not only the bundle, on the Node 24 of node_modules', () => {
    expect(process.versions.node).toBe(NODE24_VERSION);
    expect(NODE24_VERSION.split('.')[0]).toBe('24');
  });

  it('prints its help from dist/cli.js', () => {
    const run = spawnSync(NODE24, ['dist/cli.js', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Commands:');
    expect(run.stdout).toMatch(/\n {2}audit {4}/);
    expect(run.stdout).toMatch(/\n {2}demo {5}/);
  });

  it('exits 2 naming the key for a bad config.yaml, from the bundle', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-cli-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      'bucket: hoops-edge\nseasons: {start: 2010, end: 2026}\napi:\n  rate_limit_per_sec: fast\n',
    );
    const run = spawnSync(NODE24, ['dist/cli.js', 'audit', '--config', file, '--lake', dir], {
      encoding: 'utf8',
    });
    await rm(dir, { recursive: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('api.rate_limit_per_sec: expected a number, got "fast"');
  });

  it('exits 2 quoting a reversed season range, from the bundle', () => {
    const run = spawnSync(NODE24, ['dist/cli.js', 'audit', '--seasons', '2026-2020', '--lake', os.tmpdir()], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('season range 2026-2020 is reversed; write it as 2020-2026');
  });
});

describe('cbbd-gap-bot audit', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let out: string;
  beforeAll(async () => {
    lake = await tempLake({ ...SMALL_LAKE, seasons: [2024, 2025, 2026] });
    out = path.join(lake.root, 'reports');
  });
  afterAll(() => lake.cleanup());

  it('writes the markdown, JSON and SVG report and prints the scorecard', async () => {
    const run = await cli(['audit', '--lake', lake.root, '--seasons', '2024-2026', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/scorecard \(scan, seasons 2024-2026\)/);
    const json = JSON.parse(await readFile(path.join(out, 'data_audit.json'), 'utf8'));
    expect(json).toMatchObject({
      schemaVersion: 1,
      engine: 'scan',
      seasons: [2024, 2026],
      lake: `file://${lake.root}`,
    });
    const md = await readFile(path.join(out, 'data_audit.md'), 'utf8');
    expect(md).toContain('## Scorecard');
    expect(md).toContain('![Coverage by season and table](coverage.svg)');
    expect(await readFile(path.join(out, 'coverage.svg'), 'utf8')).toMatch(/^<svg [^>]*width="\d+"/);
  });

  it('--json prints the document on stdout and nothing else', async () => {
    const run = await cli(['audit', '--lake', lake.root, '--seasons', '2024-2026', '--out', out, '--json']);
    expect(JSON.parse(run.stdout).schemaVersion).toBe(1);
  });

  it('compares with the previous data_audit.json', async () => {
    const run = await cli(['audit', '--lake', lake.root, '--seasons', '2024-2026', '--out', out, '--json']);
    const doc = JSON.parse(run.stdout);
    expect(doc.diff).toMatchObject({ newGaps: [], closedGaps: [], changedGaps: [], coverageMoves: [] });
    expect(await readFile(path.join(out, 'data_audit.md'), 'utf8')).toContain(
      'No gap opened, closed or moved.',
    );
  });

  it('--fail-on-gaps exits 1 when there are gaps', async () => {
    const run = await cli([
      'audit',
      '--lake',
      lake.root,
      '--seasons',
      '2025',
      '--out',
      out,
      '--fail-on-gaps',
    ]);
    expect(run.code).toBe(1);
  });

  const usage: [string[], string][] = [
    [['audit', '--sesons', '2024'], "Unknown option '--sesons'"],
    [['audit', '--engine', 'spark'], '--engine: "spark" is not one of'],
    [['audit', '--seasons', '2009'], 'season 2009 in "2009" is outside seasons.start..end (2010-2026)'],
    [['audit', '--lake', 'gs://bucket'], '--lake: scheme of "gs://bucket" is not supported'],
    [
      ['audit', '--lake', 's3://Bad_Bucket'],
      '--lake: "Bad_Bucket" in "s3://Bad_Bucket" is not a valid S3 bucket name',
    ],
    [
      ['audit', '--config', '/nonexistent/config.yaml'],
      '/nonexistent/config.yaml: cannot read the config (ENOENT)',
    ],
    [['fly'], 'unknown command "fly"'],
    [['demo', '--games', '0'], '--games: expected a whole number from 1 to 10000, got "0"'],
    [['demo', '--lake', 'somewhere'], '--lake: demo writes its own lake; use --dir'],
    [
      ['repair', '--confirm-delete'],
      '--confirm-delete: only with --apply (without it repair changes nothing)',
    ],
    [['fill', '--endpoint', 'plays_game'], '--seasons: required (e.g. 2024 or 2020-2026)'],
    [['plan', '--seasons', '2024'], '--endpoint: required (an endpoint name, or all)'],
  ];
  it.each(usage)('exits 2 for %j, naming the flag', async (argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('prints per-command help', async () => {
    const run = await cli(['audit', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--fail-on-gaps');
  });
});
