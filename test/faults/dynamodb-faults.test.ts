import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbCheckpoints } from '../../src/checkpoint/dynamodb-checkpoints.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { stackEnv, testDynamoClient } from '../helpers/aws.js';
import { cli, playsFill } from '../helpers/fill-env.js';
import { tempLake } from '../helpers/lakes.js';
import { createCheckpointTable } from '../stack/aws-stack.js';
import { dynamoError, startFaultProxy, type ProxyRule } from './fault-proxy.js';
import {
  API,
  at,
  LAKE,
  SCENARIO_TIMEOUT,
  seasonPlays,
  SEASON,
  expectRunSaysWhatFailed,
  faultConfig,
  outcomeOf,
} from './fill-scenario.js';
import { WHOLE, inspectLake, lossOf, settled } from './lake-check.js';
import { addUp, faultSeeds, recordReliability } from './record.js';

const PTEE = dynamoError('ProvisionedThroughputExceededException');
const THROTTLED = dynamoError('ThrottlingException');
const INTERNAL = dynamoError('InternalServerError');

/** `fill` of the season's plays with its checkpoints in `table`. */
const fillArgs = (config: string, lake: string, table: string, extra: string[] = []) => [
  ...playsFill(config, lake, SEASON),
  ...['--checkpoints', `dynamodb://${table}`, ...extra, '--json'],
];

interface Case {
  name: string;
  /** Fills started at once: two lease the same games. */
  fills: 1 | 2;
  /** The faults for a seed: random rules draw from it, bursts start where it says. */
  rules(seed: number): ProxyRule[];
  /** A run that fails cannot release its shard lock: the re-run waits this long for it to expire. */
  leaseSeconds?: number;
}

const CASES: Case[] = [
  {
    name: 'ProvisionedThroughputExceeded and Throttling bursts on UpdateItem',
    fills: 1,
    rules: (seed) => [
      { target: 'UpdateItem', nth: at(seed, 1), times: 4, fault: PTEE },
      { target: 'UpdateItem', nth: at(seed, 12), times: 4, fault: THROTTLED },
    ],
  },
  {
    name: 'throttled shard locks (PutItem), checkpoint reads (BatchGetItem) and a stalled GetItem',
    fills: 1,
    rules: (seed) => [
      { target: 'PutItem', nth: 1, times: 2, fault: THROTTLED },
      { target: 'BatchGetItem', nth: 1, times: 2, fault: PTEE },
      { target: 'GetItem', nth: 1 + (seed % 4), times: 1, fault: { kind: 'stall', ms: 1000 } },
    ],
  },
  {
    name: '500 InternalServerError on a fifth of the requests, and UpdateItems whose answer is lost after they landed',
    fills: 1,
    rules: () => [
      { chance: 0.2, fault: INTERNAL },
      { target: 'UpdateItem', chance: 0.15, fault: { kind: 'lost-answer' } },
    ],
    // One fill (no other run to take a game over), done in about a second: a run that dies of a 500 leaves its lock
    // to expire in 3 s, not the shipped 60 s.
    leaseSeconds: 3,
  },
  {
    name: 'two fills leasing the same games (shards 1/1 and 1/2) while a tenth of the writes are throttled',
    fills: 2,
    rules: () => [
      { target: 'UpdateItem', chance: 0.1, fault: PTEE },
      { target: 'UpdateItem', chance: 0.05, fault: { kind: 'lost-answer' } },
      { target: 'GetItem', chance: 0.1, fault: THROTTLED },
    ],
  },
  {
    name: 'DynamoDB answering 500 to every UpdateItem for longer than the retries last',
    fills: 1,
    rules: (seed) => [{ target: 'UpdateItem', nth: at(seed, 4), times: 120, fault: INTERNAL }],
    leaseSeconds: 2,
  },
];

/**
 * Fills of a lake on disk whose checkpoints are on DynamoDB (dynalite), reached through a fault proxy: throttling,
 * server errors, lost answers and a lease race. Each ends saying what failed; a clean re-run finishes every game.
 */
type Lake = Awaited<ReturnType<typeof tempLake>>;

