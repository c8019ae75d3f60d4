import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileCheckpoints } from '../../src/checkpoint/file-checkpoints.js';
import { createRandom, mixSeed } from '../../src/demo/random.js';
import { mapLimit } from '../../src/util/pool.js';
import type { FillOutcome } from '../../src/commands/fill.js';
import { startFakeCbbdApi, type FakeCbbdApi, type Fault, type FaultRequest } from '../fakes/cbbd-api.js';
import { cli, playsFill } from '../helpers/fill-env.js';
import { tempLake } from '../helpers/lakes.js';
import {
  API,
  SCENARIO_TIMEOUT,
  LAKE,
  SEASON,
  expectRunSaysWhatFailed,
  faultConfig,
  outcomeOf,
  seasonPlays,
} from './fill-scenario.js';
import { WHOLE, inspectLake, lossOf } from './lake-check.js';
import { addUp, faultSeeds, recordReliability, type SeedFigures } from './record.js';

const MB = 1024 * 1024;

/**
 * A fault mix: given the seed, what the fake answers to one request (each game and attempt draws its own number,
 * so the faults do not depend on the order requests arrive in).
 */
type Mix = (draw: number, request: FaultRequest) => Fault | undefined;

/** The first game the fill asks for (the lowest missing id), on its first attempt. */
const firstAsk = (request: FaultRequest, missing: readonly number[]) =>
  request.gameId === missing[0] && request.n === 1;

interface Case {
  name: string;
  mix(missing: readonly number[]): Mix;
  /** What the first run must say about the games it could not fill. */
  failedBecause: RegExp;
  /** Anything else the first run must show. */
  then?(first: FillOutcome | undefined, missing: readonly number[], api: FakeCbbdApi): void;
  /** api.timeout_seconds, when the scenarios' 2 s would let a slow machine turn the planted fault into another. */
  timeoutSeconds?: number;
}

const CASES: Case[] = [
  {
    name: '429s with Retry-After (the concurrency limit) and without (a throttle in front)',
    mix: () => (draw) =>
      draw < 0.2
        ? { kind: 'rate-limit', retryAfterSeconds: 1 }
        : draw < 0.35
          ? { kind: 'rate-limit-no-header' }
          : undefined,
    failedBecause: /^HTTP 429: .*, after 5 attempts$/,
  },
  {
    name: 'malformed JSON (never retried) and bodies cut short (retried)',
    mix: () => (draw) =>
      draw < 0.1 ? { kind: 'malformed-json' } : draw < 0.3 ? { kind: 'truncated' } : undefined,
    failedBecause: /^the answer is not JSON .*\(not retried: .*\)$|^connection failed: .*, after 5 attempts$/,
  },
  {
    name: 'a 50 MB answer, and one over the 64 MiB cap',
    mix: (missing) => (_draw, request) =>
      firstAsk(request, missing)
        ? { kind: 'huge', bytes: 50 * MB }
        : request.gameId === missing[1] && request.n === 1
          ? { kind: 'huge', bytes: 70 * MB }
          : undefined,
    failedBecause: /^the answer is larger than the cap of 67108864 bytes \(not retried: .*\)$/,
    // Sending 70 MB over loopback can take more than 2 s on a loaded machine: the timeout would then fire first and
    // the retry (no fault on a second attempt) would succeed, hiding the cap this case is about.
    timeoutSeconds: 60,
    then(first, missing) {
      expect(first?.result?.done).toContain(missing[0]);
      expect(first?.result?.failed.map((f) => f.gameId)).toEqual([missing[1]]);
    },
  },
  {
    name: 'streams of 503s, connection resets, and a stall past the 2 s timeout',
    mix: (missing) => (draw, request) =>
      firstAsk(request, missing)
        ? { kind: 'stall' }
        : draw < 0.2
          ? { kind: 'status', status: 503 }
          : draw < 0.3
            ? { kind: 'reset' }
            : undefined,
    failedBecause: /^(HTTP 503: .*|connection failed: .*|no answer within 2000 ms), after 5 attempts$/,
    then(first, missing, api) {
      // The stalled first ask was given up after api.timeout_seconds and asked again.
      const asks = api.log.filter((e) => e.gameId === missing[0]);
      expect(asks[0]).toMatchObject({ fault: 'stall', aborted: true });
      expect(asks.length).toBeGreaterThan(1);
    },
  },
];

/** One seed of a case: a fill under the mix, then a clean one, and the lake and checkpoints read back. */
async function fillUnderFaults(c: Case, seed: number): Promise<SeedFigures> {
  const lake = await tempLake(LAKE);
  const config = await faultConfig(lake.root);
  if (c.timeoutSeconds !== undefined)
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace('timeout_seconds: 2', `timeout_seconds: ${c.timeoutSeconds}`),
    );
  const missing = lake.manifest.missing.fct_plays![SEASON]!;
  const mix = c.mix(missing);
  let faulty = true;
  const api = await startFakeCbbdApi({
    ...API,
    keys: { k: 100_000 },
    faultFor: (r) => (faulty ? mix(createRandom(mixSeed(seed, r.gameId ?? 0, r.n)).next(), r) : undefined),
  });
  const fill = () =>
    cli([...playsFill(config, lake.root, SEASON), '--json'], { CBBD_API_KEY: 'k', CBBD_API_URL: api.url });
  try {
    const first = await fill();
    const survived = expectRunSaysWhatFailed(first);
    const outcome = outcomeOf(first);
    for (const f of outcome?.result?.failed ?? []) expect(f.reason).toMatch(c.failedBecause);
    c.then?.(outcome, missing, api);
    const faultsInjected = api.log.filter((e) => e.fault).length;
    const doneFirst = outcome?.result?.done ?? [];

    faulty = false;
    const asked = new Map(missing.map((id) => [id, api.callsFor('plays_game', id)]));
    const again = await fill();
    expect(again.code, again.stderr).toBe(0);
    // The re-run asks only for the games the first one did not finish, once each.
    for (const id of missing) {
      const more = api.callsFor('plays_game', id) - asked.get(id)!;
      expect(more, `game ${id}`).toBe(doneFirst.includes(id) ? 0 : 1);
    }

    const checkpoints = createFileCheckpoints(path.join(lake.root, '_checkpoints'));
    const state = await inspectLake(lake.store, seasonPlays(lake.manifest.gameIds[SEASON]!), checkpoints);
    expect(state).toMatchObject(WHOLE);
    const statuses = [...(await checkpoints.getMany('plays_game', missing)).values()];
    expect(statuses.filter((s) => s.status !== 'done')).toEqual([]);
    return { faultsInjected, runs: 1, survived: survived ? 1 : 0, dataLost: lossOf(state) };
  } finally {
    await api.close();
    await lake.cleanup();
  }
}

/**
 * Fills of a lake on disk (file checkpoints) while the CBBD API misbehaves in the ways its fake can: each run ends
 * saying which games failed and why, nothing half-written lands in the lake, and a clean re-run fills the rest.
 * Seeds run two at a time: each has its own lake and API.
 */
describe('a fill while the CBBD API fails', () => {
  for (const c of CASES) {
    it(
      `${c.name}: each run ends saying what failed, writes only whole answers, and a clean re-run completes every game once`,
      async () => {
        const figures = addUp(await mapLimit(faultSeeds(), 2, (seed) => fillUnderFaults(c, seed)));
        expect(figures.faultsInjected).toBeGreaterThan(0);
        recordReliability(`cbbd-api: ${c.name}`, { cases: 1, seeds: faultSeeds().length, ...figures });
      },
      SCENARIO_TIMEOUT,
    );
  }
});
