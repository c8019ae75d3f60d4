import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/util/version.js';
import { NODE24 } from '../helpers/node-binaries.js';

describe('dist/ is part of the source', () => {
  it('equals a fresh `npm run package`', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-dist-'));
    try {
      execFileSync(process.execPath, ['build.mjs', dir], { stdio: 'pipe' });
      for (const file of ['index.js', 'cli.js']) {
        const fresh = await readFile(path.join(dir, file), 'utf8');
        const committed = await readFile(path.join('dist', file), 'utf8');
        expect(
          committed === fresh,
          `dist/${file} differs from a fresh build: run npm run package and commit dist/`,
        ).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('bundles no DuckDB code and imports it only at run time, when the duckdb engine is chosen', async () => {
    for (const file of ['dist/index.js', 'dist/cli.js']) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toMatch(/^import .* from ["']@duckdb\/node-api["']/m);
      expect(text, file).not.toMatch(/class DuckDBInstance\b/);
    }
  });

  it('the bundles start with no node_modules at all, as GitHub runs an action', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-bare-'));
    try {
      await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
      await copyFile('dist/index.js', path.join(dir, 'index.js'));
      await copyFile('dist/cli.js', path.join(dir, 'cli.js'));
      const cli = spawnSync(NODE24, ['cli.js', '--help'], { cwd: dir, encoding: 'utf8' });
      expect(cli.status).toBe(0);
      expect(cli.stdout).toContain('Commands:');
      const action = spawnSync(NODE24, ['index.js'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, INPUT_COMMAND: 'no-such-command' },
      });
      expect(action.stdout).toContain('::error::input command: "no-such-command" is not one of');
      expect(action.status).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('carries the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
