import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BudgetHolder, QuotaLedger } from '../../src/checkpoint/checkpoint-store.js';
import { readQuota, reserveCalls } from '../../src/fill/quota-ledger.js';
import { stackEnv } from '../helpers/aws.js';
import { cli, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi } from '../fakes/cbbd-api.js';
import { createCheckpointTable } from '../stack/aws-stack.js';

const NOW = Date.UTC(2026, 2, 15, 12, 0, 0);
const live = (...owners: string[]): BudgetHolder[] =>
  owners.map((owner) => ({ owner, joinedAt: NOW - 1000, expiresAt: NOW + 1000 }));
const ask = (want: number, seen?: number) => ({ owner: 'me', want, seen, reserve: 10 });

describe('the quota ledger’s decision (reserveCalls)', () => {
  const ledger: QuotaLedger = { seen: { remaining: 100, at: NOW - 5000 }, reserved: { a: 30, dead: 40 } };

  it('grants what the count leaves after the live holders’ reservations and the reserve; a dead holder’s lapses', () => {
    const { next, result } = reserveCalls(ask(80), ledger, live('a', 'me'), NOW);
    expect(result).toEqual({ granted: 60, remaining: 100, held: 30, holders: 1 });
    expect(next).toEqual({ seen: { remaining: 100, at: NOW - 5000 }, reserved: { a: 30, me: 60 } });
  });

  it('keeps the lowest count seen this month, and forgets one from a month before (the quota reset)', () => {
    expect(reserveCalls(ask(80, 70), ledger, live('a'), NOW).result.granted).toBe(30);
    expect(reserveCalls(ask(80, 70), ledger, live('a'), NOW).next!.seen).toEqual({ remaining: 70, at: NOW });
    const old = { ...ledger, seen: { remaining: 12, at: Date.UTC(2026, 1, 28) } };
    // No count this month: one call, the probe that learns it.
    expect(reserveCalls(ask(80), old, live('a'), NOW).result).toEqual({
      granted: 1,
      remaining: undefined,
      held: 30,
      holders: 1,
    });
  });

  it('grants nothing that would cut into the reserve; want 0 gives the reservation back', () => {
    expect(reserveCalls(ask(80), { ...ledger, reserved: { a: 95 } }, live('a'), NOW).result.granted).toBe(0);
    expect(reserveCalls(ask(0), { ...ledger, reserved: { me: 9 } }, live('me'), NOW).next!.reserved).toEqual(
      {},
    );
    expect(readQuota(ledger, live('a'), NOW).result).toEqual({ remaining: 100, held: 30, holders: 1 });
  });
});

/**
 * Issue #12's done-when: two fills of one key planning against a monthly quota of 100 with a reserve of 10 never
 * spend more than 90 together, counted from the fake API's charges and request log.
 */
describe('two fills against a quota of 100 with a reserve of 10', () => {
  const dirs: string[] = [];
  beforeAll(() => {
    Object.assign(process.env, stackEnv());
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it.each([
    {
      name: 'DynamoDB (dynalite)',
      store: async () => {
        const table = `cp_${randomUUID().slice(0, 8)}`;
        await createCheckpointTable(inject('dynamodbEndpoint'), table);
        return `dynamodb://${table}`;
      },
    },
    {
      name: 'the file store',
      store: async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-quota-store-'));
        dirs.push(dir);
        return dir;
      },
    },
  ])(
    'through $name: at most 90 calls charged, the fill that runs short stops with exit 3 and says why',
    async ({ store }) => {
      const options = {
        seasons: [2024, 2025],
        gamesPerSeason: 80,
        playsPerGame: [2, 4] as [number, number],
        gaps: missingPlays(0.75),
      };
      const lake = await tempLake(options);
      const api = await startFakeCbbdApi({ ...leagueOf(options), keys: { k: 100 }, latencyMs: 5 });
      try {
        const config = await fastRetryConfig(lake.root);
        const text = (await readFile(config, 'utf8'))
          .replace('quota_reserve: 50', 'quota_reserve: 10')
          .replace('rate_limit_per_sec: 3', 'rate_limit_per_sec: 30');
        await writeFile(config, text);
        const checkpoints = await store();
        const planned = options.seasons.map((s) => lake.manifest.missing.fct_plays![s]!.length);
        expect(planned.reduce((a, b) => a + b, 0)).toBeGreaterThan(90);
        const env = { CBBD_API_KEY: 'k', CBBD_API_URL: api.url };
        const runs = await Promise.all(
          options.seasons.map((s) =>
            cli([...playsFill(config, lake.root, s), '--checkpoints', checkpoints, '--rate', '30'], env),
          ),
        );
        const charged = api.log.filter((e) => e.status === 200).length;
        console.log(
          `quota 100, reserve 10: ${charged} calls charged; exits ${runs.map((r) => r.code).join(', ')}`,
        );
        expect(100 - api.remaining('k')).toBe(charged);
        expect(charged).toBeLessThanOrEqual(90);
        // The reservations did not strand calls either: together the two made nearly all the 90 they could.
        expect(charged).toBeGreaterThanOrEqual(85);
        for (const e of api.log) expect(api.callsFor('plays_game', e.gameId)).toBe(1);
        expect(runs.map((r) => r.code)).toContain(3);
        // The run that ran short was told by the ledger, and said so (the other may meet the reserve at its end too).
        const short = runs
          .filter((r) => r.code === 3)
          .map((r) => r.stdout + r.stderr)
          .join('\n');
        expect(short).toMatch(
          /reserved by \d+ other running fill\(s\) of this key and api\.quota_reserve keeps 10/,
        );
        expect(short).toMatch(/STOPPED: the CBBD API has \d+ calls left this month/);
        // plan reads the count the fills left in the ledger; no run holds any call now.
        const where = ['--config', config, '--lake', lake.root, '--checkpoints', checkpoints];
        const plan = await cli(['plan', ...where, '--endpoint', 'plays_game', '--seasons', '2024-2025'], env);
        expect(plan.stderr).toContain(
          `quota: ${api.remaining('k')} calls left, 0 held by 0 running fill(s), 10 kept in reserve; this plan takes`,
        );
      } finally {
        await api.close();
        await lake.cleanup();
      }
    },
    120_000,
  );
});
