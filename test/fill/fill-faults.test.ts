import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FillOutcome } from '../../src/commands/fill.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { cli, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import path from 'node:path';

const SEASONS = [2025];
const LAKE = {
  seasons: SEASONS,
  gamesPerSeason: 30,
  playsPerGame: [20, 30] as [number, number],
  gaps: missingPlays(0.5),
};

describe('a fill meets the API at its worst', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let config: string;
  let missing: number[];
  const objectsUnder = async (prefix: string) => {
    const keys: string[] = [];
    for await (const o of lake.store.list(prefix)) keys.push(o.key);
    return keys;
  };
  const fill = (key: string, extra: string[] = []) =>
    cli([...playsFill(config, lake.root, '2025'), '--json', ...extra], {
      CBBD_API_KEY: key,
      CBBD_API_URL: api.url,
    });

  beforeAll(async () => {
    lake = await tempLake(LAKE);
    missing = lake.manifest.missing.fct_plays![2025]!;
    config = await fastRetryConfig(lake.root);
  });
  afterAll(() => lake.cleanup());
  afterEach(() => api.close());

  it('a bad key stops at once with exit 2 and a message about the key, writing nothing', async () => {
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { good: 1000 },
    });
    const run = await fill('wrong-key');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CBBD_API_KEY/);
    expect(run.stderr).not.toContain('wrong-key');
    expect(api.log.length).toBeLessThanOrEqual(3);
    expect(await objectsUnder('raw/')).toEqual([]);
  });

  it('a stream of 503s fails each game after its retries, exit 1, nothing half-written, and a later run retries them', async () => {
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { k: 1000 },
      faultFor: () => ({ kind: 'status', status: 503 }),
    });
    const run = await fill('k', ['--limit', '3']);
    expect(run.code).toBe(1);
    const outcome = run.json() as FillOutcome;
    expect(outcome.result?.failed).toHaveLength(3);
    for (const f of outcome.result!.failed) expect(api.callsFor('plays_game', f.gameId)).toBe(5);
    expect(await objectsUnder('raw/')).toEqual([]);
    expect(await objectsUnder('bronze/')).toEqual([]);
    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const state = await checkpoints.getMany(
      'plays_game',
      outcome.result!.failed.map((f) => f.gameId),
    );
    expect([...state.values()].map((c) => [c.status, c.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
      ['failed', 1],
    ]);

    // The API recovers: the next run takes the failed games again and finishes them.
    await api.close();
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { k: 1000 },
    });
    const again = await fill('k', ['--limit', '3']);
    expect(again.code).toBe(0);
    expect((again.json() as FillOutcome).result?.done.sort()).toEqual(
      outcome.result!.failed.map((f) => f.gameId).sort(),
    );
    const after = await checkpoints.getMany(
      'plays_game',
      outcome.result!.failed.map((f) => f.gameId),
    );
    expect([...after.values()].map((c) => [c.status, c.attempts])).toEqual([
      ['done', 2],
      ['done', 2],
      ['done', 2],
    ]);
  });

  it('the monthly quota stops the fill with exit 3, says when to retry and how many games are left, releases its leases', async () => {
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { k: 50 + 4 },
    });
    const filesBefore = (await objectsUnder('silver/fct_plays/')).length;
    const run = await fill('k', ['--concurrency', '1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/quota/i);
    expect(run.stderr).toMatch(/\d{4}-\d{2}-01/);
    const outcome = run.json() as FillOutcome;
    expect(api.log.filter((e) => e.status === 200)).toHaveLength(4);
    expect(api.remaining('k')).toBe(50);
    expect(outcome.result!.done.length).toBe(4);
    expect(outcome.result!.left).toBe(outcome.targets.length - 4 - outcome.result!.failed.length);
    expect(run.stderr).toContain(`${outcome.result!.left} game(s) left`);
    // Nothing the fill stopped at is half-written or left leased: every started game is done, the rest are free.
    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const state = await checkpoints.getMany('plays_game', missing);
    expect(
      [...state.values()].filter((c) => c.status === 'leased' && (c.leaseExpiresAt ?? 0) > Date.now()),
    ).toEqual([]);
    expect((await objectsUnder('silver/fct_plays/')).length).toBe(filesBefore + 4);
  });
});
