import { gunzipSync } from 'node:zlib';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillOutcome } from '../../src/commands/fill.js';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { syntheticGames } from '../../src/demo/synthetic-api.js';
import { defaultAnswerSize } from '../../src/fill/answer-size.js';
import { planCalls } from '../../src/fill/call-plan.js';
import type { GameTarget } from '../../src/fill/targets.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import { cli, plannedGame, playsFill } from '../helpers/fill-env.js';
import { faultConfig } from '../faults/fill-scenario.js';
import { leagueOf, onlyGaps, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';

const SEASON = 2024;
const LAKE = {
  seed: 21,
  seasons: [SEASON],
  gamesPerSeason: 160,
  playsPerGame: [12, 18] as [number, number],
  gaps: onlyGaps({ missingShare: { fct_plays: 0.8, fct_substitutions: 0.5, fct_lineups: 0.1 } }),
};
const TEAMS = 64;
const SCHEDULE: GameTarget[] = syntheticGames(LAKE.seed, SEASON, LAKE.gamesPerSeason).map(plannedGame);

/** The first unit the planner brings by a team call, for these missing plays. */
function teamUnit(missing: readonly number[]) {
  const plan = planCalls({
    endpoint: 'plays_game',
    missing: SCHEDULE.filter((g) => missing.includes(g.gameId)),
    schedule: SCHEDULE,
    shape: 'auto',
    size: defaultAnswerSize('plays_game', 64 * 1024 * 1024),
  });
  return plan.units.find((u) => u.calls[0]!.request.kind === 'team')!;
}

type Lake = Awaited<ReturnType<typeof tempLake>>;

/** Every object under the lake's data prefixes, raw decompressed: what a reader downstream can see. */
async function lakeObjects(store: ObjectStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for (const prefix of ['raw/', 'bronze/', 'silver/', 'deadletter/'])
    for await (const o of store.list(prefix)) {
      const body = await store.get(o.key);
      objects.set(o.key, Buffer.from(o.key.endsWith('.gz') ? gunzipSync(body) : body).toString('base64'));
    }
  return objects;
}

async function checkpointsOf(lake: Lake, endpoint: string, ids: number[]) {
  const rows = await createFileCheckpoints(path.join(lake.root, '_checkpoints')).getMany(endpoint, ids);
  return ids.map((id) => {
    const r = rows.get(id);
    return { id, status: r?.status, season: r?.season, attempts: r?.attempts };
  });
}

describe('call shapes: the same games by fewer calls, written exactly as per game', () => {
  let perGame: Lake;
  let auto: Lake;
  let api: FakeCbbdApi;
  let config: string;
  let missingPlays: number[];
  let emptyInTeamCall: number;
  const env = () => ({ CBBD_API_KEY: 'k', CBBD_API_URL: api.url });
  const fill = async (lake: Lake, endpoint: string, shape: 'game' | 'auto') => {
    const argv = [...playsFill(config, lake.root, SEASON, shape), '--json'];
    argv[argv.indexOf('plays_game')] = endpoint;
    const run = await cli(argv, env());
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    return run.json() as FillOutcome;
  };

  /** Both lakes hold the same objects, byte for byte (raw decompressed), and the same checkpoints for `ids`. */
  const expectSameLakes = async (endpoint: string, ids: number[]) => {
    const [a, b] = await Promise.all([lakeObjects(perGame.store), lakeObjects(auto.store)]);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [key, body] of a) expect([key, b.get(key) === body]).toEqual([key, true]);
    expect(await checkpointsOf(auto, endpoint, ids)).toEqual(await checkpointsOf(perGame, endpoint, ids));
  };

  beforeAll(async () => {
    [perGame, auto] = await Promise.all([tempLake(LAKE), tempLake(LAKE)]);
    missingPlays = perGame.manifest.missing.fct_plays![SEASON]!;
    // A missing game that the planner brings by a team call, which the API has no plays for.
    emptyInTeamCall = teamUnit(missingPlays).games[0]!.gameId;
    api = await startFakeCbbdApi({
      ...leagueOf(LAKE),
      emptyGames: { plays_game: [emptyInTeamCall] },
      keys: { k: 100_000 },
    });
    config = await faultConfig(perGame.root);
  });
  afterAll(async () => {
    await api.close();
    await Promise.all([perGame.cleanup(), auto.cleanup()]);
  });

  it('fills a season with 80% of its plays missing in no more calls than it has teams', async () => {
    api.reset();
    const outcome = await fill(auto, 'plays_game', 'auto');
    const calls = api.log.length;
    expect(missingPlays.length).toBeGreaterThan(100);
    expect(calls).toBeLessThanOrEqual(TEAMS);
    expect(outcome.calls.calls.total).toBe(calls);
    expect(outcome.calls.perGameCalls).toBe(missingPlays.length);
    expect(outcome.result?.done.length).toBe(missingPlays.length - 1);
    // Absent from an answer certain to hold it: empty at once, no call of its own.
    expect(outcome.result?.empty).toEqual([emptyInTeamCall]);
    expect(api.callsFor('plays_game', emptyInTeamCall)).toBe(0);
  });

  it('writes raw, bronze, silver and deadletter exactly as a per-game fill, with the same checkpoints', async () => {
    api.reset();
    const outcome = await fill(perGame, 'plays_game', 'game');
    expect(api.callsFor('plays_game')).toBe(missingPlays.length);
    expect(outcome.result?.empty).toEqual([emptyInTeamCall]);
    await expectSameLakes('plays_game', missingPlays);
  });

  it('fetches substitutions by team, both teams of each game, and writes them as per game', async () => {
    const missing = perGame.manifest.missing.fct_substitutions![SEASON]!;
    api.reset();
    const outcome = await fill(auto, 'substitutions_game', 'auto');
    expect(outcome.result?.done.length).toBe(missing.length);
    const teamCalls = api.log.filter((e) => e.endpoint === 'substitutions_team').map((e) => e.path);
    expect(teamCalls.length).toBeGreaterThan(0);
    expect(api.log.length).toBeLessThan(missing.length);
    for (const g of SCHEDULE.filter((s) => missing.includes(s.gameId))) {
      if (api.callsFor('substitutions_game', g.gameId) > 0) continue;
      for (const team of [g.homeTeam!, g.awayTeam!])
        expect(teamCalls.some((p) => new URL(p, api.url).searchParams.get('team') === team)).toBe(true);
    }
    await fill(perGame, 'substitutions_game', 'game');
    await expectSameLakes('substitutions_game', missing);
  });

  it('keeps lineups per game', async () => {
    const missing = auto.manifest.missing.fct_lineups![SEASON]!;
    api.reset();
    const outcome = await fill(auto, 'lineups_game', 'auto');
    expect(outcome.result?.done.length).toBe(missing.length);
    expect(api.log.map((e) => e.endpoint)).toEqual(missing.map(() => 'lineups_game'));
  });
});

