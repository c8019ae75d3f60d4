import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbCheckpoints } from '../../src/checkpoint/dynamodb-checkpoints.js';
import type { AuditResult } from '../../src/audit/types.js';
import { generateDemoLake } from '../../src/demo/generate-lake.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';
import { freshS3Lake, stackEnv, testDynamoClient } from '../helpers/aws.js';
import { cli } from '../helpers/fill-env.js';
import { createCheckpointTable } from '../stack/aws-stack.js';
import { s3Error, startFaultProxy, type ProxyRule } from './fault-proxy.js';
import {
  API,
  LAKE,
  SCENARIO_TIMEOUT,
  seasonPlays,
  SEASON,
  faultConfig,
  expectRunSaysWhatFailed,
  outcomeOf,
} from './fill-scenario.js';
import { WHOLE, inspectLake, lossOf, settled } from './lake-check.js';
import { addUp, faultSeeds, recordReliability } from './record.js';

/** A PUT or GET of a lake object (not a listing, not the bucket). */
const LAKE_OBJECT = /^\/cbbd-test-lake\/t-[0-9a-f]{8}\/(raw|bronze|silver|deadletter)\//;
const PARQUET_GET = /\.parquet(\?|$)/;

interface Case {
  name: string;
  rules: ProxyRule[];
}

const CASES: Case[] = [
  {
    name: '503 SlowDown on a fifth of the PUTs and 500 InternalError on a tenth',
    rules: [
      { method: 'PUT', path: LAKE_OBJECT, chance: 0.2, fault: s3Error('SlowDown') },
      { method: 'PUT', path: LAKE_OBJECT, chance: 0.1, fault: s3Error('InternalError') },
    ],
  },
  {
    name: 'connections reset before a PUT reaches S3, and after it landed',
    rules: [
      { method: 'PUT', path: LAKE_OBJECT, chance: 0.15, fault: { kind: 'reset' } },
      { method: 'PUT', path: LAKE_OBJECT, chance: 0.15, fault: { kind: 'lost-answer' } },
    ],
  },
  {
    name: 'a PUT and a listing stalled until the connection is dropped',
    rules: [
      { method: 'PUT', path: LAKE_OBJECT, nth: 2, times: 1, fault: { kind: 'stall', ms: 1000 } },
      { method: 'GET', path: /list-type=2/, nth: 2, times: 1, fault: { kind: 'stall', ms: 1000 } },
    ],
  },
  {
    name: 'footer reads cut short and answered 503 ServiceUnavailable',
    rules: [
      { method: 'GET', path: PARQUET_GET, chance: 0.1, fault: { kind: 'truncate' } },
      { method: 'GET', path: PARQUET_GET, chance: 0.1, fault: s3Error('ServiceUnavailable') },
    ],
  },
];

/**
 * A fill of an S3 lake (s3rver) with DynamoDB checkpoints (dynalite), both reached through fault proxies by the
 * SDK's standard endpoint variables, while S3 misbehaves; then the same fill again with S3 healthy.
 */
