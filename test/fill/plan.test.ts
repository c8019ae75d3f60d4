import { describe, expect, it } from 'vitest';
import { gameUnit, unitShard } from '../../src/fill/call-plan.js';
import { paramsHash8 } from '../../src/layout/hash.js';
import { planFill } from '../../src/fill/plan.js';
import { parseShard, shardOf } from '../../src/fill/shards.js';
import type { GameTarget } from '../../src/fill/targets.js';
import { cli } from '../helpers/fill-env.js';
import { SMALL_LAKE, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi } from '../fakes/cbbd-api.js';

const games = (season: number, n: number): GameTarget[] =>
  Array.from({ length: n }, (_, i) => ({
    gameId: season * 100_000 + i + 1,
    season,
    date: `${season}-01-01`,
  }));

describe('planFill', () => {
  it('splits each season into shards and the budget so that all legs at once stay within the limits', () => {
    const plan = planFill({
      endpoint: 'plays_game',
      targets: [...games(2024, 40), ...games(2025, 30)],
      shards: 3,
      maxParallel: 3,
      rate: 3,
      concurrency: 3,
    });
    expect(plan.legs).toHaveLength(6);
    expect(plan.legs.reduce((a, l) => a + l.games, 0)).toBe(70);
    expect(plan.legs.every((l) => l.rate === 1 && l.concurrency === 1)).toBe(true);
    expect(plan.maxParallel * plan.legs[0]!.rate).toBeLessThanOrEqual(3);
    expect(plan.matrix.include[0]).toEqual({
      endpoint: 'plays_game',
      season: 2024,
      shard: '1/3',
      rate: 1,
      concurrency: 1,
    });
    expect(plan.calls).toBe(70);
    expect(plan.wallSeconds).toBeGreaterThanOrEqual(Math.ceil(70 / 3));
  });

  it('keeps a game in its shard when other games come and go', () => {
    const all = games(2024, 200);
    const before = new Map(all.map((g) => [g.gameId, shardOf(g.gameId, 4)]));
    for (const g of all.filter((_, i) => i % 3 === 0))
      expect(shardOf(g.gameId, 4)).toBe(before.get(g.gameId));
    const counts = [1, 2, 3, 4].map((s) => all.filter((g) => shardOf(g.gameId, 4) === s).length);
    expect(Math.min(...counts)).toBeGreaterThan(30);
  });

  it('never plans more than 256 matrix legs', () => {
    const targets = Array.from({ length: 17 }, (_, s) => games(2010 + s, 40)).flat();
    const plan = planFill({
      endpoint: 'plays_game',
      targets,
      shards: 20,
      maxParallel: 3,
      rate: 3,
      concurrency: 3,
    });
    expect(plan.legs.length).toBeLessThanOrEqual(256);
    expect(plan.notes[0]).toMatch(/over GitHub's 256 matrix jobs; using 15 shards a season/);
  });

  it('caps the legs at once by the concurrency and by whole requests a second', () => {
    expect(
      planFill({
        endpoint: 'plays_game',
        targets: games(2024, 9),
        shards: 3,
        maxParallel: 10,
        rate: 3,
        concurrency: 3,
      }).maxParallel,
    ).toBe(3);
    const slow = planFill({
      endpoint: 'plays_game',
      targets: games(2024, 9),
      shards: 3,
      maxParallel: 3,
      rate: 2,
      concurrency: 3,
    });
    expect(slow.maxParallel).toBe(2);
    expect(slow.legs[0]!.rate).toBe(1);
  });

  it('checks the quota, keeping the reserve', () => {
    const fits = planFill({
      endpoint: 'plays_game',
      targets: games(2024, 100),
      shards: 1,
      maxParallel: 1,
      rate: 3,
      concurrency: 3,
      quota: { remaining: 150, reserve: 50 },
    });
    expect(fits.quota).toEqual({ remaining: 150, reserve: 50, held: 0, holders: 0, fits: true, after: 50 });
    const short = planFill({
      endpoint: 'plays_game',
      targets: games(2024, 101),
      shards: 1,
      maxParallel: 1,
      rate: 3,
      concurrency: 3,
      quota: { remaining: 150, reserve: 50 },
    });
    expect(short.quota?.fits).toBe(false);
    expect(short.quota?.after).toBe(49);
    // Calls that live runs of the key reserved in the quota ledger are not this plan's to take.
    const held = planFill({
      endpoint: 'plays_game',
      targets: games(2024, 60),
      shards: 1,
      maxParallel: 1,
      rate: 3,
      concurrency: 3,
      quota: { remaining: 150, reserve: 50, held: 41, holders: 2 },
    });
    expect(held.quota).toEqual({ remaining: 150, reserve: 50, held: 41, holders: 2, fits: false, after: 49 });
  });

  it('splits shards by call: a bulk call and its games are one leg, and the quota counts calls', () => {
    const targets = games(2024, 30);
    const team = { kind: 'team' as const, endpoint: 'plays_game', season: 2024, team: 'School 01' };
    const units = [
      {
        calls: [{ request: team, gameIds: targets.slice(0, 20).map((t) => t.gameId), expectedBytes: 9e6 }],
        games: targets.slice(0, 20),
      },
      ...targets.slice(20).map((t) => gameUnit('plays_game', t)),
    ];
    const plan = planFill({
      endpoint: 'plays_game',
      targets,
      units,
      shards: 3,
      maxParallel: 1,
      rate: 3,
      concurrency: 3,
      quota: { remaining: 100, reserve: 0 },
    });
    expect(plan.calls).toBe(11);
    expect(plan.perGameCalls).toBe(30);
    expect(plan.callsByKind).toEqual({ game: 10, team: 1, date: 0 });
    expect(plan.largestAnswerBytes).toBe(9e6);
    expect(plan.quota?.after).toBe(89);
    expect(plan.legs.reduce((a, l) => a + l.calls, 0)).toBe(11);
    expect(plan.legs.reduce((a, l) => a + l.games, 0)).toBe(30);
    expect(plan.legs.find((l) => l.shard === `${unitShard(units[0]!, 3)}/3`)!.games).toBeGreaterThanOrEqual(
      20,
    );
  });

  it.each([
    ['0/3', 'shard 0 of 3 does not exist'],
    ['4/3', 'shard 4 of 3 does not exist'],
    ['1/0', '0 shards; use 1 to 256'],
    ['a/b', '"a/b" is not I/N'],
  ])('refuses --shard %s', (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('cbbd-gap-bot plan', () => {
  it('prints the plan and a GitHub matrix, without calling the API', async () => {
    const lake = await tempLake({ ...SMALL_LAKE, seasons: [2024, 2025] });
    try {
      const run = await cli(
        [
          'plan',
          '--lake',
          lake.root,
          '--endpoint',
          'all',
          '--seasons',
          '2024-2025',
          '--shards',
          '2',
          '--json',
        ],
        {},
      );
      expect(run.code).toBe(0);
      const { plans, matrix } = run.json() as {
        plans: { endpoint: string; games: number }[];
        matrix: { include: { endpoint: string; season: number; shard: string }[] };
      };
      expect(plans.map((p) => p.endpoint)).toEqual(['plays_game', 'substitutions_game', 'lineups_game']);
      // The corrupt plays files sit at their games' keys: a fill cannot write those games, so plan leaves them out.
      const missing = (t: string) =>
        [2024, 2025].reduce((a, s) => a + (lake.manifest.missing[t]?.[s]?.length ?? 0), 0) -
        (t === 'fct_plays' ? lake.manifest.corruptKeys.length : 0);
      expect(plans.map((p) => p.games)).toEqual([
        missing('fct_plays'),
        missing('fct_substitutions'),
        missing('fct_lineups'),
      ]);
      expect(matrix.include.length).toBeGreaterThan(0);
      expect(matrix.include.every((l) => ['1/2', '2/2'].includes(l.shard))).toBe(true);
      expect(run.stderr).toContain('quota: unknown');
      // Calls by kind beside what one per game would take; lineups have no bulk form.
      const calls = plans as unknown as { calls: number; perGameCalls: number; games: number }[];
      expect(calls[0]!.calls).toBeLessThanOrEqual(calls[0]!.perGameCalls);
      expect(calls[2]!.calls).toBe(calls[2]!.games);
      expect(run.stderr).toMatch(/calls: .* \(one per game: \d+\); largest answer expected/);
      // Each leg's line counts its games and calls in words that agree with the number ("1 game in 1 call").
      expect(run.stderr).toMatch(/ shard [12]\/2: (1 game|[\d,]+ games) in (1 call|[\d,]+ calls) at /);
      expect(run.stderr).not.toMatch(/\b1 (games|calls)\b/);
    } finally {
      await lake.cleanup();
    }
  });
});

describe('cbbd-gap-bot fill --dry-run', () => {
  it('lists the games it would fetch and makes no call and no write', async () => {
    const lake = await tempLake({ ...SMALL_LAKE, seasons: [2025] });
    const api = await startFakeCbbdApi({
      seed: 7,
      seasons: [2025],
      gamesPerSeason: 24,
      playsPerGame: [40, 60],
      keys: { k: 100 },
    });
    try {
      const before: string[] = [];
      for await (const o of lake.store.list('')) before.push(o.key);
      const run = await cli(
        ['fill', '--lake', lake.root, '--endpoint', 'plays_game', '--seasons', '2025', '--dry-run', '--json'],
        { CBBD_API_KEY: 'k', CBBD_API_URL: api.url },
      );
      expect(run.code).toBe(0);
      const outcome = run.json() as { dryRun: boolean; targets: { gameId: number }[]; result: unknown };
      expect(outcome.dryRun).toBe(true);
      // Games whose key holds one of the corrupt files are skipped (blocked), not fetched.
      const atCorrupt = (id: number) =>
        lake.manifest.corruptKeys.some((k) => k.endsWith(`part-${paramsHash8({ gameId: id })}.parquet`));
      const missing = lake.manifest.missing.fct_plays![2025]!;
      expect(missing.filter(atCorrupt)).toHaveLength(lake.manifest.corruptKeys.length);
      expect(outcome.targets.map((t) => t.gameId)).toEqual(missing.filter((id) => !atCorrupt(id)));
      expect(outcome.result).toBeUndefined();
      expect(run.stderr).toContain('dry run: no API call, nothing written');
      expect(api.log).toHaveLength(0);
      const after: string[] = [];
      for await (const o of lake.store.list('')) after.push(o.key);
      expect(after).toEqual(before);
    } finally {
      await api.close();
      await lake.cleanup();
    }
  });
});
