import { afterEach, describe, expect, it } from 'vitest';
import { syntheticGames } from '../../src/demo/synthetic-api.js';
import { fetchUnit } from '../../src/fill/bulk-split.js';
import { planCalls, type CallUnit } from '../../src/fill/call-plan.js';
import { QuotaExhaustedError } from '../../src/util/errors.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { plannedGame, playsClient } from '../helpers/fill-env.js';
import { startFakeCbbdApi, type FakeCbbdApi, type FakeCbbdApiOptions } from '../fakes/cbbd-api.js';

const SEED = 13;
const GAMES = syntheticGames(SEED, 2024, 200).map(plannedGame);
const SIZE = { rowsPerGame: 4, bytesPerRow: 1500, capBytes: 64 * 1024 * 1024 };
const servers: FakeCbbdApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setUp(overrides: Partial<FakeCbbdApiOptions> = {}, maxBodyBytes?: number) {
  const api = await startFakeCbbdApi({
    seed: SEED,
    seasons: [2024],
    gamesPerSeason: GAMES.length,
    playsPerGame: [3, 5],
    keys: { k: 1000 },
    ...overrides,
  });
  servers.push(api);
  const logger = createMemoryLogger();
  const client = playsClient(api.url, logger, maxBodyBytes ? { maxBodyBytes } : {});
  return { api, client, logger };
}

/** The first unit of the plan for every game of the season whose call is of `kind`. */
function unitOf(kind: 'team' | 'date'): CallUnit {
  const plan = planCalls({
    endpoint: 'plays_game',
    missing: GAMES,
    schedule: GAMES,
    shape: 'auto',
    size: SIZE,
  });
  return plan.units.find((u) => u.calls[0]!.request.kind === kind)!;
}
const idsOf = (unit: CallUnit) => new Set(unit.games.map((g) => g.gameId));

describe('fetchUnit', () => {
  it('gives each game of a team answer its own records, and a game absent from it is empty without a call', async () => {
    const unit = unitOf('team');
    const [empty, ...rest] = unit.games;
    const { api, client, logger } = await setUp({ emptyGames: { plays_game: [empty!.gameId] } });
    const fetched = await fetchUnit(client, 'plays_game', unit, idsOf(unit), logger);
    expect(api.log.map((e) => e.endpoint)).toEqual(['plays_team']);
    expect(fetched.outcomes.get(empty!.gameId)).toEqual({ kind: 'empty' });
    expect(fetched.fallbacks).toEqual([]);
    for (const g of rest) {
      const own = await client.fetchGame('plays_game', g.gameId);
      expect(fetched.outcomes.get(g.gameId)).toEqual(own);
    }
  });

  it('asks for a game absent from a date answer by its own call (it may have moved), and says so', async () => {
    const unit = unitOf('date');
    const [moved] = unit.games;
    const { api, client, logger } = await setUp({ emptyGames: { plays_game: [moved!.gameId] } });
    const fetched = await fetchUnit(client, 'plays_game', unit, idsOf(unit), logger);
    expect(api.log.map((e) => e.endpoint)).toEqual(['plays_date', 'plays_game']);
    expect(fetched.outcomes.get(moved!.gameId)).toEqual({ kind: 'empty' });
    expect(fetched.fallbacks.map((f) => f.gameId)).toEqual([moved!.gameId]);
    expect(logger.lines.some((l) => l.message.includes('asking for it by its own call'))).toBe(true);
  });

  it('falls back to per-game calls when the bulk answer is over the cap', async () => {
    const unit = unitOf('team');
    const { api, client, logger } = await setUp({}, 15_000);
    const fetched = await fetchUnit(client, 'plays_game', unit, idsOf(unit), logger);
    expect(api.callsFor('plays_team')).toBe(1);
    expect(api.callsFor('plays_game')).toBe(unit.games.length);
    expect(fetched.fallbacks.every((f) => f.reason.includes('larger than the cap'))).toBe(true);
    expect([...fetched.outcomes.values()].every((o) => o.kind === 'records')).toBe(true);
  });

  it('asks nothing for games it does not hold the lease of, and stops at the quota with what it has', async () => {
    const unit = unitOf('date');
    const { api, client, logger } = await setUp({
      emptyGames: { plays_game: unit.games.map((g) => g.gameId) },
    });
    api.setRemaining('k', 1);
    const fetched = await fetchUnit(client, 'plays_game', unit, new Set([unit.games[0]!.gameId]), logger);
    expect(api.callsFor('plays_date')).toBe(1);
    expect(fetched.stop).toBeInstanceOf(QuotaExhaustedError);
    expect(fetched.outcomes.size).toBe(0);
    const none = await fetchUnit(client, 'plays_game', unit, new Set(), logger);
    expect(none.outcomes.size).toBe(0);
    // The one call the quota allowed, and no call for the unit with no leased game.
    expect(api.log).toHaveLength(1);
  });
});
