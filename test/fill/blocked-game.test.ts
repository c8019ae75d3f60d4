import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import type { AuditResult } from '../../src/audit/types.js';
import type { FillOutcome } from '../../src/commands/fill.js';
import { DEMO_SEED } from '../../src/demo/generate-lake.js';
import { syntheticGames } from '../../src/demo/synthetic-api.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { layoutFrom, silverKey } from '../../src/layout/keys.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';
import { cli, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { onlyGaps, shippedConfig, tempLake } from '../helpers/lakes.js';

const SEASON = 2025;
const GAMES = 12;
const PLAYS: [number, number] = [5, 8];

describe('a missing game whose key holds an unreadable file', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let config: string;
  let env: Record<string, string>;
  let missing: number[];
  let blocked: number;
  let blockedKey: string;

  beforeAll(async () => {
    lake = await tempLake({
      seasons: [SEASON],
      gamesPerSeason: GAMES,
      playsPerGame: PLAYS,
      gaps: onlyGaps({ missingShare: { fct_plays: 0.25, fct_substitutions: 0, fct_lineups: 0 } }),
    });
    missing = lake.manifest.missing.fct_plays![SEASON]!;
    blocked = missing[0]!;
    const game = syntheticGames(DEMO_SEED, SEASON, GAMES).find((g) => g.id === blocked)!;
    const layout = layoutFrom({
      raw_prefix: 'raw',
      bronze_prefix: 'bronze',
      silver_prefix: 'silver',
      deadletter_prefix: 'deadletter',
    });
    blockedKey = silverKey(layout, 'fct_plays', SEASON, game.startDate.slice(0, 10), { gameId: blocked });
    await lake.store.putIfAbsent(blockedKey, new TextEncoder().encode('a half-written upload, not Parquet'));
    api = await startFakeCbbdApi({
      seed: DEMO_SEED,
      seasons: [SEASON],
      gamesPerSeason: GAMES,
      playsPerGame: PLAYS,
      keys: { 'test-key': 1_000 },
    });
    config = await fastRetryConfig(lake.root);
    env = { CBBD_API_KEY: 'test-key', CBBD_API_URL: api.url };
  });
  afterAll(async () => {
    await api.close();
    await lake.cleanup();
  });

  it('the audit links the file to its game and says to move it aside, then fill', async () => {
    const result: AuditResult = await runAudit(
      { config: shippedConfig(), seasons: [SEASON] },
      {
        store: lake.store,
        engine: createScanEngine(lake.store, { concurrency: 4 }),
        logger: createMemoryLogger(),
        now: () => new Date(0),
      },
    );
    const gap = result.gaps.find((g) => g.key === `missing_children:fct_plays:${SEASON}`)!;
    expect(gap.ids).toEqual(missing);
    expect(gap.blocked).toEqual([{ gameId: blocked, file: blockedKey }]);
    expect(gap.detail).toContain('move the file aside');
    const unreadable = result.gaps.find((g) => g.key === `unreadable_file:fct_plays:${SEASON}`)!;
    expect(unreadable.detail).toContain(`${blockedKey} is at the key of missing game ${blocked}`);
  });

  it('plan leaves the game out, with the reason', async () => {
    const run = await cli(
      [
        'plan',
        '--config',
        config,
        '--lake',
        lake.root,
        '--endpoint',
        'plays_game',
        '--seasons',
        String(SEASON),
        '--json',
      ],
      {},
    );
    expect(run.code).toBe(0);
    const [plan] = (run.json() as { plans: { games: number; notes: string[] }[] }).plans;
    expect(plan!.games).toBe(missing.length - 1);
    expect(
      plan!.notes.some((n) => n.startsWith(`skipped game ${blocked}: ${blockedKey} is unreadable`)),
    ).toBe(true);
  });

  it('fill skips the game before any API call and fills the others', async () => {
    const dry = await cli([...playsFill(config, lake.root, SEASON), '--dry-run', '--json'], env);
    expect((dry.json() as FillOutcome).targets.map((t) => t.gameId)).toEqual(missing.slice(1));
    const run = await cli([...playsFill(config, lake.root, SEASON), '--json'], env);
    const outcome = run.json() as FillOutcome;
    expect(outcome.blocked.map((b) => b.gameId)).toEqual([blocked]);
    expect(outcome.blocked[0]!.reason).toContain('move the file aside');
    expect(api.callsFor('plays_game', blocked)).toBe(0);
    for (const id of missing.slice(1)) expect(api.callsFor('plays_game', id)).toBe(1);
    expect(outcome.result?.failed ?? []).toEqual([]);
  });
});
