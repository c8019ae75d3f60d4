import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseMarker } from '../../src/github/marker.js';
import { mapLimit } from '../../src/util/pool.js';
import {
  DEFAULT_BOT,
  startFakeGitHub,
  type FakeGitHub,
  type FaultRule,
  type RequestLogEntry,
} from '../fakes/github/server.js';
import { contractFigures, createRestContract } from '../contract/openapi-contract.js';
import { missingPlays, tempLake } from '../helpers/lakes.js';
import { runBundledAction, type ActionRun } from '../helpers/run-action.js';
import { startFaultProxy } from './fault-proxy.js';
import { SCENARIO_TIMEOUT } from './fill-scenario.js';
import { addUp, faultSeeds, recordReliability, type SeedFigures } from './record.js';

const CREATE_ISSUE = 'POST /repos/{owner}/{repo}/issues';
/** A season with plays missing and two empty season tables: three gaps, three issues. */
const LAKE = {
  seasons: [2025],
  gamesPerSeason: 16,
  playsPerGame: [20, 30] as [number, number],
  gaps: missingPlays(0.2),
};

/**
 * The bundled action's nightly audit (`dist/index.js`, run as a runner does) syncing gap issues while GitHub
 * fails, and two nights racing: whatever happens, the night after leaves exactly one open issue per gap. Seeds run
 * two at a time, each against its own fake GitHub.
 */
