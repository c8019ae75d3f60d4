import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/util/version.js';

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

  it('keeps DuckDB out of the action bundle and loads it lazily in the CLI', async () => {
    const action = await readFile('dist/index.js', 'utf8');
    expect(action).not.toMatch(/@duckdb\/node-api/);
    const cli = await readFile('dist/cli.js', 'utf8');
    expect(cli).not.toMatch(/^import .*@duckdb\/node-api/m);
  });

  it('carries the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
