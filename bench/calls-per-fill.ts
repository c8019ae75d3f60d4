// Calls per fill: how many API calls (the monthly quota's unit) a plays fill takes per game (`--call-shape game`)
// and with the call planner (`auto`), measured by the real `fill` command (in-process CLI) against the fake CBBD
// API on two scaled-down lakes — a season with every game's plays missing, and scattered gaps — then projected to
// the production shape (~6,000 games, ~360 teams) by the same planner over a made-up schedule of that shape.
// The fills run at 100 calls/s (the fake answers at once); wall time at the shipped 3 calls/s is calls / 3, as
// the rate limiter, not the work, bounds a fill at that rate (bench/fill-rate.ts). Takes about a minute.
// Run: node_modules/node/bin/node --import tsx bench/calls-per-fill.ts
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { markdownTable } from 'markdown-table';
import { runCli } from '../src/cli/run.js';
import type { FillOutcome } from '../src/commands/fill.js';
import { DEFAULT_CONFIG_YAML } from '../src/config/default-config.js';
import { NO_GAPS } from '../src/demo/generate-lake.js';
import { createRandom } from '../src/demo/random.js';
import { defaultAnswerSize } from '../src/fill/answer-size.js';
import { planCalls, type CallShape } from '../src/fill/call-plan.js';
import type { GameTarget } from '../src/fill/targets.js';
import { MAX_BODY_BYTES } from '../src/source/http-cbbd-client.js';
import { startFakeCbbdApi } from '../test/fakes/cbbd-api.js';
import { writeBenchSection } from './bench-report.js';
import { cachedLake } from './lake-cache.js';

const SEED = 7;
const SEASON = 2025;
/** 1,000 games among the synthetic league's 64 teams: ~31 games a team, as in production (6,000 × 2 / 360). */
const GAMES = 1000;
const TEAMS = 64;
const PLAYS: [number, number] = [20, 30];
const KEY = 'bench-key';
const FREE_KEY = 1000;
const RATE = 100;
const SHIPPED_RATE = 3;

const work = await mkdtemp(path.join(os.tmpdir(), 'cbbd-bench-calls-'));
const config = path.join(work, 'config.yaml');
await writeFile(
  config,
  DEFAULT_CONFIG_YAML.replace('rate_limit_per_sec: 3\n', `rate_limit_per_sec: ${RATE}\n`),
);
const lakes = {
  'full season missing': await cachedLake('calls-full', lakeOptions(1)),
  'scattered gaps (2%)': await cachedLake('calls-scattered', lakeOptions(0.02)),
};
const api = await startFakeCbbdApi({
  seed: SEED,
  seasons: [SEASON],
  gamesPerSeason: GAMES,
  playsPerGame: PLAYS,
  keys: { [KEY]: FREE_KEY },
});

function lakeOptions(share: number) {
  return {
    seed: SEED,
    seasons: [SEASON],
    gamesPerSeason: GAMES,
    playsPerGame: PLAYS,
    gaps: { ...NO_GAPS, missingShare: { fct_plays: share, fct_substitutions: 0, fct_lineups: 0 } },
  };
}

