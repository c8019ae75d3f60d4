import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import { syntheticGames, syntheticPlays } from '../../src/demo/synthetic-api.js';
import type { GameRecord } from '../../src/source/api-records.js';
import { ApiKeyError, type CbbdClient } from '../../src/source/cbbd-client.js';
import {
  createHttpCbbdClient,
  nextMonthUtc,
  type HttpCbbdClientOptions,
} from '../../src/source/http-cbbd-client.js';
import { QuotaExhaustedError, UsageError } from '../../src/util/errors.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { startFakeCbbdApi, type FakeCbbdApi, type FakeCbbdApiOptions } from '../fakes/cbbd-api.js';

const KEY = 'sekret-key-4f1c';
const SEED = 11;
const PLAYS: [number, number] = [3, 6];
const GAMES = syntheticGames(SEED, 2024, 60);
const [game, other] = [GAMES[0]!, GAMES[1]!];
const ENDPOINTS = {
  plays_game: { path: '/plays/game/{gameId}' },
  substitutions_game: { path: '/substitutions/game/{gameId}' },
  lineups_game: { path: '/lineups/game/{gameId}' },
  games: { path: '/games' },
};
/** 17 May 2026 plus real elapsed time, so the limiter still sees time pass. */
const MAY_17 = Date.UTC(2026, 4, 17, 12);
const now = () => MAY_17 + performance.now();
const playsOf = (g: GameRecord) =>
  syntheticPlays(SEED, g, createRandom(mixSeed(SEED, g.id, 5)).int(...PLAYS));

const servers: FakeCbbdApi[] = [];
let logger = createMemoryLogger();
beforeEach(() => {
  logger = createMemoryLogger();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // Whatever happened, the key never reached the log.
  expect(logger.lines.filter((l) => l.message.includes(KEY))).toEqual([]);
});

async function start(overrides: Partial<FakeCbbdApiOptions> = {}): Promise<FakeCbbdApi> {
  const api = await startFakeCbbdApi({
    seed: SEED,
    seasons: [2024],
    gamesPerSeason: GAMES.length,
    playsPerGame: PLAYS,
    keys: { [KEY]: 1000 },
    ...overrides,
  });
  servers.push(api);
  return api;
}

/** Sleeps that return at once and are remembered: retry waits are asserted, never waited for. */
function recordingSleep() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

function client(api: FakeCbbdApi, overrides: Partial<HttpCbbdClientOptions> = {}): CbbdClient {
  return createHttpCbbdClient({
    baseUrl: api.url,
    apiKey: KEY,
    endpoints: ENDPOINTS,
    // Far above what the tests send, so only the tests about rate ever wait for the limiter.
    rate: 1000,
    concurrency: 4,
    timeoutMs: 5000,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    quotaReserve: 0,
    logger,
    now,
    ...overrides,
  });
}

const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('http CBBD client: answers', () => {
  it('returns a game’s records, sending the key as a Bearer token, and counts the call', async () => {
    const api = await start();
    const cbbd = client(api);
    expect(await cbbd.fetchGame('plays_game', game.id)).toEqual({ kind: 'records', records: playsOf(game) });
    expect(api.log.map((e) => [e.path, e.key, e.status])).toEqual([[`/plays/game/${game.id}`, KEY, 200]]);
    expect(cbbd.usage()).toEqual({ calls: 1, charged: 1, retries: 0, quotaRemaining: 999, maxInFlight: 1 });
  });

  it('reads the API’s [] as a game without data', async () => {
    const api = await start({ emptyGames: { plays_game: [other.id] } });
    expect(await client(api).fetchGame('plays_game', other.id)).toEqual({ kind: 'empty' });
    expect(await client(api).fetchGame('lineups_game', 123)).toEqual({ kind: 'empty' });
  });

  it.each([400, 404] as const)('fails the game on %i without asking again', async (status) => {
    const api = await start();
    api.inject({ kind: 'status', status });
    const outcome = await client(api).fetchGame('plays_game', game.id);
    expect(outcome).toMatchObject({ kind: 'failed', status, attempts: 1 });
    expect(outcome.kind === 'failed' && outcome.reason).toContain('not retried');
    expect(api.callsFor('plays_game', game.id)).toBe(1);
  });

  const badBodies: [string, Parameters<FakeCbbdApi['inject']>[0], string][] = [
    ['malformed JSON', { kind: 'malformed-json' }, 'the answer is not JSON'],
    ['JSON that is not an array', { kind: 'wrong-shape' }, 'the answer is JSON but not an array (object)'],
    ['a body over the size cap', { kind: 'huge', bytes: 50_000 }, 'larger than the cap of 20000 bytes'],
  ];
  it.each(badBodies)(
    'fails the game on %s, once: a retry would pay for the same bytes',
    async (_, fault, reason) => {
      const api = await start();
      api.inject(fault);
      const cbbd = client(api, { maxBodyBytes: 20_000 });
      const outcome = await cbbd.fetchGame('plays_game', game.id);
      expect(outcome).toMatchObject({ kind: 'failed', attempts: 1 });
      expect(outcome.kind === 'failed' && outcome.reason).toContain(reason);
      expect(api.callsFor('plays_game', game.id)).toBe(1);
      expect(cbbd.usage()).toMatchObject({ calls: 1, charged: 1, retries: 0 });
    },
  );

  it('reads a body up to the cap', async () => {
    const api = await start();
    api.inject({ kind: 'huge', bytes: 19_000 });
    expect(await client(api, { maxBodyBytes: 20_000 }).fetchGame('plays_game', game.id)).toEqual({
      kind: 'records',
      records: playsOf(game),
    });
  });
});