describe('a fill while its DynamoDB checkpoints fail', () => {
  let api: FakeCbbdApi;

  beforeAll(async () => {
    api = await startFakeCbbdApi({ ...API, keys: { k: 100_000 }, latencyMs: 5 });
    Object.assign(process.env, stackEnv());
  });
  afterAll(() => api.close());

  /**
   * One seed of a case: the fill (or two at once) while DynamoDB fails, a clean fill, then the lake and the table
   * read back directly.
   */
  const fillUnderFaults = async (c: Case, seed: number) => {
    const lake = await tempLake(LAKE);
    const config = await faultConfig(lake.root);
    const missing = lake.manifest.missing.fct_plays![SEASON]!;
    const table = `cp_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    const dynamodb = await startFaultProxy(inject('dynamodbEndpoint'), { rules: c.rules(seed), seed });
    const env = { CBBD_API_KEY: 'k', CBBD_API_URL: api.url, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url };
    Object.assign(process.env, env);
    const lease = ['--lease-seconds', String(c.leaseSeconds ?? 60)];
    const fill = (shard = '1/1') =>
      cli(fillArgs(config, lake.root, table, ['--shard', shard, ...lease]), env);
    try {
      api.reset();
      const runs = await Promise.all(c.fills === 1 ? [fill()] : [fill('1/1'), fill('1/2')]);
      const survived = runs.filter(expectRunSaysWhatFailed).length;
      // Leases held under faults: no game was fetched by two runs, nor twice by one.
      for (const id of missing) expect(api.callsFor('plays_game', id), `game ${id}`).toBeLessThanOrEqual(1);
      const doneFirst = runs.flatMap((r) => outcomeOf(r)?.result?.done ?? []);

      dynamodb.setRules([]);
      if (runs.some((r) => !outcomeOf(r))) await sleep((c.leaseSeconds ?? 60) * 1000 + 200);
      const again = await fill();
      expect(again.code, again.stderr).toBe(0);
      for (const id of doneFirst) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);

      const { state, stale } = await readBack(lake, table, missing);
      // DynamoDB's own 400s: ConditionalCheckFailedException, a lease or a write another run (or a retry) won.
      const refusals = dynamodb.log.filter((e) => e.status === 400 && !e.injected).length;
      const dataLost = lossOf(state);
      return { faultsInjected: dynamodb.injected(), runs: runs.length, survived, dataLost, stale, refusals };
    } finally {
      await dynamodb.close();
      await lake.cleanup();
    }
  };

  /**
   * Every game in silver once and whole. A checkpoint whose last write failed after the game's layers were written
   * stays failed, or leased with its lease run out (`stale`): the re-run finds the game covered and leaves it.
   */
  const readBack = async (lake: Lake, table: string, missing: readonly number[]) => {
    const checkpoints = createDynamoDbCheckpoints(testDynamoClient(), table);
    const state = await inspectLake(lake.store, seasonPlays(lake.manifest.gameIds[SEASON]!), checkpoints);
    expect(state).toMatchObject(WHOLE);
    const statuses = [...(await checkpoints.getMany('plays_game', missing)).values()];
    expect(statuses.filter((s) => !settled(s))).toEqual([]);
    return { state, stale: statuses.filter((s) => s.status !== 'done').length };
  };

  for (const c of CASES) {
    it(
      `${c.name}: each run ends saying what failed, every game is fetched once, and a clean re-run completes them`,
      async () => {
        const seeds = [];
        for (const seed of faultSeeds()) seeds.push(await fillUnderFaults(c, seed));
        const figures = addUp(seeds);
        expect(figures.faultsInjected).toBeGreaterThan(0);
        const extra = {
          staleCheckpoints: seeds.reduce((n, s) => n + s.stale, 0),
          conditionalRefusals: seeds.reduce((n, s) => n + s.refusals, 0),
        };
        // Two fills leasing the same games meet each other's leases: the race is real, and lost by one of them.
        if (c.fills === 2) expect(extra.conditionalRefusals).toBeGreaterThan(0);
        recordReliability(`dynamodb: ${c.name}`, { cases: 1, seeds: seeds.length, ...figures, extra });
      },
      SCENARIO_TIMEOUT,
    );
  }

  it('a lease DynamoDB refuses for good ends the fill with its error, and nothing runs on after the fill has ended', async () => {
    const lake = await tempLake(LAKE);
    const config = await faultConfig(lake.root);
    const missing = lake.manifest.missing.fct_plays![SEASON]!;
    const table = `cp_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    const refused = dynamoError('ValidationException');
    const rules: ProxyRule[] = [{ target: 'UpdateItem', nth: 4, times: 1, fault: refused }];
    const dynamodb = await startFaultProxy(inject('dynamodbEndpoint'), { rules });
    const env = { CBBD_API_KEY: 'k', CBBD_API_URL: api.url, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url };
    Object.assign(process.env, env);
    const fill = () => cli(fillArgs(config, lake.root, table, ['--lease-seconds', '2']), env);
    try {
      api.reset();
      const run = await fill();
      expect(run.code).toBe(1);
      // The game whose lease was refused is counted as left for the next run, not lost from the figures.
      expect(expectRunSaysWhatFailed(run)).toBe(true);
      expect(outcomeOf(run)?.result?.left).toBeGreaterThan(0);
      // The message names the store, the table and the step that failed.
      expect(run.stderr).toMatch(
        /^error: fill stopped: DynamoDB table cp_\w+: tryLease: Item size has exceeded the maximum allowed size$/m,
      );
      // The workers busy when the lease was refused finish their game; none takes another after the fill ended.
      const [calls, requests] = [api.log.length, dynamodb.log.length];
      await sleep(2200);
      const callsAfterTheEnd = api.log.length - calls;
      expect([api.log.length, dynamodb.log.length]).toEqual([calls, requests]);
      expect(api.inFlight).toBe(0);

      // By now the shard lock the failed run could not release has expired.
      const again = await fill();
      expect(again.code, again.stderr).toBe(0);
      const { state } = await readBack(lake, table, missing);
      recordReliability('dynamodb: a lease refused for good', {
        cases: 1,
        seeds: 1,
        faultsInjected: dynamodb.injected(),
        runs: 1,
        survived: 1,
        dataLost: lossOf(state),
        extra: { callsAfterTheEnd },
      });
    } finally {
      await dynamodb.close();
      await lake.cleanup();
    }
  });
});
