// The fill table's shared-budget case (issue #12): 1, 2 and 3 fills of one API key at once, each its own season,
// through one file checkpoint store, at the shipped budget (3/s, 3 in flight shared by all of them). Utilisation is
// what the fake API saw: starts ÷ (3/s × the span from the first start to a second after the last). ~2 minutes.
// Run: node_modules/node/bin/node --import tsx bench/shared-budget.ts [--games N]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { markdownTable } from 'markdown-table';
import { runCli } from '../src/cli/run.js';
import { DEFAULT_CONFIG_YAML } from '../src/config/default-config.js';
import { generateDemoLake, NO_GAPS } from '../src/demo/generate-lake.js';
import { createFsStore } from '../src/lake/fs-store.js';
import { startFakeCbbdApi } from '../test/fakes/cbbd-api.js';
import { writeBenchSection } from './bench-report.js';

const SEED = 7;
const SEASONS = [2023, 2024, 2025];
const gamesArg = process.argv.indexOf('--games');
/** Missing games per fill (each fill its own season). */
const GAMES = gamesArg > 0 ? Number(process.argv[gamesArg + 1]) : 40;
const R = 3;
const C = 3;
const KEY = 'bench-key';

/** One case: `holders` fills started together, as the fake API saw them. */
interface Case {
  holders: number;
  calls: number;
  span: number;
  utilisation: number;
  maxInAnySecond: number;
  maxInFlight: number;
  exitCodes: number[];
}

async function runCase(holders: number): Promise<Case> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-bench-budget-'));
  const seasons = SEASONS.slice(0, holders);
  const league = { seed: SEED, seasons, gamesPerSeason: GAMES, playsPerGame: [2, 4] as [number, number] };
  // Every game of these seasons lacks its plays: each fill fetches GAMES games.
  await generateDemoLake(createFsStore(root), {
    ...league,
    gaps: { ...NO_GAPS, missingShare: { fct_plays: 1, fct_substitutions: 0, fct_lineups: 0 } },
  });
  const api = await startFakeCbbdApi({ ...league, keys: { [KEY]: 1_000_000 }, latencyMs: 20 });
  try {
    const config = path.join(root, 'config.yaml');
    await writeFile(config, DEFAULT_CONFIG_YAML);
    const runs = await Promise.all(
      seasons.map((season) =>
        runCli(
          [
            'fill',
            '--config',
            config,
            '--lake',
            root,
            '--endpoint',
            'plays_game',
            '--seasons',
            String(season),
          ].concat(['--call-shape', 'game', '--checkpoints', path.join(root, '_budget')]),
          {
            stdout: () => {},
            stderr: () => {},
            env: { CBBD_API_KEY: KEY, CBBD_API_URL: api.url },
            cwd: root,
            now: () => new Date(),
          },
        ),
      ),
    );
    const starts = api.log.map((e) => e.startedAt).sort((a, b) => a - b);
    const span = (starts.at(-1)! - starts[0]!) / 1000 + 1;
    return {
      holders,
      calls: starts.length,
      span,
      utilisation: starts.length / (R * span),
      maxInAnySecond: api.maxStartedInAnyWindow(1000),
      maxInFlight: api.maxInFlight,
      exitCodes: runs,
    };
  } finally {
    await api.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** Utilisation by this measure of `calls` starts at the limiter's ceiling: calls ÷ (R × (span + 1 s)). */
function ceilingShare(calls: number): number {
  return calls / (R * ((calls - 1) * (1.04 / R) + 1));
}

const cases: Case[] = [];
for (const holders of [1, 2, 3]) cases.push(await runCase(holders));
const table = markdownTable(
  [
    [
      'Fills at once',
      'Calls',
      'First start → last + 1 s',
      'Utilisation of 3/s',
      'Max started in any 1 s',
      'Max in flight',
      'Exit codes',
    ],
    ...cases.map((c) => [
      String(c.holders),
      String(c.calls),
      `${c.span.toFixed(1)} s`,
      `**${(100 * c.utilisation).toFixed(1)}%**`,
      String(c.maxInAnySecond),
      String(c.maxInFlight),
      c.exitCodes.join(', '),
    ]),
  ],
  { align: ['r', 'r', 'r', 'r', 'r', 'r', 'l'] },
);
const body = `\`node_modules/node/bin/node --import tsx bench/shared-budget.ts\`. The shared-budget case of the fill table: 1, 2 and 3 \`fill --call-shape game\` runs of one API key started together in one process, each a different season of ${GAMES} missing games (directory lake, seed ${SEED}, 2–4 plays a game), one file checkpoint store, the fake CBBD API at 20 ms latency on loopback, the shipped budget of ${R}/s and ${C} in flight for all of them together. Utilisation is what the fake saw: starts ÷ (${R}/s × (last start − first start + 1 s)).

${table}

- ${cases.every((c) => c.maxInAnySecond <= R) ? '✅' : '❌'} never more than ${R} started in any 1 s, whatever the number of fills (as the fake counts arrivals)
- ${cases.every((c) => c.maxInFlight <= C) ? '✅' : '❌'} never more than ${C} in flight

**What this shows.** More fills of one key split the same budget instead of multiplying it: the server never counts more than ${R} starts in a second or ${C} in flight, with 1, 2 or 3 fills, and together they keep the key busy. What is lost: the limiter's ceiling (⌊R⌋·1000/1040, 96%), the second added to the span (a run of ${GAMES} calls at the ceiling alone reaches ${(100 * ceilingShare(GAMES)).toFixed(1)}% by this measure), a newcomer's wait of one heartbeat (1 s) and one window before its first start, and the heartbeat (≤ 1 s) before survivors take the share of a fill that ended. **What it does not show.** Fills on different machines (clock skew), DynamoDB instead of the file store, or internet latency.`;
writeBenchSection('shared-budget', 'Fill: one API budget shared by 1, 2 and 3 fills at once', body);
