import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { FillOutcome } from '../../src/commands/fill.js';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import { fastRetryConfig } from '../helpers/fill-env.js';
import { leagueOf, missingPlays } from '../helpers/lakes.js';
import { faultSeeds } from './record.js';

/** The lake every fault scenario fills: one season, half its games without plays, nothing else to fix. */
export const SEASON = 2025;
export const GAMES = 16;
export const PLAYS: [number, number] = [20, 30];
export const LAKE = {
  seasons: [SEASON],
  gamesPerSeason: GAMES,
  playsPerGame: PLAYS,
  gaps: missingPlays(0.5),
};
/** A scenario's vitest timeout: generous, and longer with more seeds (CBBD_FAULT_SEEDS). */
export const SCENARIO_TIMEOUT = 60_000 + 30_000 * faultSeeds().length;

/** Where a scheduled fault starts: a few requests later for each seed. */
export const at = (seed: number, first: number) => first + ((seed * 5) % 11);

/** The plays the fake API (and the demo lake) has for a game. */
export const playCount = (gameId: number) => createRandom(mixSeed(7, gameId, 5)).int(...PLAYS);
/** What `inspectLake` expects of the season's plays. */
export const seasonPlays = (gameIds: readonly number[]) => ({
  table: 'fct_plays',
  season: SEASON,
  gameIds,
  endpoint: 'plays_game',
  rows: playCount,
});
export const API = leagueOf(LAKE);

/**
 * fastRetryConfig's file (retries in milliseconds, the API's timeout 2 s) at a pace the fakes take: the shipped 3
 * calls a second would make every run last seconds for nothing.
 */
export async function faultConfig(dir: string, extra = ''): Promise<string> {
  const file = await fastRetryConfig(dir, extra);
  const text = await readFile(file, 'utf8');
  await writeFile(
    file,
    text
      .replace('max_concurrency: 3', 'max_concurrency: 4')
      .replace('rate_limit_per_sec: 3', 'rate_limit_per_sec: 40'),
  );
  return file;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The fill's `--json` outcome, when the run got as far as printing one. */
export function outcomeOf(run: CliRun): FillOutcome | undefined {
  return run.stdout.trim() ? (JSON.parse(run.stdout) as FillOutcome) : undefined;
}

/**
 * A run under faults ends with a result that says what happened: exit 0 with nothing failed, or exit 1 with each
 * failed game and its reason (JSON and stderr), or exit 1 or 4 with an `error:` line when the run could not finish.
 * Returns whether it survived in that sense (the assertions fail the test otherwise).
 */
export function expectRunSaysWhatFailed(run: CliRun): boolean {
  // 4: the lake or the checkpoints could not be read (a listing that failed for good), said as an error.
  expect([0, 1, 4], run.stderr).toContain(run.code);
  const outcome = outcomeOf(run);
  if (run.code === 4) expect(outcome, run.stderr).toBeUndefined();
  if (run.code === 0) {
    expect(outcome?.result?.failed ?? [], run.stderr).toEqual([]);
    return true;
  }
  if (!outcome) {
    expect(run.stderr).toMatch(/^error: \S.*/m);
    return true;
  }
  const result = outcome.result;
  const failed = result?.failed ?? [];
  if (result) {
    // Every game the run set out to fetch is accounted for: finished, failed, skipped, or left for the next run.
    const accounted =
      result.done.length + result.empty.length + failed.length + result.skipped.length + result.left;
    expect(accounted, run.stderr).toBe(outcome.targets.length);
  }
  if (result?.stoppedBy) {
    expect(run.stderr).toContain(
      `STOPPED: ${result.stopMessage}; ${result.left} game(s) left for the next run`,
    );
  } else {
    expect(failed.length + (outcome.catalog?.failed.length ?? 0), run.stderr).toBeGreaterThan(0);
  }
  for (const f of failed.slice(0, 50)) expect(run.stderr).toContain(`failed ${f.gameId}: ${f.reason}`);
  return true;
}
