import { paramsHash } from '../layout/hash.js';
import { BULK_KINDS, type CallRequest } from '../source/cbbd-client.js';
import type { GameTarget } from './targets.js';

// The call planner: which API calls bring a fill's missing games with the fewest calls of the monthly quota.
// Every call costs one unit whatever its size, and the API answers the same records per game
// (`/plays/game/{id}`), per team and season (`/plays/team`, `/substitutions/team`) and per date (`/plays/date`).
// Pure: the lake's facts come in, a plan goes out.

/** `game`: one call per missing game, as before bulk calls existed; `auto`: the planner chooses. */
export type CallShape = 'game' | 'auto';
export const CALL_SHAPES: readonly CallShape[] = ['game', 'auto'];

/** One call of a plan and the missing games its answer brings. */
export interface PlannedCall {
  request: CallRequest;
  /** The unit's games this call answers for (a substitutions game is in both of its teams' calls). */
  gameIds: number[];
  /** The answer's size estimated from the lake: every game it holds, missing or not. */
  expectedBytes: number;
}

/**
 * What one worker does at once: its games are leased together, then its calls made in order, and a game's
 * records are complete once every call that lists it has answered. A plays unit has one call; a substitutions
 * unit holds the team calls that share games (both teams of a game are needed for its full set).
 */
export interface CallUnit {
  calls: PlannedCall[];
  games: GameTarget[];
}

/** How big answers are, from the lake: rows of one game's answer and JSON bytes per row; the client's cap. */
export interface AnswerSize {
  rowsPerGame: number;
  bytesPerRow: number;
  capBytes: number;
}

/** A plan: the units, and the figures `plan` shows. */
export interface CallPlan {
  units: CallUnit[];
  calls: { game: number; team: number; date: number; total: number };
  /** Calls a per-game fill of the same games would make. */
  perGameCalls: number;
  largestAnswerBytes: number;
}

/**
 * A bulk answer must stay this far under the cap: the lake's rows per game is a mean (overtime games run
 * longer), and the API may hold games the lake's fct_games does not (a date's non-D1 games).
 */
export const CAP_MARGIN = 0.5;

/**
 * Plans the calls for `missing` (the fill's games, with `startDate`, `homeTeam`, `awayTeam` from fct_games when
 * known) given `schedule`, every game of fct_games in those seasons (a bulk answer holds the games that are not
 * missing too, and they count towards its size). A bulk call is chosen only when it covers at least two
 * missing games; games without team names or a start time stay per game.
 *
 * Plays: greedy set cover — repeatedly the team-season or date call that covers the most games not yet
 * covered, ties to the smaller answer — whose call count is within H(k) ≤ 1 + ln k of the fewest possible
 * (k: the most missing games one call covers; ≤ ~30 for a team season, so within ~4.4×, and in practice
 * near the optimum). Substitutions need both teams' calls per game: a local search over the set of teams
 * called (add or drop one team while that lowers calls + per-game calls), a local optimum without a bound.
 */
export function planCalls(input: {
  endpoint: string;
  missing: readonly GameTarget[];
  schedule: readonly GameTarget[];
  shape: CallShape;
  size: AnswerSize;
}): CallPlan {
  const kinds = input.shape === 'game' ? [] : (BULK_KINDS[input.endpoint] ?? []);
  const missing = [...input.missing].sort((a, b) => a.gameId - b.gameId);
  const units =
    kinds.length === 0
      ? missing.map((g) => gameUnit(input.endpoint, g, input.size))
      : input.endpoint === 'substitutions_game'
        ? planPairs(input.endpoint, missing, input.schedule, input.size)
        : planCover(input.endpoint, kinds, missing, input.schedule, input.size);
  return summarize(units, missing.length);
}

/** A game's own call. */
export function gameUnit(endpoint: string, game: GameTarget, size?: AnswerSize): CallUnit {
  return {
    calls: [
      {
        request: { kind: 'game', endpoint, gameId: game.gameId },
        gameIds: [game.gameId],
        expectedBytes: size ? Math.round(size.rowsPerGame * size.bytesPerRow) : 0,
      },
    ],
    games: [game],
  };
}

function summarize(units: CallUnit[], games: number): CallPlan {
  const calls = { game: 0, team: 0, date: 0, total: 0 };
  let largest = 0;
  for (const c of units.flatMap((u) => u.calls)) {
    calls[c.request.kind]++;
    calls.total++;
    largest = Math.max(largest, c.expectedBytes);
  }
  return { units, calls, perGameCalls: games, largestAnswerBytes: largest };
}

