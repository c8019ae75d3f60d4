import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import { syntheticGames, syntheticPlays, syntheticSubstitutions } from '../../src/demo/synthetic-api.js';
import type { GameRecord } from '../../src/source/api-records.js';
import { dateWindow } from './cbbd-api-bulk.js';
import { startFakeCbbdApi, type FakeCbbdApi, type FakeCbbdApiOptions } from './cbbd-api.js';

const KEY = 'test-key';
const SEED = 9;
const PLAYS: [number, number] = [3, 5];
const GAMES = syntheticGames(SEED, 2024, 40);
const BASE: FakeCbbdApiOptions = {
  seed: SEED,
  seasons: [2024],
  gamesPerSeason: GAMES.length,
  playsPerGame: PLAYS,
  keys: { [KEY]: 100 },
};
const playsOf = (g: GameRecord) =>
  syntheticPlays(SEED, g, createRandom(mixSeed(SEED, g.id, 5)).int(...PLAYS));
const TEAM = String(GAMES[0]!['homeTeam']);
const ofTeam = (team: string) => GAMES.filter((g) => g['homeTeam'] === team || g['awayTeam'] === team);

const servers: FakeCbbdApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<FakeCbbdApiOptions> = {}): Promise<FakeCbbdApi> {
  const api = await startFakeCbbdApi({ ...BASE, ...overrides });
  servers.push(api);
  return api;
}

async function get(api: FakeCbbdApi, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${KEY}` } });
  return { status: res.status, body: await res.json() };
}

describe('fake CBBD API: bulk routes (cbb-api v1.28)', () => {
  it('/plays/team: the plays of every game of the season with the team at home or away, any letter case', async () => {
    const api = await start();
    const expected = ofTeam(TEAM)
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id - b.id)
      .flatMap(playsOf);
    expect(expected.length).toBeGreaterThan(0);
    const q = (team: string, season = 2024) =>
      `/plays/team?season=${season}&team=${encodeURIComponent(team)}`;
    expect(await get(api, q(TEAM.toUpperCase()))).toEqual({ status: 200, body: expected });
    expect(await get(api, q(TEAM, 2023))).toEqual({ status: 200, body: [] });
    expect(await get(api, q('Nobody State'))).toEqual({ status: 200, body: [] });
    expect(api.callsFor('plays_team')).toBe(3);
    expect(api.remaining(KEY)).toBe(97);
  });

  it('/plays/team leaves out a game without plays, and a renamed team matches only its new name', async () => {
    const empty = ofTeam(TEAM)[0]!;
    const api = await start({
      emptyGames: { plays_game: [empty.id] },
      renamedTeams: { [TEAM]: `${TEAM} U` },
    });
    expect(await get(api, `/plays/team?season=2024&team=${encodeURIComponent(TEAM)}`)).toEqual({
      status: 200,
      body: [],
    });
    const { body } = await get(api, `/plays/team?season=2024&team=${encodeURIComponent(`${TEAM} u`)}`);
    const ids = new Set((body as { gameId: number }[]).map((p) => p.gameId));
    expect(ids.has(empty.id)).toBe(false);
    expect(ids.size).toBe(ofTeam(TEAM).length - 1);
  });

  it('/substitutions/team: only the team’s own substitutions, for each of its games', async () => {
    const api = await start();
    const { body } = await get(
      api,
      `/substitutions/team?season=2024&team=${encodeURIComponent(TEAM.toLowerCase())}`,
    );
    const expected = ofTeam(TEAM)
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id - b.id)
      .flatMap((g) => syntheticSubstitutions(SEED, g).filter((s) => s.team === TEAM));
    expect(body).toEqual(expected);
    expect(expected.length).toBe(30 * ofTeam(TEAM).length);
  });

  it('/plays/date: games from midnight UTC to the next midnight, both ends in, with the server’s utcOffset arithmetic', async () => {
    const api = await start();
    const day = GAMES[5]!.startDate.slice(0, 10);
    const [start0, end0] = dateWindow(new Date(`${day}T00:00:00Z`), undefined);
    const inWindow = GAMES.filter(
      (g) => Date.parse(g.startDate) >= start0 && Date.parse(g.startDate) <= end0,
    );
    expect(inWindow.map((g) => g.id)).toContain(GAMES[5]!.id);
    expect(await get(api, `/plays/date?date=${day}`)).toEqual({
      status: 200,
      body: inWindow.flatMap(playsOf),
    });
    expect(end0 - start0).toBe(86_400_000);
    // +5 h shifts the start only; -5 h ends the window at the date itself (end = start's day + 1 of the unshifted date).
    const [s5, e5] = dateWindow(new Date(`${day}T00:00:00Z`), 5);
    expect([e5 - s5, s5 - start0]).toEqual([19 * 3_600_000, 5 * 3_600_000]);
    const [sm, em] = dateWindow(new Date(`${day}T00:00:00Z`), -5);
    expect([em - sm, em]).toEqual([5 * 3_600_000, start0]);
    expect((await get(api, `/plays/date?date=${day}&utcOffset=-5`)).status).toBe(200);
    expect(api.callsFor('plays_date')).toBe(2);
  });

  it('refuses missing or malformed parameters with tsoa’s 400, uncharged', async () => {
    const api = await start();
    expect((await get(api, '/plays/team?season=2024')).status).toBe(400);
    expect((await get(api, '/plays/team?season=x&team=A')).status).toBe(400);
    expect((await get(api, '/substitutions/team?team=A')).status).toBe(400);
    expect((await get(api, '/plays/date')).status).toBe(400);
    expect((await get(api, '/plays/date?date=yesterday')).status).toBe(400);
    expect(api.remaining(KEY)).toBe(100);
  });

  it('can make a bulk answer too large', async () => {
    const api = await start();
    api.inject({ kind: 'huge', bytes: 200_000 }, { endpoint: 'plays_team' });
    const res = await fetch(`${api.url}/plays/team?season=2024&team=${encodeURIComponent(TEAM)}`, {
      headers: { Authorization: `Bearer ${KEY}` },
    });
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThanOrEqual(200_000);
    expect(api.log.map((e) => [e.endpoint, e.fault])).toEqual([['plays_team', 'huge']]);
  });
});
