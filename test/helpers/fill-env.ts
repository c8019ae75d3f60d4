import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { runCli } from '../../src/cli/run.js';
import type { GameTarget } from '../../src/fill/targets.js';
import type { GameRecord } from '../../src/source/api-records.js';
import type { CbbdClient } from '../../src/source/cbbd-client.js';
import { createHttpCbbdClient, type HttpCbbdClientOptions } from '../../src/source/http-cbbd-client.js';
import type { Logger } from '../../src/util/logger.js';
import { runBundle } from './node-binaries.js';

/** The real HTTP client for plays, on the fake API's key `k`, fast and with short retries. */
export function playsClient(
  url: string,
  logger: Logger,
  options: Partial<HttpCbbdClientOptions> = {},
): CbbdClient {
  return createHttpCbbdClient({
    baseUrl: url,
    apiKey: 'k',
    endpoints: { plays_game: { path: '/plays/game/{gameId}' } },
    rate: 1000,
    concurrency: 4,
    timeoutMs: 5000,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    quotaReserve: 0,
    logger,
    ...options,
  });
}

/** A game of the synthetic league as the call planner sees it from fct_games: place, start and teams. */
export const plannedGame = (g: GameRecord): GameTarget => ({
  gameId: g.id,
  season: g.season,
  date: g.startDate.slice(0, 10),
  startDate: g.startDate,
  homeTeam: String(g['homeTeam']),
  awayTeam: String(g['awayTeam']),
});

/** The shipped config with retries shortened to milliseconds, so fault tests do not wait seconds. */
export async function fastRetryConfig(dir: string, extra = ''): Promise<string> {
  const file = path.join(dir, 'config.yaml');
  const text = DEFAULT_CONFIG_YAML.replace('base_delay_seconds: 0.5', 'base_delay_seconds: 0.01')
    .replace('max_delay_seconds: 8', 'max_delay_seconds: 0.05')
    .replace('timeout_seconds: 60', 'timeout_seconds: 2');
  await writeFile(file, text + extra);
  return file;
}

/**
 * `fill --config C --lake L --endpoint plays_game --seasons S --call-shape game`: the argv every plays fill in the
 * tests starts with. One call per game unless `shape` says otherwise: the tests of leases, faults and crashes
 * count per-game calls; test/fill/call-shapes.test.ts fills with the planner's calls.
 */
export const playsFill = (
  config: string,
  lake: string,
  seasons: string | number,
  shape: 'game' | 'auto' = 'game',
): string[] => [
  'fill',
  ...['--config', config, '--lake', lake, '--endpoint', 'plays_game', '--seasons', String(seasons)],
  ...['--call-shape', shape],
];

/** Runs the CLI in-process and collects what it printed. */
export async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: process.cwd(),
    now: () => new Date(),
  });
  return {
    code,
    stdout: out.join(''),
    stderr: err.join(''),
    json: () => JSON.parse(out.join('')) as unknown,
  };
}

/**
 * Runs the bundled CLI (`dist/cli.js`) in a fresh Node 24 process, as a user or a matrix leg does, with this
 * process's environment (the local AWS stack's) and `env` on top. Fills that must not share an event loop with the
 * fake API use it: in-process, a busy fill delays the fake's view of when requests arrive, and each process has
 * its own connections, limiter and first window, as on the machines that share a key. Aborting `signal` kills it.
 */
export async function cliProcess(argv: string[], env: Record<string, string>, signal?: AbortSignal) {
  const run = await runBundle('dist/cli.js', argv, {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    ...(signal ? { signal } : {}),
  });
  return { ...run, json: () => JSON.parse(run.stdout) as unknown };
}
