import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import {
  syntheticGames,
  syntheticLineups,
  syntheticPlays,
  syntheticSubstitutions,
} from '../../src/demo/synthetic-api.js';
import type { GameRecord } from '../../src/source/api-records.js';
import { maxStartedInAnyWindow, type RequestLogEntry } from './cbbd-api-log.js';
import { startFakeCbbdApi, type Fault, type FakeCbbdApi, type FakeCbbdApiOptions } from './cbbd-api.js';

const KEY = 'test-key';
const SEED = 7;
const PLAYS: [number, number] = [5, 9];
const BASE: FakeCbbdApiOptions = {
  seed: SEED,
  seasons: [2023, 2024],
  gamesPerSeason: 3,
  playsPerGame: PLAYS,
  keys: {},
};
const MISSING_BEARER =
  'Unauthorized. Did you forget to add "Bearer " before your key? Go to CollegeBasketballData.com to register for your free API key. See the CBBD API documentation for more information.';
const QUOTA_BODY = '{"message":"Monthly call quota exceeded."}';

const games2023 = syntheticGames(SEED, 2023, 3);
const games2024 = syntheticGames(SEED, 2024, 3);
const [old, game, other] = [games2023[0]!, games2024[0]!, games2024[1]!];
const playsOf = (g: GameRecord, [min, max] = PLAYS) =>
  syntheticPlays(SEED, g, createRandom(mixSeed(SEED, g.id, 5)).int(min, max));

const servers: FakeCbbdApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<FakeCbbdApiOptions> = {}): Promise<FakeCbbdApi> {
  const api = await startFakeCbbdApi({ ...BASE, keys: { [KEY]: 100 }, ...overrides });
  servers.push(api);
  return api;
}

/** GET with `Bearer KEY` unless `auth` gives the raw header (null: none). */
function get(
  api: FakeCbbdApi,
  path: string,
  init: { auth?: string | null; signal?: AbortSignal; method?: string } = {},
) {
  const auth = init.auth === undefined ? `Bearer ${KEY}` : init.auth;
  return fetch(`${api.url}${path}`, {
    method: init.method ?? 'GET',
    headers: auth === null ? {} : { Authorization: auth },
    ...(init.signal && { signal: init.signal }),
  });
}

/** Polls a condition the server reaches asynchronously; no timing is asserted. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await sleep(5);
  }
  throw new Error(`never saw ${what}`);
}

const errorName = (e: unknown) => (e instanceof Error ? e.name : String(e));

/** Sends `count` requests the fake stalls on, waits until all are open, and hands back a way to give up on them. */
async function openStalled(api: FakeCbbdApi, count: number) {
  const controller = new AbortController();
  const before = api.inFlight;
  for (let i = 0; i < count; i++) api.inject({ kind: 'stall' });
  const pending = Array.from({ length: count }, () =>
    get(api, `/plays/game/${game.id}`, { signal: controller.signal }).then(() => 'answered', errorName),
  );
  await until(() => api.inFlight === before + count, `${count} stalled requests in flight`);
  return { controller, pending };
}

describe('fake CBBD API: authentication', () => {
  const cases: [string, string | null, string][] = [
    ['no Authorization header', null, MISSING_BEARER],
    ['another scheme', `Token ${KEY}`, MISSING_BEARER],
    ['"Bearer" and no key', 'Bearer ', MISSING_BEARER],
    ['a lower-case scheme (the pattern is case-sensitive)', `bearer ${KEY}`, MISSING_BEARER],
    ['an unknown key', 'Bearer nope', 'Unauthorized'],
  ];
  it.each(cases)('answers 401 for %s, without a call-limit header or a charge', async (_, auth, message) => {
    const api = await start();
    const res = await get(api, `/plays/game/${game.id}`, { auth });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message });
    expect(res.headers.get('x-calllimit-remaining')).toBeNull();
    expect(api.remaining(KEY)).toBe(100);
  });

  it('logs the presented key, known or not', async () => {
    const api = await start();
    await get(api, `/plays/game/${game.id}`, { auth: 'Bearer nope' });
    await get(api, `/plays/game/${game.id}`);
    expect(api.log.map((e) => [e.key, e.status])).toEqual([
      ['nope', 401],
      [KEY, 200],
    ]);
  });
});