describe('http CBBD client: retries', () => {
  it.each([500, 502, 503, 504] as const)(
    'retries %i up to max_attempts, then fails the game',
    async (status) => {
      const api = await start({
        faultFor: (r) => (r.gameId === game.id ? { kind: 'status', status } : undefined),
      });
      const { sleep, slept } = recordingSleep();
      const cbbd = client(api, { sleep });
      const outcome = await cbbd.fetchGame('plays_game', game.id);
      expect(outcome).toMatchObject({ kind: 'failed', status, attempts: 4 });
      expect(outcome.kind === 'failed' && outcome.reason).toContain('after 4 attempts');
      expect(api.callsFor('plays_game', game.id)).toBe(4);
      expect(cbbd.usage()).toMatchObject({ calls: 4, charged: 0, retries: 3 });
      expect(slept).toHaveLength(3);
      expect(slept.every((ms) => ms >= 0 && ms < 20)).toBe(true);
      expect(logger.lines.filter((l) => l.level === 'debug').map((l) => l.message.split(':')[1])).toEqual([
        ' attempt 1 of 4',
        ' attempt 2 of 4',
        ' attempt 3 of 4',
      ]);
    },
  );

  it('recovers when a 503 clears before the attempts run out', async () => {
    const api = await start({ faultFor: (r) => (r.n <= 2 ? { kind: 'status', status: 503 } : undefined) });
    const cbbd = client(api, recordingSleep());
    expect(await cbbd.fetchGame('plays_game', game.id)).toEqual({ kind: 'records', records: playsOf(game) });
    expect(api.log.map((e) => e.status)).toEqual([503, 503, 200]);
    expect(cbbd.usage()).toMatchObject({ calls: 3, charged: 1, retries: 2 });
  });

  it('waits what a 429’s Retry-After asks, then succeeds', async () => {
    const api = await start();
    api.inject({ kind: 'rate-limit', retryAfterSeconds: 2 });
    const { sleep, slept } = recordingSleep();
    const cbbd = client(api, { sleep, retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 5000 } });
    expect(await cbbd.fetchGame('plays_game', game.id)).toEqual({ kind: 'records', records: playsOf(game) });
    expect(slept).toEqual([2000]);
    expect(api.log.map((e) => e.status)).toEqual([429, 200]);
    expect(logger.lines.find((l) => l.level === 'info')?.message).toContain(
      'Retry-After; retrying in 2000 ms',
    );
  });

  it('caps a long Retry-After at max_delay', async () => {
    const api = await start();
    api.inject({ kind: 'rate-limit', retryAfterSeconds: 60 });
    const { sleep, slept } = recordingSleep();
    await client(api, { sleep }).fetchGame('plays_game', game.id);
    expect(slept).toEqual([20]);
  });

  it('backs off from a 429 that has neither Retry-After nor the quota message', async () => {
    const api = await start();
    api.inject({ kind: 'rate-limit-no-header' });
    const { sleep, slept } = recordingSleep();
    expect(await client(api, { sleep }).fetchGame('plays_game', game.id)).toMatchObject({ kind: 'records' });
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeLessThan(5);
  });

  it('retries a connection reset and a body cut short (paying again for the cut one)', async () => {
    const api = await start();
    api.inject({ kind: 'reset' });
    api.inject({ kind: 'truncated' });
    const cbbd = client(api, recordingSleep());
    expect(await cbbd.fetchGame('plays_game', game.id)).toEqual({ kind: 'records', records: playsOf(game) });
    expect(api.log.map((e) => [e.status, e.fault])).toEqual([
      [0, 'reset'],
      [200, 'truncated'],
      [200, undefined],
    ]);
    expect(cbbd.usage()).toMatchObject({ calls: 3, charged: 2, retries: 2 });
  });

  it('gives up on a stalled request after timeout_seconds and asks again', async () => {
    const api = await start();
    api.inject({ kind: 'stall' });
    const cbbd = client(api, { timeoutMs: 200, ...recordingSleep() });
    expect(await cbbd.fetchGame('plays_game', game.id)).toEqual({ kind: 'records', records: playsOf(game) });
    expect(api.log.map((e) => [e.status, e.fault, e.aborted])).toEqual([
      [0, 'stall', true],
      [200, undefined, undefined],
    ]);
    expect(logger.lines.some((l) => l.message.includes('no answer within 200 ms'))).toBe(true);
  });

  it('stops at once when the caller aborts, without a retry', async () => {
    const api = await start();
    api.inject({ kind: 'stall' });
    const controller = new AbortController();
    const pending = rejection(client(api).fetchGame('plays_game', game.id, controller.signal));
    while (api.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect((await pending)?.name).toBe('AbortError');
    await api.close();
    expect(api.log).toHaveLength(1);
  });
});