describe('the nightly issue sync while GitHub fails', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  const workspaces: string[] = [];
  const logged: RequestLogEntry[] = [];

  beforeAll(async () => {
    lake = await tempLake(LAKE);
  });
  afterAll(async () => {
    await lake.cleanup();
    for (const w of workspaces) await rm(w, { recursive: true, force: true });
  });

  /**
   * A runner's checkout: the shipped config narrowed to the lake's one season (so the night audits the full range
   * and syncs season-less gaps too), and reports/ written by the night.
   */
  const workspace = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-faults-gh-'));
    workspaces.push(dir);
    await writeFile(
      path.join(dir, 'config.yaml'),
      DEFAULT_CONFIG_YAML.replace(/start: 2010\n {2}end: 2026/, 'start: 2025\n  end: 2025'),
    );
    return dir;
  };
  const night = async (gh: FakeGitHub, url = gh.url) =>
    runBundledAction({
      workspace: await workspace(),
      inputs: {
        command: 'audit',
        seasons: '2025',
        lake: lake.root,
        'github-token': DEFAULT_BOT.token!,
        'report-mode': 'none',
      },
      event: gh.scheduled('.github/workflows/audit.yml', '17 5 * * *'),
      github: { url, owner: gh.owner, repo: gh.repo },
    });
  /** Open gap issues the bot opened, by marker key. */
  const openByKey = (gh: FakeGitHub) => {
    const byKey = new Map<string, number[]>();
    for (const i of gh.issues()) {
      const key = parseMarker(i.body)?.key;
      if (!key || i.state !== 'open' || i.author !== DEFAULT_BOT.login || !i.labels.includes('data-gap'))
        continue;
      byKey.set(key, [...(byKey.get(key) ?? []), i.number]);
    }
    return byKey;
  };
  /** A night ends with every gap synced (exit 0), or fails with an error annotation that says what went wrong. */
  const endsSayingSo = (run: ActionRun) => {
    if (run.code === 0) return;
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::.*(rate limit|Server Error|Bad Gateway|fetch failed|other side closed)/im,
    );
  };

  /**
   * One seed: a night while GitHub fails, then a night without faults. Odd seeds meet one secondary rate limit,
   * retried after its retry-after; even seeds more than the client's three retries, so the night fails. Every seed
   * meets a 502 on another create, and (through the proxy) a create GitHub carried out whose answer never arrived,
   * which the client sends again.
   */
  const nightsUnderFaults = async (seed: number): Promise<SeedFigures & { duplicatesClosed: number }> => {
    let faulty = true;
    const creating = (r: { route: string | undefined }) => faulty && r.route === CREATE_ISSUE;
    const faults: FaultRule[] = [
      {
        fault: { kind: 'secondary-rate-limit', retryAfter: 1 },
        when: creating,
        nth: 1 + (seed % 3),
        times: seed % 2 ? 1 : 4,
      },
      { fault: { kind: 'server-error', status: 502 }, when: creating, nth: 2 + (seed % 3) },
    ];
    const gh = await startFakeGitHub({ faults });
    const lostAnswer = { method: 'POST', path: /\/issues$/, nth: 1 + ((seed + 1) % 3) };
    const proxy = await startFaultProxy(gh.url, {
      rules: [{ ...lostAnswer, fault: { kind: 'lost-answer' } }],
    });
    try {
      endsSayingSo(await night(gh, proxy.url));
      const faultsInjected = gh.faults() + proxy.injected();

      faulty = false;
      proxy.setRules([]);
      const next = await night(gh, proxy.url);
      expect(next.code, next.stdout).toBe(0);
      const gaps = Number(next.outputs.gaps);
      const open = openByKey(gh);
      const twins = [...open.values()].filter((numbers) => numbers.length > 1);
      expect(open.size).toBe(gaps);
      expect(twins).toEqual([]);
      // The lost answer's twin is the only duplicate, closed with a comment pointing at the issue kept.
      const duplicates = gh.issues().filter((i) => i.stateReason === 'duplicate');
      expect(duplicates.length).toBeLessThanOrEqual(1);
      for (const d of duplicates) expect(d.comments.at(-1)?.body).toMatch(/^Duplicate of #\d+/);
      const dataLost = Math.abs(open.size - gaps) + twins.length;
      return { faultsInjected, runs: 1, survived: 1, dataLost, duplicatesClosed: duplicates.length };
    } finally {
      logged.push(...gh.history());
      await proxy.close();
      await gh.close();
    }
  };

  it(
    'a secondary rate limit, a 502 and a lost answer mid-sync: the night completes or fails saying so, and the next night leaves one open issue per gap',
    async () => {
      const seeds = await mapLimit(faultSeeds(), 2, nightsUnderFaults);
      const figures = addUp(seeds);
      expect(figures.faultsInjected).toBeGreaterThan(0);
      const extra = { duplicatesClosed: seeds.reduce((n, s) => n + s.duplicatesClosed, 0) };
      recordReliability('github: faults mid-sync', {
        cases: 1,
        seeds: faultSeeds().length,
        ...figures,
        extra,
      });
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'two nights at once open each issue twice at most, and the third night leaves exactly one open issue per gap',
    async () => {
      const gh = await startFakeGitHub();
      try {
        const racing = await Promise.all([night(gh), night(gh)]);
        for (const run of racing) expect(run.code, run.stdout).toBe(0);
        const gaps = Number(racing[0]!.outputs.gaps);
        const afterRace = openByKey(gh);
        expect(afterRace.size).toBe(gaps);
        expect([...afterRace.values()].every((numbers) => numbers.length <= 2)).toBe(true);

        const third = await night(gh);
        expect(third.code, third.stdout).toBe(0);
        const open = openByKey(gh);
        expect([...open.values()].map((numbers) => numbers.length)).toEqual([...open.keys()].map(() => 1));
        // The oldest issue of each gap is the one kept.
        for (const [key, numbers] of afterRace) expect(open.get(key)).toEqual([Math.min(...numbers)]);
        const twins = [...afterRace.values()].filter((numbers) => numbers.length > 1).length;
        expect(gh.issues().filter((i) => i.stateReason === 'duplicate')).toHaveLength(twins);
        recordReliability('github: two nights at once', {
          cases: 1,
          seeds: 1,
          faultsInjected: 0,
          runs: 3,
          survived: 3,
          dataLost:
            [...open.values()].filter((numbers) => numbers.length !== 1).length + Math.abs(open.size - gaps),
          extra: { duplicatesAfterTheRace: twins },
        });
      } finally {
        logged.push(...gh.history());
        await gh.close();
      }
    },
    SCENARIO_TIMEOUT,
  );

  it('every request the bundled action made under faults matched GitHub’s REST description', () => {
    const report = createRestContract().check(logged);
    console.info(`OpenAPI contract (github faults): ${contractFigures(report)}`);
    expect(report.mismatches).toEqual([]);
    expect(report.requests).toBeGreaterThan(0);
  });
});