describe('call shapes: when the answer leaves doubt', () => {
  const lakeOptions = {
    ...LAKE,
    gaps: onlyGaps({ missingShare: { fct_plays: 0.8, fct_substitutions: 0, fct_lineups: 0 } }),
  };
  let lake: Lake;
  let api: FakeCbbdApi;
  let config: string;

  beforeAll(async () => {
    lake = await tempLake(lakeOptions);
    config = await faultConfig(lake.root);
  });
  afterAll(async () => {
    await api?.close();
    await lake.cleanup();
  });

  it('falls back to per-game calls for a team the API knows by another name, and says so', async () => {
    const missing = lake.manifest.missing.fct_plays![SEASON]!;
    const unit = teamUnit(missing);
    const request = unit.calls[0]!.request as { team: string };
    api = await startFakeCbbdApi({
      ...leagueOf(lakeOptions),
      renamedTeams: { [request.team]: `${request.team} University` },
      keys: { k: 100_000 },
    });
    const run = await cli([...playsFill(config, lake.root, SEASON, 'auto'), '--json'], {
      CBBD_API_KEY: 'k',
      CBBD_API_URL: api.url,
    });
    expect(run.code).toBe(0);
    const outcome = run.json() as FillOutcome;
    expect(outcome.result?.done.sort()).toEqual([...missing].sort());
    expect(outcome.result?.empty).toEqual([]);
    for (const g of unit.games) expect(api.callsFor('plays_game', g.gameId)).toBe(1);
    expect(run.stderr).toContain(`the API matched no game to the team name "${request.team}"`);
  });
});

describe('call shapes: scattered gaps', () => {
  let lake: Lake;
  let api: FakeCbbdApi;
  let config: string;
  beforeAll(async () => {
    lake = await tempLake(LAKE);
    config = await faultConfig(lake.root);
    api = await startFakeCbbdApi({ ...leagueOf(LAKE), keys: { k: 100_000 } });
  });
  afterAll(async () => {
    await api.close();
    await lake.cleanup();
  });

  it('fills three missing games sharing no team and no date by three per-game calls', async () => {
    const missing = lake.manifest.missing.fct_plays![SEASON]!;
    const scattered: GameTarget[] = [];
    for (const g of SCHEDULE.filter((s) => missing.includes(s.gameId))) {
      const teams = (m: GameTarget) => [m.homeTeam, m.awayTeam];
      const clash = scattered.some((m) => m.date === g.date || teams(m).some((t) => teams(g).includes(t)));
      if (!clash) scattered.push(g);
      if (scattered.length === 3) break;
    }
    const ids = scattered.map((g) => g.gameId);
    const file = path.join(lake.root, 'scattered.txt');
    await writeFile(file, ids.join('\n'));
    const run = await cli(
      [...playsFill(config, lake.root, SEASON, 'auto'), '--missing-ids-file', file, '--json'],
      { CBBD_API_KEY: 'k', CBBD_API_URL: api.url },
    );
    expect(run.code).toBe(0);
    const outcome = run.json() as FillOutcome;
    expect(outcome.calls.calls).toEqual({ game: 3, team: 0, date: 0, total: 3 });
    // Made at once (the fill runs several workers): compared in id order.
    const asked = api.log.map((e) => [e.endpoint, e.gameId]).sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(asked).toEqual([...ids].sort((a, b) => a - b).map((id) => ['plays_game', id]));
    expect(outcome.result?.done.sort()).toEqual([...ids].sort());
  });
});
