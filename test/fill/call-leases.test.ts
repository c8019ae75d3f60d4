import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createLocalCatalog } from '../../src/catalog/local-catalog.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { syntheticGames } from '../../src/demo/synthetic-api.js';
import { loadLayerRules } from '../../src/fill/column-rules.js';
import { planCalls, type CallUnit } from '../../src/fill/call-plan.js';
import { runFill, type FillJob, type FillPorts } from '../../src/fill/run-fill.js';
import { layoutFrom, silverKey } from '../../src/layout/keys.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import type { CbbdClient } from '../../src/source/cbbd-client.js';
import { plannedGame, playsClient } from '../helpers/fill-env.js';
import { leagueOf, onlyGaps, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';

const SEASON = 2024;
const LAKE = {
  seed: 31,
  seasons: [SEASON],
  gamesPerSeason: 120,
  playsPerGame: [5, 8] as [number, number],
  gaps: onlyGaps({ missingShare: { fct_plays: 0.8, fct_substitutions: 0, fct_lineups: 0 } }),
};
const layout = layoutFrom({
  raw_prefix: 'raw',
  bronze_prefix: 'bronze',
  silver_prefix: 'silver',
  deadletter_prefix: 'deadletter',
});

describe('leases by call', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let unit: CallUnit;
  let other: CallUnit;

  beforeAll(async () => {
    lake = await tempLake(LAKE);
    api = await startFakeCbbdApi({ ...leagueOf(LAKE), keys: { k: 10_000 } });
    const missing = lake.manifest.missing.fct_plays![SEASON]!;
    const schedule = syntheticGames(LAKE.seed, SEASON, LAKE.gamesPerSeason).map(plannedGame);
    const plan = planCalls({
      endpoint: 'plays_game',
      missing: schedule.filter((g) => missing.includes(g.gameId)),
      schedule,
      shape: 'auto',
      size: { rowsPerGame: 6, bytesPerRow: 1500, capBytes: 64 * 1024 * 1024 },
    });
    const teamUnits = plan.units.filter((u) => u.calls[0]!.request.kind === 'team' && u.games.length >= 3);
    [unit, other] = [teamUnits[0]!, teamUnits[1]!];
  });
  afterAll(async () => {
    await api.close();
    await lake.cleanup();
  });

  async function fill(
    owner: string,
    checkpoints: ReturnType<typeof createFileCheckpoints>,
    options: { unit?: CallUnit; leaseMs?: number; client?: CbbdClient; ports?: Partial<FillPorts> } = {},
  ) {
    const logger = createMemoryLogger();
    const called = options.unit ?? unit;
    const job: FillJob = {
      endpoint: 'plays_game',
      key: ['id'],
      targets: called.games,
      units: [called],
      shard: { index: 1, count: 1 },
      owner,
      leaseMs: options.leaseMs ?? 60_000,
      workers: 2,
      databases: { bronze: 'cbbd_bronze', silver: 'cbbd_silver' },
      rules: await loadLayerRules(
        createLocalCatalog(lake.root),
        { bronze: 'cbbd_bronze', silver: 'cbbd_silver' },
        'plays_game',
      ),
    };
    const ports: FillPorts = {
      store: lake.store,
      layout,
      client: options.client ?? playsClient(api.url, logger, { concurrency: 2 }),
      checkpoints,
      logger,
      ingestedAt: () => '2026-12-05',
      ...options.ports,
    };
    return runFill(job, ports);
  }

  it('leases a call’s games together before the call, and never a game another run has done', async () => {
    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const [done, ...rest] = unit.games;
    // Another run finished one game of the call after this run planned it.
    expect((await checkpoints.tryLease('plays_game', done!.gameId, SEASON, 'other run', 60_000)).taken).toBe(
      true,
    );
    expect(await checkpoints.finish('plays_game', done!.gameId, 'other run', 'done', '2026-12-04')).toBe(
      true,
    );
    // Seen from the API: when the team call arrives, every other game of the call is leased to this run.
    const leasedAtCall: (string | undefined)[] = [];
    api.inject({ kind: 'slow', ms: 300 }, { endpoint: 'plays_team' });
    const running = fill('this run', checkpoints);
    while (api.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const rows = await checkpoints.getMany(
      'plays_game',
      unit.games.map((g) => g.gameId),
    );
    for (const g of rest) leasedAtCall.push(`${rows.get(g.gameId)?.status} ${rows.get(g.gameId)?.owner}`);
    const result = await running;
    expect(leasedAtCall).toEqual(rest.map(() => 'leased this run'));
    expect(rows.get(done!.gameId)?.status).toBe('done');
    expect(result.skipped).toEqual([{ gameId: done!.gameId, reason: 'done' }]);
    expect(result.done.sort()).toEqual(rest.map((g) => g.gameId).sort());
    expect(api.callsFor('plays_team')).toBe(1);
    expect(api.callsFor('plays_game')).toBe(0);
    // The game done elsewhere got nothing written by this run.
    const key = silverKey(layout, 'fct_plays', SEASON, done!.date, { gameId: done!.gameId });
    expect(await lake.store.head(key)).toBeUndefined();
  });
  it('after a crash past the call, leaves the leases to expire; the next run calls again and fills every game', async () => {
    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const logger = createMemoryLogger();
    const real = playsClient(api.url, logger);
    // The port as a run that dies once the answer is in: the call is made (and charged), nothing after it runs.
    const dying: CbbdClient = {
      fetchGame: (endpoint, gameId) => real.fetchGame(endpoint, gameId),
      fetchCall: async (call) => {
        await real.fetchCall(call);
        return new Promise<never>(() => undefined);
      },
      usage: () => real.usage(),
    };
    api.reset();
    // No heartbeat: a dead process renews nothing.
    void fill('dead run', checkpoints, {
      unit: other,
      leaseMs: 300,
      client: dying,
      ports: { every: () => () => undefined },
    });
    while (api.log.length === 0) await new Promise((r) => setTimeout(r, 5));
    const ids = other.games.map((g) => g.gameId);
    const held = await checkpoints.getMany('plays_game', ids);
    expect(ids.map((id) => `${held.get(id)?.status} ${held.get(id)?.owner}`)).toEqual(
      ids.map(() => 'leased dead run'),
    );
    await new Promise((r) => setTimeout(r, 400));
    const result = await fill('next run', checkpoints, { unit: other });
    expect(result.done.sort()).toEqual([...ids].sort());
    expect(api.callsFor('plays_team')).toBe(2);
    expect(api.callsFor('plays_game')).toBe(0);
    const after = await checkpoints.getMany('plays_game', ids);
    expect(ids.map((id) => after.get(id)?.status)).toEqual(ids.map(() => 'done'));
  });
});
