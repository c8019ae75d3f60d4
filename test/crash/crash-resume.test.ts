import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbCheckpoints } from '../../src/checkpoint/dynamodb-checkpoints.js';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { createRandom } from '../../src/demo/random.js';
import { generateDemoLake } from '../../src/demo/generate-lake.js';
import { paramsHash8 } from '../../src/layout/hash.js';
import { bronzeKey, layoutFrom } from '../../src/layout/keys.js';
import { readColumns, readFooter } from '../../src/parquet/read.js';
import { freshS3Lake, stackEnv, testDynamoClient } from '../helpers/aws.js';
import { missingPlays } from '../helpers/lakes.js';
import { playsFill } from '../helpers/fill-env.js';
import { runBundle } from '../helpers/node-binaries.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { startFakeGlue, type FakeGlue } from '../fakes/glue.js';
import { createCheckpointTable } from '../stack/aws-stack.js';
import { countFromEnv, recordReliability } from '../faults/record.js';
import { startHoldingProxy, type HoldRule } from './holding-proxy.js';

const KILLS = countFromEnv('CBBD_KILL_POINTS', 20);
const SEED = countFromEnv('CBBD_KILL_SEED', 20261122);
const layout = layoutFrom({
  raw_prefix: 'raw',
  bronze_prefix: 'bronze',
  silver_prefix: 'silver',
  deadletter_prefix: 'deadletter',
});

/**
 * SIGKILL of the bundled CLI's fill at seeded points — in the middle of an S3 PUT (between the raw, bronze and silver
 * layers of one game) or of a DynamoDB write (a lease, or between the silver write and the `done` checkpoint) —
 * restarting after each kill, then checking that every missing game is in silver exactly once, no object is
 * partial, no `done` checkpoint lacks its files, and no call was repeated for a game already done.
 */