describe('http CBBD client: quota and key', () => {
  it('stops the fill on the quota 429, says when it resets, and sends nothing more', async () => {
    const api = await start();
    api.inject({ kind: 'quota' });
    const cbbd = client(api);
    const error = await rejection(cbbd.fetchGame('plays_game', game.id));
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error?.message).toBe(
      "the CBBD API's monthly call quota is spent (HTTP 429: Monthly call quota exceeded.); waiting does not help: " +
        'retry after it resets on 2026-06-01 (UTC)',
    );
    expect(await rejection(cbbd.fetchGame('plays_game', other.id))).toBe(error);
    expect(api.log).toHaveLength(1);
  });

  it('sends one call, not a wave, to a key whose quota is already spent', async () => {
    const api = await start({ keys: { [KEY]: 0 } });
    const cbbd = client(api);
    const errors = await Promise.all(
      GAMES.slice(0, 8).map((g) => rejection(cbbd.fetchGame('plays_game', g.id))),
    );
    expect(errors.every((e) => e instanceof QuotaExhaustedError)).toBe(true);
    expect(api.log.map((e) => e.status)).toEqual([429]);
  });

  it('keeps api.quota_reserve: with reserve + 2 calls left it makes 2 charged calls and stops', async () => {
    const api = await start({ keys: { [KEY]: 7 } });
    const cbbd = client(api, { quotaReserve: 5 });
    const results = [];
    for (const g of GAMES.slice(0, 4)) results.push(await rejection(cbbd.fetchGame('plays_game', g.id)));
    expect(results.map((r) => r?.name)).toEqual([
      undefined,
      undefined,
      'QuotaExhaustedError',
      'QuotaExhaustedError',
    ]);
    expect(results[2]?.message).toBe(
      'the CBBD API has 5 calls left this month and api.quota_reserve keeps 5 of them for the pipeline, so the ' +
        'fill stops here; the quota resets on 2026-06-01 (UTC). Run again then, or lower api.quota_reserve to ' +
        'spend more this month.',
    );
    expect([api.log.length, api.remaining(KEY), cbbd.usage().charged, cbbd.usage().quotaRemaining]).toEqual([
      2, 5, 2, 5,
    ]);
  });

  it('keeps the reserve under concurrency too: calls in flight count against it', async () => {
    const api = await start({ keys: { [KEY]: 7 }, latencyMs: 30 });
    const cbbd = client(api, { quotaReserve: 5, concurrency: 4 });
    const results = await Promise.all(
      GAMES.slice(0, 12).map((g) => rejection(cbbd.fetchGame('plays_game', g.id))),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(results.filter((r) => r instanceof QuotaExhaustedError)).toHaveLength(10);
    expect([api.log.length, api.remaining(KEY)]).toEqual([2, 5]);
  });

  it('stops the fill on 401 with a message about the key that never shows the key', async () => {
    const api = await start();
    const cbbd = client(api, { apiKey: 'wrong-sekret-key' });
    const error = await rejection(cbbd.fetchGame('plays_game', game.id));
    expect(error).toBeInstanceOf(ApiKeyError);
    expect(error?.message).toBe(
      'the CBBD API refused the API key (HTTP 401: Unauthorized); set CBBD_API_KEY (or BEARER_TOKEN) to a valid ' +
        'key from collegebasketballdata.com',
    );
    expect(await rejection(cbbd.fetchGame('plays_game', other.id))).toBe(error);
    expect(api.log.map((e) => [e.key, e.status])).toEqual([['wrong-sekret-key', 401]]);
  });

  it('stops on a 401 in the middle of a run (a revoked key)', async () => {
    const api = await start();
    api.inject({ kind: 'status', status: 401 }, { gameId: other.id });
    const cbbd = client(api);
    expect(await cbbd.fetchGame('plays_game', game.id)).toMatchObject({ kind: 'records' });
    expect(await rejection(cbbd.fetchGame('plays_game', other.id))).toBeInstanceOf(ApiKeyError);
  });

  it('refuses to call without a key', async () => {
    const api = await start();
    const error = await rejection(client(api, { apiKey: '' }).fetchGame('plays_game', game.id));
    expect([error?.name, error?.message]).toEqual([
      'ApiKeyError',
      'no CBBD API key: set CBBD_API_KEY (or BEARER_TOKEN)',
    ]);
    expect(api.log).toHaveLength(0);
  });

  const resets: [string, number, string][] = [
    ['mid-month', Date.UTC(2026, 4, 17, 12), '2026-06-01'],
    ['the last second of a year', Date.UTC(2026, 11, 31, 23, 59, 59), '2027-01-01'],
    ['the first day of a month', Date.UTC(2026, 1, 1, 0, 0, 0), '2026-03-01'],
  ];
  it.each(resets)('the quota resets on the first of next month, UTC: %s', (_, at, day) => {
    expect(nextMonthUtc(at)).toBe(day);
  });
});

