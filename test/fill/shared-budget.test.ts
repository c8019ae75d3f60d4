import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { stackEnv } from '../helpers/aws.js';
import { cliProcess, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { maxStartedInAnyWindow } from '../fakes/cbbd-api-log.js';
import { createCheckpointTable } from '../stack/aws-stack.js';

/** The key's budget in the shipped config: 3 requests a second, 3 in flight. */
const R = 3;
const C = 3;
const SEASONS = [2023, 2024, 2025];
const LAKE = {
  seasons: SEASONS,
  gamesPerSeason: 60,
  playsPerGame: [2, 4] as [number, number],
  gaps: missingPlays(0.6),
};

/**
 * Issue #12's done-when, against the fake CBBD API's request log (what the server sees), never wall time: every
 * fill of one key, whatever its seasons or process, holds a share of one budget kept in the checkpoint store.
 */
describe('one API budget per key, shared through the checkpoint store', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let config: string;
  let api: FakeCbbdApi;
  const dirs: string[] = [];
  const env = () => ({ CBBD_API_KEY: 'k', CBBD_API_URL: api.url });

  beforeAll(async () => {
    Object.assign(process.env, stackEnv());
  });
  afterEach(async () => {
    await api.close();
    await lake.cleanup();
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const fresh = async (gamesPerSeason = LAKE.gamesPerSeason) => {
    const options = { ...LAKE, gamesPerSeason };
    lake = await tempLake(options);
    config = await fastRetryConfig(lake.root);
    api = await startFakeCbbdApi({ ...leagueOf(options), keys: { k: 100_000 }, latencyMs: 20 });
  };
  const dynamo = async () => {
    const table = `cp_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    return `dynamodb://${table}`;
  };
  const files = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-budget-store-'));
    dirs.push(dir);
    return dir;
  };
  /** Starts ÷ what R a second allows from the first start to a second after the last. */
  const utilisation = () => {
    const starts = api.log.map((e) => e.startedAt).sort((a, b) => a - b);
    return starts.length / (R * ((starts.at(-1)! - starts[0]!) / 1000 + 1));
  };

  it.each([
    { name: 'DynamoDB (dynalite)', store: dynamo },
    { name: 'the file store', store: files },
  ])(
    'three fills of different seasons at once through $name: never over R starts a second or C in flight, each game once, ≥ 90% of the budget used',
    async ({ name, store }) => {
      await fresh();
      const checkpoints = await store();
      const runs = await Promise.all(
        SEASONS.map((s) =>
          cliProcess([...playsFill(config, lake.root, s), '--checkpoints', checkpoints, '--json'], env()),
        ),
      );
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      const missing = SEASONS.flatMap((s) => lake.manifest.missing.fct_plays![s]!);
      for (const id of missing) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);
      expect(api.callsFor('plays_game')).toBe(missing.length);
      expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(R);
      expect(api.maxInFlight).toBeLessThanOrEqual(C);
      const used = utilisation();
      console.log(
        `shared budget, 3 fills, ${name}: ${missing.length} calls, ${(100 * used).toFixed(1)}% of R used`,
      );
      expect(used).toBeGreaterThanOrEqual(0.9);
    },
    180_000,
  );

  it('one of two fills killed mid-run: the survivor takes the whole budget back, and the server never sees more than R starts a second or C in flight', async () => {
    await fresh();
    const checkpoints = await dynamo();
    const games = (season: number) => new Set(lake.manifest.missing.fct_plays![season]!);
    const [killed, survivor] = [games(2024), games(2025)];
    const callsOf = (set: Set<number>) => api.log.filter((e) => e.gameId !== undefined && set.has(e.gameId));
    const fill = (season: number, signal?: AbortSignal) =>
      cliProcess([...playsFill(config, lake.root, season), '--checkpoints', checkpoints], env(), signal);
    const kill = new AbortController();
    const first = fill(2024, kill.signal);
    await new Promise((r) => setTimeout(r, 300));
    const second = fill(2025);
    // SIGKILL the first once both have been fetching for a while: no leave, its entry left to expire.
    while (callsOf(killed).length < 8 || callsOf(survivor).length < 3)
      await new Promise((r) => setTimeout(r, 50));
    const killedAt = performance.now();
    kill.abort();
    const [dead, alive] = await Promise.all([first, second]);
    expect(dead.code).toBeNull();
    expect(alive.code).toBe(0);
    for (const id of survivor) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(R);
    expect(api.maxInFlight).toBeLessThanOrEqual(C);
    // At its share beside the other (1 or 2 a second) it never starts R in a second; alone again, it does.
    const before = callsOf(survivor).filter((e) => e.startedAt < killedAt);
    const after = callsOf(survivor).filter((e) => e.startedAt > killedAt);
    expect(maxStartedInAnyWindow(before, 1000)).toBeLessThan(R);
    expect(maxStartedInAnyWindow(after, 1000)).toBe(R);
  }, 120_000);

  it('a run that finds the budget taken waits in line, and its output says its place and its share', async () => {
    await fresh(10);
    const checkpoints = await files();
    // One request a second: one run at a time. The second run (started while the first works) waits in line.
    const one = config.replace(/config\.yaml$/, 'config-1.yaml');
    const text = (await readFile(config, 'utf8'))
      .replace('rate_limit_per_sec: 3', 'rate_limit_per_sec: 1')
      .replace('max_concurrency: 3', 'max_concurrency: 1');
    await writeFile(one, text);
    const fill = (season: number) =>
      cliProcess([...playsFill(one, lake.root, season), '--checkpoints', checkpoints, '--limit', '3'], env());
    const first = fill(2024);
    await new Promise((r) => setTimeout(r, 300));
    const runs = await Promise.all([first, fill(2025)]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs[0]!.stderr).toContain("at a share of 1/s across the key's running fills");
    expect(runs[0]!.stderr).toContain(
      "API budget: this run's share is 1/s and 1 in flight of 1/s and 1 across 1 run(s)",
    );
    expect(runs[1]!.stderr).toContain('waiting for the API budget: place 1 in line (2 runs hold this key)');
    expect(runs[1]!.stderr).toMatch(
      /API budget: held with up to 1 other run\(s\) of this key, last share 1\/s and 1 in flight; waited \d+\.\d s in line from place 1/,
    );
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(1);
  }, 60_000);

  it('20 fresh one-game fill processes in a row: the server never counts more than R starts in a second', async () => {
    await fresh(30);
    const checkpoints = await files();
    const codes: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const run = await cliProcess(
        [...playsFill(config, lake.root, 2024), '--checkpoints', checkpoints, '--limit', '1'],
        env(),
      );
      codes.push(run.code);
    }
    expect(codes).toEqual(Array.from({ length: 20 }, () => 0));
    expect(api.callsFor('plays_game')).toBe(Math.min(20, lake.manifest.missing.fct_plays![2024]!.length));
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(R);
  }, 180_000);
});
