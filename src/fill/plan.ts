import { UsageError } from '../util/errors.js';
import { gameUnit, unitShard, type CallUnit } from './call-plan.js';
import type { GameTarget } from './targets.js';

/** GitHub refuses a matrix of more than 256 jobs. */
export const MAX_MATRIX_LEGS = 256;

/** One leg of the fill matrix: an endpoint, a season, a shard, and its share of the API budget. */
export interface PlanLeg {
  endpoint: string;
  season: number;
  shard: string;
  games: number;
  /** API calls that bring them. */
  calls: number;
  rate: number;
  concurrency: number;
  /** Time to make its calls at its rate. */
  seconds: number;
}

/** What a fill would cost and how to run it as a GitHub matrix. */
export interface FillPlan {
  endpoint: string;
  legs: PlanLeg[];
  /** `strategy.matrix` for the fill jobs: `{"include": [...]}`. */
  matrix: {
    include: { endpoint: string; season: number; shard: string; rate: number; concurrency: number }[];
  };
  maxParallel: number;
  games: number;
  /** API calls of the plan (retries and per-game fallbacks come on top). */
  calls: number;
  /** The plan's calls by kind, the calls one per game would take, the largest answer expected (bytes). */
  callsByKind: { game: number; team: number; date: number };
  perGameCalls: number;
  largestAnswerBytes: number;
  /** Wall time with `maxParallel` legs at once, each at its share of the rate. */
  wallSeconds: number;
  /**
   * `held`: calls live runs of the key have reserved (the quota ledger; `holders` runs hold them); `fits` when the
   * plan's calls fit in what is left less those and the reserve; `after`: calls left once every run made its calls.
   */
  quota:
    | { remaining: number; reserve: number; held: number; holders: number; fits: boolean; after: number }
    | undefined;
  notes: string[];
}

/**
 * Plans a fill: the games of each season split into `shards` by a stable hash of the game id, legs with no
 * games dropped, and the budget split so that `maxParallel` legs running at once stay within the configured
 * rate and concurrency (each leg gets rate / maxParallel, and at least one request in flight). Pure.
 */
export function planFill(input: {
  endpoint: string;
  targets: readonly GameTarget[];
  /** The calls that bring the targets (call-plan.ts); without them, one per game. */
  units?: readonly CallUnit[];
  shards: number;
  maxParallel: number;
  rate: number;
  concurrency: number;
  quota?: { remaining: number; reserve: number; held?: number; holders?: number };
}): FillPlan {
  const notes: string[] = [];
  const seasons = [...new Set(input.targets.map((t) => t.season))].sort((a, b) => a - b);
  if (input.shards < 1) throw new UsageError('--shards: at least 1');
  let shards = input.shards;
  if (seasons.length * shards > MAX_MATRIX_LEGS) {
    shards = Math.max(1, Math.floor(MAX_MATRIX_LEGS / Math.max(1, seasons.length)));
    notes.push(
      `${seasons.length} seasons × ${input.shards} shards is over GitHub's ${MAX_MATRIX_LEGS} matrix jobs; using ${shards} shards a season`,
    );
  }
  if (seasons.length > MAX_MATRIX_LEGS)
    throw new UsageError(
      `--seasons: ${seasons.length} seasons need more than ${MAX_MATRIX_LEGS} matrix jobs`,
    );
  // Each leg keeps at least one request in flight and at least one start a second: legs whose share of the rate
  // is under 1/s may all start in the same second, so more legs than whole requests a second could together
  // exceed the rate. (The client honours a share above 1 by its whole part: give legs whole shares.)
  const ceiling = Math.max(1, Math.min(input.concurrency, Math.floor(input.rate)));
  let maxParallel = Math.max(1, input.maxParallel);
  if (maxParallel > ceiling) {
    notes.push(
      `--max-parallel ${maxParallel}: at most ${ceiling} legs run at once (api.max_concurrency ${input.concurrency}, api.rate_limit_per_sec ${input.rate})`,
    );
    maxParallel = ceiling;
  }
  const rate = Math.floor((input.rate / maxParallel) * 1000) / 1000;
  const concurrency = Math.max(1, Math.floor(input.concurrency / maxParallel));
  const legs: PlanLeg[] = [];
  const units = input.units ?? input.targets.map((t) => gameUnit(input.endpoint, t));
  const { counts, byKind, largestAnswerBytes } = countLegs(units, shards);
  for (const season of seasons) {
    for (let i = 1; i <= shards; i++) {
      const { games, calls } = counts.get(`${season}/${i}`) ?? { games: 0, calls: 0 };
      if (games > 0)
        legs.push({
          endpoint: input.endpoint,
          season,
          shard: `${i}/${shards}`,
          games,
          calls,
          rate,
          concurrency,
          seconds: Math.ceil(calls / rate),
        });
    }
  }
  const games = input.targets.length;
  const calls = legs.reduce((a, l) => a + l.calls, 0);
  const totalSeconds = legs.reduce((a, l) => a + l.seconds, 0);
  const longest = Math.max(0, ...legs.map((l) => l.seconds));
  return {
    endpoint: input.endpoint,
    legs,
    matrix: {
      include: legs.map(({ endpoint, season, shard, rate: r, concurrency: c }) => ({
        endpoint,
        season,
        shard,
        rate: r,
        concurrency: c,
      })),
    },
    maxParallel: Math.min(maxParallel, Math.max(1, legs.length)),
    games,
    calls: calls,
    callsByKind: byKind,
    perGameCalls: games,
    largestAnswerBytes,
    wallSeconds: Math.max(longest, Math.ceil(totalSeconds / maxParallel)),
    quota: input.quota ? quotaCheck({ held: 0, holders: 0, ...input.quota }, calls) : undefined,
    notes,
  };
}

function quotaCheck(q: { remaining: number; reserve: number; held: number; holders: number }, calls: number) {
  return { ...q, fits: q.remaining - q.reserve - q.held >= calls, after: q.remaining - q.held - calls };
}

/** Games and calls per `season/shard`: shards split the calls (a game's own call hashes as the game id). */
function countLegs(units: readonly CallUnit[], shards: number) {
  const counts = new Map<string, { games: number; calls: number }>();
  const byKind = { game: 0, team: 0, date: 0 };
  let largestAnswerBytes = 0;
  for (const u of units) {
    const leg = `${u.games[0]!.season}/${unitShard(u, shards)}`;
    const c = counts.get(leg) ?? { games: 0, calls: 0 };
    counts.set(leg, { games: c.games + u.games.length, calls: c.calls + u.calls.length });
    for (const call of u.calls) {
      byKind[call.request.kind]++;
      largestAnswerBytes = Math.max(largestAnswerBytes, call.expectedBytes);
    }
  }
  return { counts, byKind, largestAnswerBytes };
}
