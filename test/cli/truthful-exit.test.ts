import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli } from '../helpers/fill-env.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';

const cli = (argv: string[]) => runCli(argv, {});

/** A lake of one season, four games. */
const TINY = {
  seasons: [2024],
  gamesPerSeason: 4,
  playsPerGame: [2, 3] as [number, number],
  gaps: onlyGaps({}),
};

/** Every command that reads a lake, with the flags it needs besides `--lake`. */
const COMMANDS = (scratch: string): [string, string[]][] => [
  ['audit', ['audit', '--out', path.join(scratch, 'reports')]],
  ['plan', ['plan', '--endpoint', 'plays_game', '--seasons', '2024']],
  ['fill --dry-run', ['fill', '--endpoint', 'plays_game', '--seasons', '2024', '--dry-run']],
  ['repair', ['repair']],
];

describe('a lake that is not there is a usage error, for every command', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'cbbd-truth-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  for (const [name] of COMMANDS('')) {
    it(`${name} of a directory that does not exist exits 2, naming the URI and what was listed`, async () => {
      const lake = path.join(scratch, 'nonexistent', 'lake');
      const argv = COMMANDS(scratch).find(([n]) => n === name)![1];
      const run = await cli([...argv, '--lake', lake]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--lake file://${lake}: no objects under silver/`);
      expect(run.stderr).toContain("the lake's top level: nothing");
      expect(run.stderr).not.toMatch(/NO DATA|0 missing games|nothing to do/);
    });
  }

  it('a lake with silver/ but no silver/fct_games exits 2 for every command, listing the tables it found', async () => {
    const lake = await tempLake(TINY);
    try {
      await rm(path.join(lake.root, 'silver', 'fct_games'), { recursive: true });
      for (const [name, argv] of COMMANDS(scratch)) {
        const run = await cli([...argv, '--lake', lake.root]);
        expect(run.code, `${name}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(`--lake file://${lake.root}: no objects under silver/fct_games/`);
        expect(run.stderr).toMatch(
          /listed file:\/\/\S+\/silver\/: dim_conferences\/, dim_\w+\/, .*, \+\d+ more\./,
        );
      }
    } finally {
      await lake.cleanup();
    }
  });
});

describe('exit 4: a run that could not reach or read the lake', () => {
  const saved = { ...process.env };
  afterAll(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('no AWS credentials: exit 4 naming S3, the bucket and the remedy — not 1, not "gaps found"', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    });
    const run = await cli(['audit', '--lake', 's3://hoops-edge-nowhere/lake', '--out', os.tmpdir()]);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/^error: S3 bucket hoops-edge-nowhere \(prefix lake\/\): list silver\/: /m);
    expect(run.stderr).toContain('likely remedy: no AWS credentials were found');
  });

  it('an S3 endpoint that refuses connections: exit 4 naming S3 and the bucket', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    const run = await cli([
      'plan',
      '--lake',
      's3://hoops-edge-nowhere',
      '--endpoint',
      'plays_game',
      '--seasons',
      '2024',
    ]);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(
      /^error: S3 bucket hoops-edge-nowhere: list silver\/: .*likely remedy: could not reach S3/m,
    );
  });
});

describe('--out that cannot be written', () => {
  it('is found before the scan: exit 2, nothing listed', async () => {
    const lake = await tempLake(TINY);
    try {
      const blocker = path.join(lake.root, 'a-file');
      await writeFile(blocker, 'not a directory');
      const run = await cli(['audit', '--lake', lake.root, '--out', path.join(blocker, 'reports')]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(
        `--out ${path.join(blocker, 'reports')}: the report cannot be written there`,
      );
      expect(run.stderr).not.toContain('listed');
    } finally {
      await lake.cleanup();
    }
  });
});