describe(`a fill killed at ${KILLS} seeded points and restarted each time`, () => {
  let lake: ReturnType<typeof freshS3Lake>;
  let api: FakeCbbdApi;
  let glue: FakeGlue;
  let s3: Awaited<ReturnType<typeof startHoldingProxy>>;
  let ddb: Awaited<ReturnType<typeof startHoldingProxy>>;
  let dir: string;
  let config: string;
  let table: string;
  let missing: number[];
  const runStarts: number[] = [];
  const doneAfterRun: Set<number>[] = [];
  const kills: { run: number; rule: string; landed: boolean; code: number | null }[] = [];

  beforeAll(async () => {
    Object.assign(process.env, stackEnv());
    lake = freshS3Lake();
    const manifest = await generateDemoLake(lake.store, {
      seasons: [2025],
      gamesPerSeason: 90,
      playsPerGame: [20, 30],
      withCatalog: false,
      gaps: missingPlays(0.8),
    });
    missing = manifest.missing.fct_plays![2025]!;
    api = await startFakeCbbdApi({
      seed: 7,
      seasons: [2025],
      gamesPerSeason: 90,
      playsPerGame: [20, 30],
      keys: { k: 100_000 },
      latencyMs: 20,
    });
    glue = await startFakeGlue();
    s3 = await startHoldingProxy(inject('s3Endpoint'));
    ddb = await startHoldingProxy(inject('dynamodbEndpoint'));
    table = `crash_${randomUUID().slice(0, 8)}`;
    await createCheckpointTable(inject('dynamodbEndpoint'), table);
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-crash-'));
    config = path.join(dir, 'config.yaml');
    await writeFile(config, DEFAULT_CONFIG_YAML.replace('rate_limit_per_sec: 3', 'rate_limit_per_sec: 50'));
  });
  afterAll(async () => {
    await Promise.all([api.close(), glue.close(), s3.close(), ddb.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  /** The bundled CLI in its own process; aborting `signal` kills it with SIGKILL. */
  const startFill = (signal?: AbortSignal) =>
    runBundle(
      'dist/cli.js',
      [
        ...playsFill(config, lake.uri, '2025'),
        '--lease-seconds',
        '1',
        '--checkpoints',
        `dynamodb://${table}`,
      ],
      {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH,
          ...stackEnv(),
          AWS_ENDPOINT_URL_S3: s3.url,
          AWS_ENDPOINT_URL_DYNAMODB: ddb.url,
          AWS_ENDPOINT_URL_GLUE: glue.url,
          CBBD_API_KEY: 'k',
          CBBD_API_URL: api.url,
        },
        ...(signal ? { signal } : {}),
      },
    );
  const checkpoints = () => createDynamoDbCheckpoints(testDynamoClient(), table);
  const doneNow = async () =>
    new Set(
      [...(await checkpoints().getMany('plays_game', missing))]
        .filter(([, c]) => c.status === 'done')
        .map(([id]) => id),
    );

  it(
    'ends with every missing game filled exactly once, nothing partial, no call repeated for a done game',
    async () => {
      const rnd = createRandom(SEED);
      const isWrite = (target: string | string[] | undefined) =>
        typeof target === 'string' && /\.(UpdateItem|PutItem|DeleteItem)$/.test(target);
      for (let run = 0; run < KILLS; run++) {
        // Half the points land in an S3 PUT (raw, bronze or silver of some game), half in a DynamoDB write.
        const onS3 = rnd.chance(0.5);
        const rule: HoldRule = onS3
          ? { matches: (r) => r.method === 'PUT', nth: rnd.int(1, 9) }
          : { matches: (r) => isWrite(r.headers['x-amz-target']), nth: rnd.int(1, 12) };
        let landed = false;
        const kill = new AbortController();
        const child = startFill(kill.signal);
        runStarts.push(performance.now());
        const proxy = onS3 ? s3 : ddb;
        proxy.arm(rule, () => {
          landed = true;
          kill.abort();
        });
        const { code } = await child;
        proxy.arm(undefined, () => undefined);
        kills.push({ run, rule: `${onS3 ? 's3 PUT' : 'dynamodb write'} #${rule.nth}`, landed, code });
        doneAfterRun.push(await doneNow());
        // The dead run's shard lock and leases expire after --lease-seconds.
        await new Promise((r) => setTimeout(r, 1100));
      }
      const last = startFill();
      runStarts.push(performance.now());
      const { code, stderr } = await last;
      expect(code, stderr).toBe(0);
      expect(kills.filter((k) => k.landed).length).toBeGreaterThanOrEqual(Math.ceil(KILLS * 0.6));
      // A run the kill did not reach (it ran out of games first) finished on its own, cleanly.
      expect(kills.filter((k) => !k.landed && k.code !== 0)).toEqual([]);

      // Every checkpoint is `done`, or a lease a killed run left after its silver write (the data is whole, and the
      // next fill's discovery sees the game covered, so it is never fetched again). Nothing is stuck as failed.
      const state = await checkpoints().getMany('plays_game', missing);
      const notDone = [...state.values()].filter((c) => c.status !== 'done');
      expect(
        notDone.every((c) => c.status === 'leased' && (c.leaseExpiresAt ?? 0) < Date.now()),
        stderr,
      ).toBe(true);
      const partial: string[] = [];
      const silverRows = new Map<number, number>();
      for await (const o of lake.store.list('')) {
        try {
          if (o.key.endsWith('.parquet')) {
            const meta = await readFooter(lake.store, o);
            if (o.key.startsWith('silver/fct_plays/')) {
              const ids = (await readColumns(lake.store, o, meta, ['gameId'])).get('gameId') ?? [];
              for (const id of ids) silverRows.set(id as number, (silverRows.get(id as number) ?? 0) + 1);
            }
          } else if (o.key.endsWith('.json.gz')) gunzipSync(await lake.store.get(o.key));
        } catch {
          partial.push(o.key);
        }
      }
      expect(partial).toEqual([]);
      for (const id of missing) {
        expect(state.get(id)?.season).toBe(2025);
        const keys = [];
        for await (const o of lake.store.list('silver/fct_plays/season=2025/'))
          if (o.key.endsWith(`/part-${paramsHash8({ gameId: id })}.parquet`)) keys.push(o.key);
        expect(keys, `silver of game ${id}`).toHaveLength(1);
        const date = /date=([\d-]+)/.exec(keys[0]!)![1]!;
        expect(
          await lake.store.head(bronzeKey(layout, 'plays_game', 2025, date, { gameId: id })),
        ).toBeDefined();
      }
      // No play twice: each game's rows are its plays once (20-30 a game), never a second copy.
      for (const id of missing) expect(silverRows.get(id)).toBeLessThanOrEqual(30);

      // A call for a game is repeated only when the game was not done before that call's run began.
      let repeatedForDone = 0;
      for (const entry of api.log.filter((e) => e.endpoint === 'plays_game' && e.gameId !== undefined)) {
        const run = runStarts.findLastIndex((t) => t <= entry.startedAt);
        if (run > 0 && doneAfterRun[run - 1]!.has(entry.gameId!)) repeatedForDone++;
      }
      expect(repeatedForDone).toBe(0);
      const extraCalls = api.callsFor('plays_game') - missing.length;
      recordReliability('crash-resume', {
        cases: 1,
        seeds: 1,
        faultsInjected: kills.filter((k) => k.landed).length,
        runs: KILLS + 1,
        // Each run ended as planned: by its kill, or (the kill not reached, and the last run) with exit 0.
        survived: kills.filter((k) => k.landed || k.code === 0).length + 1,
        dataLost: partial.length + missing.filter((id) => (silverRows.get(id) ?? 0) === 0).length,
        extra: { killPoints: KILLS, extraCalls, repeatedForDone },
      });
      // Twenty-one process starts and twenty lease expiries: a fixed per-test limit would fail on a busy machine, not
      // on a wrong fill, so the limit grows with the kill points.
    },
    30_000 + KILLS * 8_000,
  );
});
