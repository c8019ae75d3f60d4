import { describe, expect, it } from 'vitest';
import { syntheticGames, syntheticTeams } from '../../src/demo/synthetic-api.js';
import {
  CAP_MARGIN,
  cutUnits,
  planCalls,
  unitShard,
  type AnswerSize,
  type CallPlan,
} from '../../src/fill/call-plan.js';
import { shardOf } from '../../src/fill/shards.js';
import type { GameTarget } from '../../src/fill/targets.js';
import { plannedGame } from '../helpers/fill-env.js';

const SEED = 5;
const SIZE: AnswerSize = { rowsPerGame: 400, bytesPerRow: 1500, capBytes: 64 * 1024 * 1024 };
const SCHEDULE = syntheticGames(SEED, 2024, 600).map(plannedGame);
const TEAMS = syntheticTeams().length;

/** Each missing game is in exactly one unit, and in the calls of that unit that answer for it. */
function expectEveryGameOnce(plan: CallPlan, missing: readonly GameTarget[]) {
  const seen = plan.units.flatMap((u) => u.games.map((g) => g.gameId)).sort((a, b) => a - b);
  expect(seen).toEqual(missing.map((g) => g.gameId).sort((a, b) => a - b));
  for (const u of plan.units)
    for (const g of u.games) expect(u.calls.some((c) => c.gameIds.includes(g.gameId))).toBe(true);
}

/** The plan for `missing` against the whole schedule: plays, auto, production sizes unless `options` say. */
const planFor = (missing: readonly GameTarget[], options: Partial<Parameters<typeof planCalls>[0]> = {}) =>
  planCalls({ endpoint: 'plays_game', missing, schedule: SCHEDULE, shape: 'auto', size: SIZE, ...options });

describe('planCalls', () => {
  it('fills a season with 80% of its plays missing in no more calls than it has teams', () => {
    const missing = SCHEDULE.filter((_, i) => i % 5 !== 0);
    const plan = planFor(missing);
    expectEveryGameOnce(plan, missing);
    expect(plan.perGameCalls).toBe(480);
    expect(plan.calls.total).toBeLessThanOrEqual(TEAMS);
    expect(plan.calls.total).toBe(plan.calls.team + plan.calls.date + plan.calls.game);
    expect(plan.largestAnswerBytes).toBeLessThanOrEqual(SIZE.capBytes * CAP_MARGIN);
  });

  it('keeps scattered games per game: three games sharing no team and no date take three calls', () => {
    const missing: GameTarget[] = [];
    for (const g of SCHEDULE) {
      const clash = missing.some(
        (m) =>
          m.date === g.date || [m.homeTeam, m.awayTeam].some((t) => t === g.homeTeam || t === g.awayTeam),
      );
      if (!clash) missing.push(g);
      if (missing.length === 3) break;
    }
    const plan = planFor(missing);
    expect(plan.calls).toEqual({ game: 3, team: 0, date: 0, total: 3 });
    expect(plan.units.map((u) => u.calls[0]!.request)).toEqual(
      missing.map((g) => ({ kind: 'game', endpoint: 'plays_game', gameId: g.gameId })),
    );
  });

  it('fetches substitutions by team with both teams of each game in the unit that holds it', () => {
    const missing = SCHEDULE;
    const plan = planFor(missing, {
      endpoint: 'substitutions_game',
      size: { rowsPerGame: 60, bytesPerRow: 500, capBytes: SIZE.capBytes },
    });
    expectEveryGameOnce(plan, missing);
    expect(plan.calls.game).toBe(0);
    expect(plan.calls.date).toBe(0);
    expect(plan.calls.team).toBeLessThanOrEqual(TEAMS);
    for (const u of plan.units)
      for (const g of u.games) {
        const teams = u.calls
          .filter((c) => c.gameIds.includes(g.gameId))
          .map((c) => (c.request.kind === 'team' ? c.request.team : ''));
        expect(teams.sort()).toEqual([g.homeTeam, g.awayTeam].sort());
      }
  });

  it('fetches a lone substitutions game by its own call rather than by two team calls', () => {
    const plan = planFor([SCHEDULE[0]!, SCHEDULE[300]!], { endpoint: 'substitutions_game' });
    expect(plan.calls).toEqual({ game: 2, team: 0, date: 0, total: 2 });
  });

  it.each([
    ['lineups_game', 'auto', 'keeps lineups per game: /lineups/team aggregates a season and has no game'],
    ['plays_game', 'game', 'makes one call per game with --call-shape game'],
  ] as const)('%s, %s: %s', (endpoint, shape, _what) => {
    const plan = planFor(SCHEDULE, { endpoint, shape });
    expect(plan.calls).toEqual({ game: 600, team: 0, date: 0, total: 600 });
  });

  it('never plans a bulk call whose expected answer is over the cap, and games without teams stay per game', () => {
    const huge = { ...SIZE, bytesPerRow: 100_000 };
    const plan = planFor(SCHEDULE, { size: huge });
    expect(plan.calls.game).toBe(600);
    const bare = SCHEDULE.map(({ gameId, season, date }) => ({ gameId, season, date }));
    const blind = planFor(bare, { schedule: bare });
    expect(blind.calls.game).toBe(600);
  });

  it('puts a game-call unit in the shard of its game id, and cuts units to the games still open', () => {
    const plan = planFor(SCHEDULE.slice(0, 40), { shape: 'game' });
    for (const u of plan.units) expect(unitShard(u, 7)).toBe(shardOf(u.games[0]!.gameId, 7));
    const auto = planFor(SCHEDULE);
    const open = SCHEDULE.filter((_, i) => i % 2 === 0);
    const cut = cutUnits(auto.units, open);
    expect(cut.flatMap((u) => u.games).length).toBe(open.length);
    for (const u of cut)
      for (const c of u.calls) expect(c.gameIds.every((id) => open.some((g) => g.gameId === id))).toBe(true);
  });
});
