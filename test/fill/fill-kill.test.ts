import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { runBundle } from '../helpers/node-binaries.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';

const LAKE = {
  seasons: [2025],
  gamesPerSeason: 40,
  playsPerGame: [20, 30] as [number, number],
  gaps: missingPlays(0.6),
};

describe('a fill killed with SIGKILL half-way and started again', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let config: string;
  let missing: number[];
  beforeAll(async () => {
    lake = await tempLake(LAKE);
    missing = lake.manifest.missing.fct_plays![2025]!;
    config = await fastRetryConfig(lake.root);
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      keys: { k: 10_000 },
      latencyMs: 150,
    });
  });
  afterAll(async () => {
    await api.close();
    await lake.cleanup();
  });

  /** The bundled CLI, as a user runs it, in its own process; aborting `signal` kills it with SIGKILL. */
  const startFill = (signal?: AbortSignal) =>
    runBundle('dist/cli.js', [...playsFill(config, lake.root, '2025'), '--lease-seconds', '1'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, CBBD_API_KEY: 'k', CBBD_API_URL: api.url },
      ...(signal ? { signal } : {}),
    });

  it('finishes the rest, asking again at most the games that were in flight', async () => {
    expect(missing.length).toBeGreaterThan(15);
    const kill = new AbortController();
    const first = startFill(kill.signal);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (api.log.filter((e) => e.status === 200).length >= 6) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    kill.abort();
    await first;
    const askedBeforeKill = new Set(api.log.map((e) => e.gameId));
    // The dead run's shard lock and leases expire after --lease-seconds; then a new run takes over.
    await new Promise((r) => setTimeout(r, 1300));
    const second = await startFill();
    expect(second.code, second.stderr).toBe(0);

    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const state = await checkpoints.getMany('plays_game', missing);
    expect([...state.values()].map((c) => c.status)).toEqual(missing.map(() => 'done'));
    expect([...state.values()].every((c) => c.season === 2025)).toBe(true);
    const twice = missing.filter((id) => api.callsFor('plays_game', id) > 1);
    expect(twice.length).toBeLessThanOrEqual(3);
    for (const id of twice) expect(askedBeforeKill.has(id)).toBe(true);
    expect(missing.every((id) => api.callsFor('plays_game', id) >= 1)).toBe(true);
    let silverFiles = 0;
    for await (const o of lake.store.list('silver/fct_plays/season=2025/'))
      if (o.key.endsWith('.parquet')) silverFiles++;
    expect(silverFiles).toBe(lake.manifest.gameIds[2025]!.length);
  });
});