/** One fill of a fresh copy of `lake`, as the fake API counted it. */
async function measure(label: string, root: string, shape: CallShape) {
  const copy = path.join(work, `${label.replace(/\W+/g, '-')}-${shape}`);
  await cp(root, copy, { recursive: true });
  api.reset();
  api.setRemaining(KEY, 1_000_000);
  let out = '';
  const t0 = performance.now();
  const code = await runCli(
    [
      'fill',
      ...['--config', config, '--lake', copy, '--endpoint', 'plays_game', '--seasons', String(SEASON)],
      ...['--call-shape', shape, '--rate', String(RATE), '--concurrency', '3', '--json'],
    ],
    {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: { CBBD_API_KEY: KEY, CBBD_API_URL: api.url },
      cwd: work,
      now: () => new Date(),
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const outcome = JSON.parse(out) as FillOutcome;
  if (code !== 0) throw new Error(`${label} ${shape}: fill exited ${code}`);
  const calls = api.log.length;
  return {
    label,
    shape,
    games: outcome.targets.length,
    filled: (outcome.result?.done.length ?? 0) + (outcome.result?.empty.length ?? 0),
    calls,
    kinds: outcome.calls.calls,
    quotaLeft: FREE_KEY - calls,
    seconds,
    at3: calls / SHIPPED_RATE,
  };
}

/** A season of the production shape: `games` among `teams`, over 150 days, Saturdays three times as busy. */
function productionSchedule(games: number, teams: number): GameTarget[] {
  const rnd = createRandom(SEED);
  const start = Date.UTC(SEASON - 1, 10, 4);
  const days = Array.from({ length: 150 }, (_, d) => d);
  const weights = days.map((d) => (new Date(start + d * 86_400_000).getUTCDay() === 6 ? 3 : 1));
  const total = weights.reduce((a, w) => a + w, 0);
  return Array.from({ length: games }, (_, i) => {
    let pick = rnd.next() * total;
    const day = days.find((d) => (pick -= weights[d]!) < 0) ?? 149;
    const home = rnd.int(1, teams);
    const away = ((home + rnd.int(1, teams - 1) - 1) % teams) + 1;
    const startDate = new Date(start + day * 86_400_000 + rnd.int(16, 27) * 3_600_000).toISOString();
    return {
      gameId: i + 1,
      season: SEASON,
      date: startDate.slice(0, 10),
      startDate,
      homeTeam: `Team ${home}`,
      awayTeam: `Team ${away}`,
    };
  });
}

function projection(endpoint: string, missingShare: number, schedule: GameTarget[]) {
  const missing = schedule.filter((_, i) => (i * 7919) % 1000 < missingShare * 1000);
  const size = defaultAnswerSize(endpoint, MAX_BODY_BYTES);
  const plan = planCalls({ endpoint, missing, schedule, shape: 'auto', size });
  return { endpoint, missing: missing.length, plan };
}

try {
  const runs = [];
  for (const [label, lake] of Object.entries(lakes))
    for (const shape of ['game', 'auto'] as const) {
      const run = await measure(label, lake.root, shape);
      process.stderr.write(`${label}, ${shape}: ${run.calls} calls for ${run.games} games\n`);
      runs.push(run);
    }
  const schedule = productionSchedule(6000, 360);
  const projections = [
    projection('plays_game', 1, schedule),
    projection('plays_game', 0.02, schedule),
    projection('substitutions_game', 1, schedule),
  ];
  const months = (calls: number) => Math.ceil(calls / FREE_KEY);
  const body = [
    `Scaled-down shape: one season of ${GAMES.toLocaleString('en')} games among ${TEAMS} teams (~31 games a team, as in`,
    `production), ${PLAYS[0]}–${PLAYS[1]} plays a game; answer sizes estimated as production's (450 plays × 1.6 kB a`,
    'game, the lake has no raw files to measure). Calls counted by the fake API; quota left of a free key',
    `(${FREE_KEY} calls); wall time measured at ${RATE} calls/s and projected at the shipped ${SHIPPED_RATE} calls/s`,
    '(calls / 3: the rate limiter bounds the fill at that rate).',
    '',
    markdownTable([
      [
        'lake',
        'call shape',
        'games',
        'calls (team / date / game)',
        'quota left of 1,000',
        'wall (measured)',
        'wall at 3/s',
      ],
      ...runs.map((r) => [
        r.label,
        r.shape,
        String(r.games),
        `${r.calls} (${r.kinds.team} / ${r.kinds.date} / ${r.kinds.game})`,
        String(r.quotaLeft),
        `${r.seconds.toFixed(1)} s`,
        `${Math.round(r.at3)} s`,
      ]),
    ]),
    '',
    'Projected to the production shape (6,000 games, 360 teams, 150 days with busy Saturdays, production answer',
    'sizes: a date of 60+ games is over the 32 MiB the planner allows itself under the 64 MiB cap), by the planner:',
    '',
    markdownTable([
      [
        'endpoint',
        'missing',
        'calls per game',
        'calls auto (team / date / game)',
        'largest answer',
        'months of a free key: per game → auto',
      ],
      ...projections.map(({ endpoint, missing, plan }) => [
        endpoint,
        String(missing),
        String(plan.perGameCalls),
        `${plan.calls.total} (${plan.calls.team} / ${plan.calls.date} / ${plan.calls.game})`,
        `${(plan.largestAnswerBytes / 1024 / 1024).toFixed(1)} MiB`,
        `${months(plan.perGameCalls)} → ${months(plan.calls.total)}`,
      ]),
    ]),
  ].join('\n');
  writeBenchSection('calls-per-fill', 'Calls per fill: per game vs the call planner', body);
  process.stdout.write(`${body}\n`);
} finally {
  await api.close();
  await rm(work, { recursive: true, force: true });
}
