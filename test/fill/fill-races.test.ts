import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { FillOutcome } from '../../src/commands/fill.js';
import { stackEnv } from '../helpers/aws.js';
import { cliProcess, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { createCheckpointTable } from '../stack/aws-stack.js';

const SEASONS = [2024];
const LAKE = {
  seasons: SEASONS,
  gamesPerSeason: 40,
  playsPerGame: [20, 30] as [number, number],
  gaps: missingPlays(0.5),
};

describe('fills racing on DynamoDB checkpoints (dynalite)', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let config: string;
  let missing: number[];
  const env = () => ({ CBBD_API_KEY: 'k', CBBD_API_URL: api.url });

  beforeAll(() => {
    // The SDK reads the standard variables from the process: the same code runs against AWS.
    Object.assign(process.env, stackEnv());
  });
  // Each race gets a fresh lake (the previous one is filled by then), API and checkpoint table.
  beforeEach(async () => {
    lake = await tempLake(LAKE);
    missing = lake.manifest.missing.fct_plays![2024]!;
    config = await fastRetryConfig(lake.root);
  });
  afterEach(async () => {
    await api.close();
    await lake.cleanup();
  });

  const freshTable = async () => {
    const table = `cp_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    return `dynamodb://${table}`;
  };
  const fill = (checkpoints: string, extra: string[] = []) =>
    cliProcess(
      [...playsFill(config, lake.root, '2024'), '--checkpoints', checkpoints, '--json', ...extra],
      env(),
    );
  const startApi = async () => {
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { k: 10_000 },
      latencyMs: 30,
    });
  };
  const everyGameOnce = () => {
    for (const id of missing) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);
    expect(api.callsFor('plays_game')).toBe(missing.length);
  };

  it('three copies of one fill: each game asked once, the API limits held, two copies step aside', async () => {
    await startApi();
    const checkpoints = await freshTable();
    const runs = await Promise.all([fill(checkpoints), fill(checkpoints), fill(checkpoints)]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    everyGameOnce();
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(3);
    const outcomes = runs.map((r) => r.json() as FillOutcome);
    const ran = outcomes.filter((o) => o.result?.seasons.every((s) => s.ran));
    expect(ran).toHaveLength(1);
    for (const o of outcomes.filter((x) => x !== ran[0]))
      expect(o.result?.seasons[0]?.heldBy).toMatch(/^local [0-9a-f]{8} on .* pid \d+$/);
  });

  it('three shards at once with a third of the budget each cover every game once, within the limits', async () => {
    await startApi();
    const checkpoints = await freshTable();
    const runs = await Promise.all(
      ['1/3', '2/3', '3/3'].map((shard) =>
        fill(checkpoints, ['--shard', shard, '--rate', '1', '--concurrency', '1']),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    everyGameOnce();
    const done = runs.flatMap((r) => (r.json() as FillOutcome).result?.done ?? []);
    expect(done.sort()).toEqual([...missing].sort());
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(3);
  });

  it('overlapping shards (1/1 and 1/2 at once) never fetch a game twice', async () => {
    await startApi();
    const checkpoints = await freshTable();
    const runs = await Promise.all([fill(checkpoints), fill(checkpoints, ['--shard', '1/2'])]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    everyGameOnce();
  });
});