/** A candidate bulk call: its request, the missing games it covers, and the size of its whole answer. */
interface Candidate {
  request: CallRequest;
  key: string;
  covers: GameTarget[];
  bytes: number;
}

/** `season/team`, the team name lower-cased as the server compares it. */
const teamKey = (season: number, team: string) => `${season}/${team.toLowerCase()}`;

/** A game's teams, when fct_games gave both. */
function teamsOf(g: GameTarget): [string, string] | undefined {
  return g.homeTeam && g.awayTeam ? [g.homeTeam, g.awayTeam] : undefined;
}

/** Games per team-season and per UTC date in the schedule: the size of those answers. */
function scheduleCounts(schedule: readonly GameTarget[]) {
  const team = new Map<string, number>();
  const date = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const g of schedule) {
    for (const t of new Set((teamsOf(g) ?? []).map((n) => teamKey(g.season, n)))) bump(team, t);
    if (g.startDate) {
      bump(date, g.startDate.slice(0, 10));
      // The server's window ends inclusively at the next midnight: a game starting then is in both days.
      if (g.startDate.slice(11, 19) === '00:00:00') bump(date, previousDay(g.startDate.slice(0, 10)));
    }
  }
  return { team, date };
}

function previousDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** The bulk calls that could cover some of `missing`, each within the answer cap. */
function candidates(
  endpoint: string,
  kinds: readonly string[],
  missing: readonly GameTarget[],
  schedule: readonly GameTarget[],
  size: AnswerSize,
  /** Share of a game's rows one call of this kind brings (a team's substitutions are half a game's). */
  teamShare = 1,
): Candidate[] {
  const counts = scheduleCounts(schedule);
  const byKey = new Map<string, Candidate>();
  const budget = size.capBytes * CAP_MARGIN;
  const add = (key: string, request: CallRequest, games: number, share: number, g: GameTarget) => {
    const bytes = Math.round(Math.max(1, games) * share * size.rowsPerGame * size.bytesPerRow);
    if (bytes > budget) return;
    const c = byKey.get(key) ?? { request, key, covers: [], bytes };
    c.covers.push(g);
    byKey.set(key, c);
  };
  for (const g of missing) {
    const teams = teamsOf(g);
    if (kinds.includes('team') && teams)
      for (const team of new Set(teams.map((t) => t.toLowerCase()))) {
        const name = teams.find((t) => t.toLowerCase() === team)!;
        const key = `team:${teamKey(g.season, team)}`;
        const request = { kind: 'team' as const, endpoint, season: g.season, team: name };
        add(key, request, counts.team.get(teamKey(g.season, team)) ?? 1, teamShare, g);
      }
    if (kinds.includes('date') && g.startDate && g.startDate.slice(0, 10) === g.date) {
      const request = { kind: 'date' as const, endpoint, date: g.date };
      add(`date:${g.date}`, request, counts.date.get(g.date) ?? 1, 1, g);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Greedy set cover over the bulk candidates; what no call covering two or more games takes stays per game. */
function planCover(
  endpoint: string,
  kinds: readonly string[],
  missing: readonly GameTarget[],
  schedule: readonly GameTarget[],
  size: AnswerSize,
): CallUnit[] {
  const pool = candidates(endpoint, kinds, missing, schedule, size);
  const open = new Set(missing.map((g) => g.gameId));
  const left = new Map(pool.map((c) => [c, c.covers.length]));
  const byGame = new Map<number, Candidate[]>();
  for (const c of pool) for (const g of c.covers) byGame.set(g.gameId, [...(byGame.get(g.gameId) ?? []), c]);
  const units: CallUnit[] = [];
  for (;;) {
    let best: Candidate | undefined;
    for (const c of pool) {
      const n = left.get(c)!;
      const b = best ? left.get(best)! : 0;
      if (n > b || (best && n === b && c.bytes < best.bytes)) best = c;
    }
    if (!best || left.get(best)! < 2) break;
    const games = best.covers.filter((g) => open.has(g.gameId));
    for (const g of games) {
      open.delete(g.gameId);
      for (const c of byGame.get(g.gameId) ?? []) left.set(c, left.get(c)! - 1);
    }
    units.push({
      calls: [{ request: best.request, gameIds: games.map((g) => g.gameId), expectedBytes: best.bytes }],
      games,
    });
  }
  const rest = missing.filter((g) => open.has(g.gameId)).map((g) => gameUnit(endpoint, g, size));
  return [...units, ...rest];
}

/**
 * Substitutions: a game's full set is its two teams' answers together. Chooses the teams to call by local
 * search on calls = teams called + games not covered by both of their teams; units are the groups of team
 * calls that share games, so a game's two answers are in one worker's hands.
 */
function planPairs(
  endpoint: string,
  missing: readonly GameTarget[],
  schedule: readonly GameTarget[],
  size: AnswerSize,
): CallUnit[] {
  const pool = new Map(candidates(endpoint, ['team'], missing, schedule, size, 0.5).map((c) => [c.key, c]));
  const keysOf = (g: GameTarget) => {
    const teams = teamsOf(g);
    if (!teams || teams[0].toLowerCase() === teams[1].toLowerCase()) return undefined;
    const keys = teams.map((t) => `team:${teamKey(g.season, t)}`);
    return keys.every((k) => pool.has(k)) ? keys : undefined;
  };
  const chosen = new Set([...pool.values()].filter((c) => c.covers.length >= 2).map((c) => c.key));
  const covered = (g: GameTarget) => keysOf(g)?.every((k) => chosen.has(k)) ?? false;
  for (let improved = true; improved;) {
    improved = false;
    for (const [key, c] of pool) {
      const had = chosen.has(key);
      const before = c.covers.filter(covered).length;
      if (had) chosen.delete(key);
      else chosen.add(key);
      const after = c.covers.filter(covered).length;
      // Dropping a team saves its call and costs one per-game call per game it alone completed; adding is the mirror.
      const gain = had ? 1 - (before - after) : after - before - 1;
      if (gain > 0) improved = true;
      else if (had) chosen.add(key);
      else chosen.delete(key);
    }
  }
  const paired = missing.filter(covered);
  const units = components(paired, (g) => keysOf(g)!).map((games) => {
    const keys = [...new Set(games.flatMap((g) => keysOf(g)!))].sort();
    const calls = keys.map((k) => {
      const c = pool.get(k)!;
      const ids = games.filter((g) => keysOf(g)!.includes(k)).map((g) => g.gameId);
      return { request: c.request, gameIds: ids, expectedBytes: c.bytes };
    });
    return { calls, games };
  });
  const rest = missing.filter((g) => !covered(g)).map((g) => gameUnit(endpoint, g, size));
  return [...units, ...rest];
}

/** Games grouped so that two games sharing a call are in one group (union-find over the call keys). */
function components(games: readonly GameTarget[], keys: (g: GameTarget) => string[]): GameTarget[][] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    if (!parent.has(k)) parent.set(k, k);
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(k, root);
    return root;
  };
  for (const g of games) {
    const [a, b] = keys(g).map(find);
    if (a !== b) parent.set(b!, a!);
  }
  const groups = new Map<string, GameTarget[]>();
  for (const g of games) {
    const root = find(keys(g)[0]!);
    groups.set(root, [...(groups.get(root) ?? []), g]);
  }
  return [...groups.values()];
}

/** The shard a unit belongs to: a hash of its first call's parameters (a game's own call: as `shardOf`). */
export function unitShard(unit: CallUnit, count: number): number {
  return (Number.parseInt(paramsHash(callParams(unit.calls[0]!.request)).slice(0, 8), 16) % count) + 1;
}

/** A call's query parameters, as the pipeline would hash them. */
export function callParams(request: CallRequest): { [key: string]: string | number } {
  if (request.kind === 'game') return { gameId: request.gameId };
  if (request.kind === 'team') return { season: request.season, team: request.team };
  return { date: request.date };
}

/**
 * Units cut to the games still open (a game done or empty since the plan is in no call's lease); a call left
 * without games is dropped, and so is a unit.
 */
export function cutUnits(units: readonly CallUnit[], open: readonly GameTarget[]): CallUnit[] {
  const ids = new Set(open.map((g) => g.gameId));
  return units.flatMap((u) => {
    const games = u.games.filter((g) => ids.has(g.gameId));
    const calls = u.calls
      .map((c) => ({ ...c, gameIds: c.gameIds.filter((id) => ids.has(id)) }))
      .filter((c) => c.gameIds.length > 0);
    return games.length > 0 ? [{ calls, games }] : [];
  });
}

/** `12 per team, 3 per game`: a plan's calls by kind. */
export function callsText(plan: Pick<CallPlan, 'calls'>): string {
  const parts = (['team', 'date', 'game'] as const)
    .filter((k) => plan.calls[k] > 0)
    .map((k) => `${plan.calls[k]} per ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