describe('fake CBBD API: monthly quota', () => {
  it('charges only 200s and reports the count left after each call', async () => {
    const api = await start({ keys: { [KEY]: 3 } });
    const ok = await get(api, `/plays/game/${game.id}`);
    const bad = await get(api, '/plays/game/abc');
    expect([ok.status, ok.headers.get('x-calllimit-remaining')]).toEqual([200, '2']);
    expect([bad.status, bad.headers.get('x-calllimit-remaining')]).toEqual([400, '2']);
    expect(api.remaining(KEY)).toBe(2);
  });

  it('answers the quota 429 once the count is spent: exact body, no Retry-After, header 0, no charge', async () => {
    const api = await start({ keys: { [KEY]: 1 } });
    expect((await get(api, `/plays/game/${game.id}`)).headers.get('x-calllimit-remaining')).toBe('0');
    const res = await get(api, `/plays/game/${game.id}`);
    expect(res.status).toBe(429);
    expect(await res.text()).toBe(QUOTA_BODY);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('x-calllimit-remaining')).toBe('0');
    expect(api.remaining(KEY)).toBe(0);
    expect(api.log.map((e) => e.status)).toEqual([200, 429]);
  });

  it('checks the quota before validating parameters, as checkCallQuotas runs before tsoa', async () => {
    const api = await start({ keys: { [KEY]: 0 } });
    expect((await get(api, '/plays/game/abc')).status).toBe(429);
  });

  it('lets overlapping last calls overdraw the count, as the real check-then-charge does', async () => {
    const api = await start({ keys: { [KEY]: 1 } });
    api.inject({ kind: 'slow', ms: 500 });
    api.inject({ kind: 'slow', ms: 500 });
    const answers = await Promise.all([
      get(api, `/plays/game/${game.id}`),
      get(api, `/plays/game/${other.id}`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((r) => r.headers.get('x-calllimit-remaining')).sort()).toEqual(['-1', '0']);
    expect(api.remaining(KEY)).toBe(-1);
  });

  it('sets and reads a key count, and names the known keys for an unknown one', async () => {
    const api = await start();
    api.setRemaining(KEY, 0);
    api.setRemaining('second', 5);
    expect((await get(api, '/games?season=2024', { auth: 'Bearer second' })).status).toBe(200);
    expect([api.remaining(KEY), api.remaining('second')]).toEqual([0, 4]);
    expect(() => api.remaining('nope')).toThrow('unknown API key "nope"; the fake knows test-key, second');
  });
});

describe('fake CBBD API: routes and data', () => {
  it('serves the synthetic league: plays, substitutions and lineups of a 2024 game, games of a season', async () => {
    const api = await start();
    const body = async (path: string) => (await get(api, path)).json();
    expect(await body(`/plays/game/${game.id}`)).toEqual(playsOf(game));
    expect(await body(`/substitutions/game/${game.id}`)).toEqual(syntheticSubstitutions(SEED, game));
    expect(await body(`/lineups/game/${game.id}`)).toEqual(syntheticLineups(SEED, game));
    expect(await body('/games?season=2024')).toEqual(games2024);
    expect(await body('/games')).toEqual([...games2023, ...games2024]);
  });

  it('draws a game’s play count as the demo lake does, [350, 450] by default', async () => {
    const api = await start({ playsPerGame: undefined });
    const plays = (await (await get(api, `/plays/game/${game.id}`)).json()) as unknown[];
    expect(plays).toHaveLength(createRandom(mixSeed(SEED, game.id, 5)).int(350, 450));
    expect(plays).toEqual(playsOf(game, [350, 450]));
  });

  const empty: [string, string][] = [
    ['substitutions before 2024', `/substitutions/game/${old.id}`],
    ['lineups before 2024', `/lineups/game/${old.id}`],
    ['a game listed in emptyGames', `/plays/game/${other.id}`],
    ['a game id not in the league', '/plays/game/123'],
    ['a season not configured', '/games?season=2019'],
  ];
  it.each(empty)('answers 200 [] (never 404) for %s, and charges it', async (_, path) => {
    const api = await start({ emptyGames: { plays_game: [other.id] } });
    const res = await get(api, path);
    expect([res.status, await res.json()]).toEqual([200, []]);
    expect(api.remaining(KEY)).toBe(99);
  });

  it('still serves pre-2024 plays', async () => {
    const api = await start();
    expect(await (await get(api, `/plays/game/${old.id}`)).json()).toEqual(playsOf(old));
  });

  const invalid: [string, string, Record<string, unknown>][] = [
    ['/plays/game/abc', 'gameId', { message: 'invalid integer number', value: 'abc' }],
    ['/lineups/game/1.5', 'gameId', { message: 'invalid integer number', value: '1.5' }],
    ['/substitutions/game/a%20b', 'gameId', { message: 'invalid integer number', value: 'a b' }],
    ['/games?season=20x4', 'season', { message: 'invalid integer number', value: '20x4' }],
  ];
  it.each(invalid)('answers tsoa’s 400 for %s', async (path, field, detail) => {
    const api = await start();
    const res = await get(api, path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Validation Failed', details: { [field]: detail } });
  });

  it('routes like Express: case-insensitive, optional trailing slash', async () => {
    const api = await start();
    expect(await (await get(api, `/Plays/Game/${game.id}/`)).json()).toEqual(playsOf(game));
    expect(api.callsFor('plays_game', game.id)).toBe(1);
  });

  const unknown: [string, string, string][] = [
    ['GET', '/x', 'Cannot GET /x'],
    ['GET', '/plays/game/', 'Cannot GET /plays/game/'],
    ['POST', `/plays/game/${game.id}`, `Cannot POST /plays/game/${game.id}`],
    ['GET', '/<b>?q=1', 'Cannot GET /%3Cb%3E'],
  ];
  it.each(unknown)(
    'answers %s %s with Express’s HTML 404, before auth and without a charge',
    async (method, path, text) => {
      const api = await start();
      const res = await get(api, path, { method, auth: null });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toBe(
        `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${text}</pre>\n</body>\n</html>\n`,
      );
      expect(api.log.map((e) => [e.endpoint, e.status])).toEqual([['other', 404]]);
      expect(api.remaining(KEY)).toBe(100);
    },
  );
});

describe('fake CBBD API: injected faults', () => {
  const statuses: [Extract<Fault, { kind: 'status' }>['status'], string, boolean][] = [
    [500, '{"message":"Internal Server Error"}', true],
    [400, '{"message":"Validation Failed","details":{}}', true],
    [401, '{"message":"Unauthorized"}', false],
    [404, '<pre>Cannot GET /plays/game/', false],
    [502, '<title>502 Bad Gateway</title>', false],
    [503, '<title>503 Service Temporarily Unavailable</title>', false],
    [504, '<title>504 Gateway Time-out</title>', false],
  ];
  it.each(statuses)('status %i: answers what that layer sends, uncharged', async (status, text, header) => {
    const api = await start();
    api.inject({ kind: 'status', status });
    const res = await get(api, `/plays/game/${game.id}`);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(text);
    expect(res.headers.get('x-calllimit-remaining')).toBe(header ? '100' : null);
    expect(api.remaining(KEY)).toBe(100);
    expect(api.log[0]).toMatchObject({ status, fault: 'status', endpoint: 'plays_game', gameId: game.id });
  });

  it('sends a given body, typed JSON when it parses', async () => {
    const api = await start();
    api.inject({ kind: 'status', status: 503, body: '{"message":"down"}' });
    api.inject({ kind: 'status', status: 502, body: 'upstream gone' });
    const json = await get(api, `/plays/game/${game.id}`);
    const text = await get(api, `/plays/game/${game.id}`);
    expect([json.headers.get('content-type'), await json.text()]).toEqual([
      'application/json; charset=utf-8',
      '{"message":"down"}',
    ]);
    expect([text.headers.get('content-type'), await text.text()]).toEqual([
      'text/html; charset=utf-8',
      'upstream gone',
    ]);
  });

  it('consumes queued faults first in, first out, one per admitted data request', async () => {
    const api = await start();
    api.inject({ kind: 'status', status: 500 });
    api.inject({ kind: 'status', status: 502 });
    await get(api, `/plays/game/${game.id}`, { auth: 'Bearer nope' });
    await get(api, '/plays/game/abc');
    await get(api, '/nowhere');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(api, `/plays/game/${game.id}`)).status);
    expect(statuses).toEqual([500, 502, 200]);
    expect(api.pendingFaults).toBe(0);
  });

  it('keeps a matched fault for the request it names', async () => {
    const api = await start();
    api.inject({ kind: 'status', status: 503 }, { endpoint: 'lineups_game', gameId: other.id });
    expect((await get(api, `/lineups/game/${game.id}`)).status).toBe(200);
    expect((await get(api, `/plays/game/${other.id}`)).status).toBe(200);
    expect((await get(api, `/lineups/game/${other.id}`)).status).toBe(503);
  });

  it('rate-limit: 429 with Retry-After and the concurrency message, uncharged', async () => {
    const api = await start();
    api.inject({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const res = await get(api, `/plays/game/${game.id}`);
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([
      429,
      '7',
      '{"message":"Too many concurrent requests for this endpoint."}',
    ]);
    expect(api.remaining(KEY)).toBe(100);
  });

  it('rate-limit-no-header: a 429 that is neither the quota message nor carries Retry-After', async () => {
    const api = await start();
    api.inject({ kind: 'rate-limit-no-header' });
    const res = await get(api, `/plays/game/${game.id}`);
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([
      429,
      null,
      '{"message":"Too many requests"}',
    ]);
    expect(api.remaining(KEY)).toBe(100);
  });

  it('quota: the quota 429 once, with header 0, leaving the real count alone', async () => {
    const api = await start();
    api.inject({ kind: 'quota' });
    const res = await get(api, `/plays/game/${game.id}`);
    expect([res.status, res.headers.get('retry-after'), res.headers.get('x-calllimit-remaining')]).toEqual([
      429,
      null,
      '0',
    ]);
    expect(await res.text()).toBe(QUOTA_BODY);
    expect((await get(api, `/plays/game/${game.id}`)).status).toBe(200);
    expect(api.remaining(KEY)).toBe(99);
  });

  it('slow: still the real answer', async () => {
    const api = await start();
    api.inject({ kind: 'slow', ms: 20 });
    expect(await (await get(api, `/plays/game/${game.id}`)).json()).toEqual(playsOf(game));
    expect(api.log[0]).toMatchObject({ status: 200, fault: 'slow' });
  });

  it('slow: a client that gives up is still charged, as the real server answers into the closed socket', async () => {
    const api = await start();
    api.inject({ kind: 'slow', ms: 400 });
    const controller = new AbortController();
    const pending = get(api, `/plays/game/${game.id}`, { signal: controller.signal }).catch(errorName);
    await until(() => api.inFlight === 1, 'the slow request');
    controller.abort();
    expect(await pending).toBe('AbortError');
    await until(() => api.log.length === 1, 'the late answer');
    expect(api.log[0]).toMatchObject({ status: 200, aborted: true, fault: 'slow' });
    expect(api.remaining(KEY)).toBe(99);
  });

  it('stall: never answers; logged as status 0 once the client gives up, uncharged', async () => {
    const api = await start();
    const { controller, pending } = await openStalled(api, 1);
    controller.abort();
    expect(await Promise.all(pending)).toEqual(['AbortError']);
    await until(() => api.log.length === 1, 'the stalled request to end');
    expect(api.log[0]).toMatchObject({ status: 0, aborted: true, fault: 'stall' });
    expect(api.remaining(KEY)).toBe(100);
  });

  it('stall: close() ends stalled requests and the server', async () => {
    const api = await start();
    const { pending } = await openStalled(api, 2);
    await api.close();
    expect(await Promise.all(pending)).toEqual(['TypeError', 'TypeError']);
    expect(api.log.map((e) => e.status)).toEqual([0, 0]);
    expect(api.inFlight).toBe(0);
    await expect(get(api, '/games')).rejects.toThrow(TypeError);
  });

  it('reset: drops the connection without an answer, uncharged', async () => {
    const api = await start();
    api.inject({ kind: 'reset' });
    await expect(get(api, `/plays/game/${game.id}`)).rejects.toThrow(TypeError);
    expect(api.log[0]).toMatchObject({ status: 0, fault: 'reset' });
    expect(api.remaining(KEY)).toBe(100);
  });

  it('malformed-json: a charged 200 whose body does not parse', async () => {
    const api = await start();
    api.inject({ kind: 'malformed-json' });
    const res = await get(api, `/plays/game/${game.id}`);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    expect(api.remaining(KEY)).toBe(99);
  });

  it('truncated: a charged 200 whose body ends before its Content-Length', async () => {
    const api = await start();
    api.inject({ kind: 'truncated' });
    await expect(get(api, `/plays/game/${game.id}`).then((r) => r.text())).rejects.toThrow(TypeError);
    expect(api.log[0]).toMatchObject({ status: 200, fault: 'truncated' });
    expect(api.remaining(KEY)).toBe(99);
  });

  it('huge: a charged 200 of valid JSON, the real records padded to the size asked', async () => {
    const api = await start();
    api.inject({ kind: 'huge', bytes: 200_000 });
    const res = await get(api, `/plays/game/${game.id}`);
    const text = await res.text();
    expect([res.status, Buffer.byteLength(text), res.headers.get('content-length')]).toEqual([
      200,
      200_000,
      '200000',
    ]);
    expect(JSON.parse(text)).toEqual(playsOf(game));
    expect(api.remaining(KEY)).toBe(99);
  });

  it('wrong-shape: a charged 200 that is not an array', async () => {
    const api = await start();
    api.inject({ kind: 'wrong-shape' });
    const res = await get(api, `/plays/game/${game.id}`);
    expect([res.status, await res.json()]).toEqual([200, { not: 'an array' }]);
    expect(api.remaining(KEY)).toBe(99);
  });

  it('faultFor: asked per admitted request with the attempt number, after the queue', async () => {
    const asked: unknown[] = [];
    const api = await start({
      faultFor: (request) => {
        asked.push(request);
        return request.n === 1 ? { kind: 'status', status: 503 } : undefined;
      },
    });
    api.inject({ kind: 'status', status: 500 });
    const statuses = [];
    for (const id of [game.id, game.id, game.id, other.id, other.id]) {
      statuses.push((await get(api, `/plays/game/${id}`)).status);
    }
    expect(statuses).toEqual([500, 200, 200, 503, 200]);
    expect(asked).toEqual([
      { path: `/plays/game/${game.id}`, endpoint: 'plays_game', gameId: game.id, n: 2 },
      { path: `/plays/game/${game.id}`, endpoint: 'plays_game', gameId: game.id, n: 3 },
      { path: `/plays/game/${other.id}`, endpoint: 'plays_game', gameId: other.id, n: 1 },
      { path: `/plays/game/${other.id}`, endpoint: 'plays_game', gameId: other.id, n: 2 },
    ]);
  });

  it('faultFor: a seeded schedule gives the same statuses on every run', async () => {
    const run = async () => {
      const rnd = createRandom(42);
      const api = await start({
        faultFor: () => (rnd.chance(0.5) ? { kind: 'status', status: 502 } : undefined),
      });
      const statuses = [];
      for (const g of games2024) statuses.push((await get(api, `/plays/game/${g.id}`)).status);
      return statuses;
    };
    const first = await run();
    expect(first.every((s) => s === 200 || s === 502)).toBe(true);
    expect(await run()).toEqual(first);
  });
});

describe('fake CBBD API: observability', () => {
  it('logs each request with its endpoint, game, status and key, and counts calls per game', async () => {
    const api = await start();
    await get(api, `/plays/game/${game.id}`);
    await get(api, `/plays/game/${game.id}`);
    await get(api, `/lineups/game/${game.id}`);
    await get(api, '/games?season=2024');
    await get(api, '/x');
    expect(
      api.log.map(({ method, path, endpoint, gameId, status, key }) => ({
        method,
        path,
        endpoint,
        gameId,
        status,
        key,
      })),
    ).toEqual([
      {
        method: 'GET',
        path: `/plays/game/${game.id}`,
        endpoint: 'plays_game',
        gameId: game.id,
        status: 200,
        key: KEY,
      },
      {
        method: 'GET',
        path: `/plays/game/${game.id}`,
        endpoint: 'plays_game',
        gameId: game.id,
        status: 200,
        key: KEY,
      },
      {
        method: 'GET',
        path: `/lineups/game/${game.id}`,
        endpoint: 'lineups_game',
        gameId: game.id,
        status: 200,
        key: KEY,
      },
      {
        method: 'GET',
        path: '/games?season=2024',
        endpoint: 'games',
        gameId: undefined,
        status: 200,
        key: KEY,
      },
      { method: 'GET', path: '/x', endpoint: 'other', gameId: undefined, status: 404, key: undefined },
    ]);
    expect(api.log.every((e) => e.endedAt >= e.startedAt)).toBe(true);
    expect([
      api.callsFor('plays_game', game.id),
      api.callsFor('plays_game', other.id),
      api.callsFor('plays_game'),
    ]).toEqual([2, 0, 2]);
    expect([api.callsFor('games'), api.callsFor('other')]).toEqual([1, 1]);
  });

  it('tracks the most requests in flight at once, and reset() clears it with the log', async () => {
    const api = await start();
    const { controller, pending } = await openStalled(api, 3);
    expect(api.maxInFlight).toBe(3);
    controller.abort();
    await Promise.all(pending);
    await until(() => api.inFlight === 0, 'the stalled requests to end');
    await get(api, `/plays/game/${game.id}`);
    expect([api.maxInFlight, api.log.length]).toEqual([3, 4]);
    api.reset();
    expect([api.maxInFlight, api.log.length]).toEqual([0, 0]);
    await get(api, `/plays/game/${game.id}`);
    expect(api.maxInFlight).toBe(1);
  });

  it('holds requests open for latencyMs, so concurrent ones overlap', async () => {
    const api = await start({ latencyMs: 300 });
    const answers = await Promise.all([game, other, old].map((g) => get(api, `/plays/game/${g.id}`)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(api.maxInFlight).toBe(3);
  });

  it('counts requests started in a window from the log', async () => {
    const api = await start();
    await Promise.all(games2024.map((g) => get(api, `/plays/game/${g.id}`)));
    await get(api, '/games');
    expect(api.maxStartedInAnyWindow(60_000)).toBe(4);
    expect(api.maxStartedInAnyWindow(60_000)).toBe(maxStartedInAnyWindow(api.log, 60_000));
  });

  const at = (...starts: number[]) => starts.map((startedAt) => ({ startedAt }) as RequestLogEntry);
  const windows: [string, RequestLogEntry[], number, number][] = [
    ['an empty log', at(), 1000, 0],
    ['one burst', at(0, 10, 20), 1000, 3],
    ['the window end excluded', at(0, 999, 1000, 1999), 1000, 2],
    ['the densest window found mid-log', at(0, 500, 1000, 1200, 1400, 3000), 1000, 4],
    ['starts in any order', at(1400, 0, 1200, 500, 1000, 3000), 1000, 4],
    ['a narrow window', at(0, 10, 20, 30), 15, 2],
  ];
  it.each(windows)('maxStartedInAnyWindow: %s', (_, log, windowMs, expected) => {
    expect(maxStartedInAnyWindow(log, windowMs)).toBe(expected);
  });

  it('refuses a window that is not positive', async () => {
    const api = await start();
    expect(() => api.maxStartedInAnyWindow(0)).toThrow('windowMs must be positive, got 0');
  });

  it('refuses options it cannot honour, saying how to fix them', async () => {
    await expect(start({ playsPerGame: [450, 350] })).rejects.toThrow(
      'playsPerGame [450, 350] is reversed; write it as [350, 450]',
    );
    await expect(start({ gamesPerSeason: 100_000 })).rejects.toThrow(
      'gamesPerSeason 100000 must be an integer in 0..99999',
    );
  });
});