describe('a fill on an S3 lake while S3 fails', () => {
  let api: FakeCbbdApi;
  let glue: FakeGlue;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-faults-s3-'));
    // The SDK's own timeouts short, as the API's (fastRetryConfig): a stall costs seconds, not minutes.
    config = await faultConfig(dir, 'aws:\n  request_timeout_seconds: 1\n  connect_timeout_seconds: 1\n');
    api = await startFakeCbbdApi({ ...API, keys: { k: 100_000 } });
    glue = await startFakeGlue();
    Object.assign(process.env, stackEnv(), { AWS_ENDPOINT_URL_GLUE: glue.url });
  });
  afterAll(async () => {
    await api.close();
    await glue.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One seed of a case: a fill while S3 fails, a fill while it does not, then the lake read back directly. */
  const fillUnderFaults = async (c: Case, seed: number) => {
    const lake = freshS3Lake();
    const manifest = await generateDemoLake(lake.store, LAKE);
    const missing = manifest.missing.fct_plays![SEASON]!;
    const table = `cp_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    const s3 = await startFaultProxy(inject('s3Endpoint'), { rules: c.rules, seed });
    const dynamodb = await startFaultProxy(inject('dynamodbEndpoint'));
    const env = {
      CBBD_API_KEY: 'k',
      CBBD_API_URL: api.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
    };
    // The SDK reads its endpoints from the process, as on a runner.
    Object.assign(process.env, env);
    const args = [
      '--config',
      config,
      '--lake',
      lake.uri,
      '--endpoint',
      'plays_game',
      '--seasons',
      String(SEASON),
      // One call per game: the games this test follows through S3's faults are each their own call.
      '--call-shape',
      'game',
    ];
    const fill = () => cli(['fill', ...args, '--checkpoints', `dynamodb://${table}`, '--json'], env);
    try {
      api.reset();
      const first = await fill();
      const survived = expectRunSaysWhatFailed(first);
      // A run that got as far as its plan aimed at exactly the missing games: none skipped, none fetched again.
      const targets = outcomeOf(first)?.targets.map((t) => t.gameId);
      if (targets) expect(targets.sort()).toEqual([...missing].sort());
      const doneFirst = outcomeOf(first)?.result?.done ?? [];
      const callsFirst = new Map(doneFirst.map((id) => [id, api.callsFor('plays_game', id)]));

      s3.setRules([]);
      const again = await fill();
      expect(again.code, again.stderr).toBe(0);
      for (const [id, calls] of callsFirst) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(calls);

      const checkpoints = createDynamoDbCheckpoints(testDynamoClient(), table);
      const state = await inspectLake(lake.store, seasonPlays(manifest.gameIds[SEASON]!), checkpoints);
      expect(state).toMatchObject(WHOLE);
      // Every missing game is in silver once (above). Its checkpoint says done, or still says failed when the
      // first run's last try of its silver PUT landed but lost its answer: the re-run finds the game covered
      // and leaves the checkpoint as it is.
      const statuses = [...(await checkpoints.getMany('plays_game', missing)).values()];
      expect(statuses.filter((s) => !settled(s))).toEqual([]);
      return {
        faultsInjected: s3.injected(),
        runs: 1,
        survived: survived ? 1 : 0,
        dataLost: lossOf(state),
        stallsEndedByTheBot: s3.log.filter((e) => e.injected === 'stall' && e.clientGaveUp).length,
        staleCheckpoints: statuses.filter((s) => s.status !== 'done').length,
      };
    } finally {
      await s3.close();
      await dynamodb.close();
    }
  };

  for (const c of CASES) {
    it(
      `${c.name}: each run ends saying what failed, leaves only whole objects, and a clean re-run fills every game once`,
      async () => {
        const seeds = [];
        for (const seed of faultSeeds()) seeds.push(await fillUnderFaults(c, seed));
        const figures = addUp(seeds);
        expect(figures.faultsInjected).toBeGreaterThan(0);
        const extra = {
          stallsEndedByTheBot: seeds.reduce((n, s) => n + s.stallsEndedByTheBot, 0),
          staleCheckpoints: seeds.reduce((n, s) => n + s.staleCheckpoints, 0),
        };
        recordReliability(`s3: ${c.name}`, { cases: 1, seeds: seeds.length, ...figures, extra });
      },
      SCENARIO_TIMEOUT,
    );
  }

  it(
    'an audit whose footer reads are cut short reports the lake as it is, or fails naming the file, never a false unreadable file',
    async () => {
      const figures = { faultsInjected: 0, runs: 0, survived: 0, dataLost: 0 };
      const lake = freshS3Lake();
      await generateDemoLake(lake.store, LAKE);
      const audit = async (endpoint: string) => {
        const env = { AWS_ENDPOINT_URL_S3: endpoint };
        Object.assign(process.env, env);
        const args = ['--config', config, '--lake', lake.uri, '--seasons', String(SEASON), '--out', dir];
        return cli(['audit', ...args, '--json'], env);
      };
      const clean = await audit(inject('s3Endpoint'));
      expect(clean.code, clean.stderr).toBe(0);
      const truth = (clean.json() as AuditResult).gaps.map((g) => g.key);
      for (const seed of faultSeeds()) {
        const rules: ProxyRule[] = [
          { method: 'GET', path: PARQUET_GET, chance: 0.15, fault: { kind: 'truncate' } },
          { method: 'GET', path: PARQUET_GET, chance: 0.05, fault: s3Error('SlowDown') },
        ];
        const s3 = await startFaultProxy(inject('s3Endpoint'), { rules, seed });
        try {
          const run = await audit(s3.url);
          figures.runs++;
          figures.faultsInjected += s3.injected();
          if (run.code === 0) {
            const gaps = (run.json() as AuditResult).gaps.map((g) => g.key);
            figures.dataLost += gaps.filter((k) => !truth.includes(k)).length;
            expect(gaps).toEqual(truth);
          } else {
            expect(run.code, run.stderr).toBe(4);
            expect(run.stderr).toMatch(/^error: could not read silver\/\S+\.parquet: /m);
          }
          figures.survived++;
        } finally {
          await s3.close();
        }
      }
      expect(figures.faultsInjected).toBeGreaterThan(0);
      recordReliability('s3: audit footer reads cut short', {
        cases: 1,
        seeds: faultSeeds().length,
        ...figures,
      });
    },
    SCENARIO_TIMEOUT,
  );
});