describe('http CBBD client: endpoints and settings', () => {
  it('names an unknown endpoint and the known ones', async () => {
    const api = await start();
    const error = await rejection(client(api).fetchGame('plays', game.id));
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.message).toBe(
      'unknown endpoint "plays"; config.endpoints has games, lineups_game, plays_game, substitutions_game',
    );
  });

  it('refuses an endpoint that is not per game', async () => {
    const api = await start();
    await expect(client(api).fetchGame('games', game.id)).rejects.toThrow(
      'endpoints.games.path "/games" has no {gameId}: only per-game endpoints are fetched by game',
    );
  });

  it('fills the path template of each per-game endpoint, and tolerates a trailing slash on base_url', async () => {
    const api = await start();
    const cbbd = client(api, { baseUrl: `${api.url}/` });
    for (const endpoint of ['plays_game', 'substitutions_game', 'lineups_game'])
      await cbbd.fetchGame(endpoint, game.id);
    expect(api.log.map((e) => e.path)).toEqual([
      `/plays/game/${game.id}`,
      `/substitutions/game/${game.id}`,
      `/lineups/game/${game.id}`,
    ]);
  });

  it('refuses settings it cannot honour, naming the key', async () => {
    const api = await start();
    expect(() => client(api, { retry: { maxAttempts: 0, baseDelayMs: 5, maxDelayMs: 20 } })).toThrow(
      'api.retry.max_attempts must be a whole number ≥ 1, got 0',
    );
    expect(() => client(api, { quotaReserve: -1 })).toThrow(
      'api.quota_reserve must be a whole number ≥ 0, got -1',
    );
    expect(() => client(api, { timeoutMs: 0 })).toThrow('api.timeout_seconds must be > 0, got 0 ms');
    expect(() => client(api, { rate: 0 })).toThrow(
      'rate must be a positive number of requests per second, got 0',
    );
    expect(() => client(api, { baseUrl: 'api.example' })).toThrow(
      'api.base_url must start with http:// or https://',
    );
  });
});

describe('http CBBD client: rate and concurrency, as the server saw them', () => {
  /**
   * Opens `count` keep-alive connections first, then clears the log: a request on a new connection reaches the
   * server later by the connect time, which would measure TCP setup rather than the limiter.
   */
  async function warm(api: FakeCbbdApi, count: number): Promise<void> {
    const headers = { Authorization: `Bearer ${KEY}` };
    const ids = GAMES.slice(-count).map((g) => g.id);
    await Promise.all(
      ids.map((id) => fetch(`${api.url}/plays/game/${id}`, { headers }).then((r) => r.text())),
    );
    api.reset();
  }

  it('a burst of 40 games at 20/s and concurrency 3', async () => {
    const api = await start({ latencyMs: 15 });
    await warm(api, 3);
    const cbbd = client(api, { rate: 20, concurrency: 3 });
    const outcomes = await Promise.all(GAMES.slice(0, 40).map((g) => cbbd.fetchGame('plays_game', g.id)));
    expect(outcomes.every((o) => o.kind === 'records')).toBe(true);
    expect(api.log).toHaveLength(40);
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(20);
    expect(cbbd.usage()).toMatchObject({ calls: 40, charged: 40, retries: 0 });
    expect(cbbd.usage().maxInFlight).toBeLessThanOrEqual(3);
  });

  it('six games at 3/s and concurrency 3', async () => {
    const api = await start({ latencyMs: 15 });
    await warm(api, 3);
    const cbbd = client(api, { rate: 3, concurrency: 3 });
    await Promise.all(GAMES.slice(0, 6).map((g) => cbbd.fetchGame('plays_game', g.id)));
    expect(api.log).toHaveLength(6);
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    expect(api.maxStartedInAnyWindow(1000)).toBeLessThanOrEqual(3);
  });
});
