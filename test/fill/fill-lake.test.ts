import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillOutcome } from '../../src/commands/fill.js';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import { bronzeKey, deadletterKey, isoDate, layoutFrom, rawKey, silverKey } from '../../src/layout/keys.js';
import type { AuditResult } from '../../src/audit/types.js';
import { createDuckDbEncoder } from '../helpers/duckdb-writer.js';
import { cli, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';

const SEASONS = [2024, 2025];
const GAMES = 24;
const PLAYS: [number, number] = [40, 60];
const layout = layoutFrom({
  raw_prefix: 'raw',
  bronze_prefix: 'bronze',
  silver_prefix: 'silver',
  deadletter_prefix: 'deadletter',
});
const playCount = (gameId: number) => createRandom(mixSeed(7, gameId, 5)).int(...PLAYS);

describe('fill plays_game into a lake written by another writer', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let env: Record<string, string>;
  let config: string;
  let missing: number[];
  let emptyInApi: number;
  let first: FillOutcome;

  beforeAll(async () => {
    const duck = await createDuckDbEncoder();
    lake = await tempLake({
      seasons: SEASONS,
      gamesPerSeason: GAMES,
      playsPerGame: PLAYS,
      encode: duck.encode,
      gaps: onlyGaps({
        missingShare: { fct_plays: 0.3, fct_substitutions: 0, fct_lineups: 0 },
        emptyShare: 0.25,
      }),
    });
    await duck.close();
    missing = SEASONS.flatMap((s) => lake.manifest.missing.fct_plays?.[s] ?? []);
    emptyInApi = missing[0]!;
    api = await startFakeCbbdApi({
      seed: 7,
      seasons: SEASONS,
      gamesPerSeason: GAMES,
      playsPerGame: PLAYS,
      emptyGames: { plays_game: [emptyInApi] },
      keys: { 'test-key': 10_000 },
      latencyMs: 5,
    });
    config = await fastRetryConfig(lake.root);
    env = { CBBD_API_KEY: 'test-key', CBBD_API_URL: api.url };
    const run = await cli([...playsFill(config, lake.root, '2024-2025'), '--json'], env);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    first = run.json() as FillOutcome;
  });
  afterAll(async () => {
    await api.close();
    await lake.cleanup();
  });

  it('asks for every missing game exactly once and never for a game known to be empty', () => {
    expect(missing.length).toBeGreaterThan(5);
    for (const id of missing) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);
    for (const id of SEASONS.flatMap((s) => lake.manifest.knownEmpty.fct_plays?.[s] ?? []))
      expect(api.callsFor('plays_game', id)).toBe(0);
    expect(api.log.filter((e) => e.endpoint === 'plays_game')).toHaveLength(missing.length);
    expect(first.result?.done.sort()).toEqual(missing.filter((id) => id !== emptyInApi).sort());
    expect(first.result?.empty).toEqual([emptyInApi]);
  });

  it("writes raw, bronze and silver at the pipeline's keys, and a deadletter for the empty game", async () => {
    const today = isoDate(new Date());
    for (const t of first.targets.filter((t) => t.gameId !== emptyInApi)) {
      for (const key of [
        rawKey(layout, 'plays_game', today, { gameId: t.gameId }),
        bronzeKey(layout, 'plays_game', t.season, t.date, { gameId: t.gameId }),
        silverKey(layout, 'fct_plays', t.season, t.date, { gameId: t.gameId }),
      ]) {
        expect(await lake.store.head(key), key).toBeDefined();
      }
    }
    const empty = first.targets.find((t) => t.gameId === emptyInApi)!;
    expect(
      await lake.store.head(deadletterKey(layout, 'plays_game', today, { gameId: emptyInApi })),
    ).toBeDefined();
    expect(
      await lake.store.head(silverKey(layout, 'fct_plays', empty.season, empty.date, { gameId: emptyInApi })),
    ).toBeUndefined();
  });

  it('DuckDB reads the silver files back with every row and the right gameId', async () => {
    const filled = first.targets.filter((t) => t.gameId !== emptyInApi);
    const byFile = new Map(
      filled.map((t) => [
        path.join(lake.root, silverKey(layout, 'fct_plays', t.season, t.date, { gameId: t.gameId })),
        t,
      ]),
    );
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const list = [...byFile.keys()].map((f) => `'${f}'`).join(',');
    const rows = (
      await conn.runAndReadAll(
        `SELECT filename, min("gameId") AS lo, max("gameId") AS hi, count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet([${list}], filename = true) GROUP BY filename`,
      )
    ).getRowObjectsJson();
    conn.closeSync();
    db.closeSync();
    expect(rows).toHaveLength(filled.length);
    for (const row of rows) {
      const t = byFile.get(String(row.filename))!;
      expect([Number(row.lo), Number(row.hi)]).toEqual([t.gameId, t.gameId]);
      expect(Number(row.n)).toBe(playCount(t.gameId));
      expect(Number(row.ids)).toBe(playCount(t.gameId));
    }
  });

  it('a second fill spends no call', async () => {
    const before = api.log.length;
    const run = await cli([...playsFill(config, lake.root, '2024-2025'), '--json'], env);
    expect(run.code).toBe(0);
    expect(api.log.length).toBe(before);
    expect((run.json() as FillOutcome).targets).toEqual([]);
  });

  it('the audit afterwards shows no gap for fct_plays and no uncatalogued partition the fill created', async () => {
    const run = await cli(
      [
        'audit',
        '--config',
        config,
        '--lake',
        lake.root,
        '--seasons',
        '2024-2025',
        '--out',
        path.join(lake.root, 'reports'),
        '--json',
      ],
      env,
    );
    const result = run.json() as AuditResult;
    expect(result.gaps.filter((g) => g.table === 'fct_plays')).toEqual([]);
    expect(result.coverage.filter((c) => c.table === 'fct_plays').every((c) => c.missing === 0)).toBe(true);
    expect(first.catalog?.registered).toBeGreaterThan(0);
    expect(first.catalog?.notes).toEqual([expect.stringMatching(/no catalog table cbbd_bronze\.plays_game/)]);
  });

  it('leaves no temporary or partial object behind', async () => {
    const tmp = await readdir(path.join(lake.root, '.cbbd-tmp')).catch(() => []);
    expect(tmp).toEqual([]);
  });
});
