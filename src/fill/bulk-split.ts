import { ApiKeyError, type CbbdClient, type FetchOutcome } from '../source/cbbd-client.js';
import { QuotaExhaustedError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { CallUnit, PlannedCall } from './call-plan.js';
import type { GameTarget } from './targets.js';

/** What a unit's calls came to, per game: the outcome a game's own call would have had. */
export interface UnitFetch {
  outcomes: Map<number, FetchOutcome>;
  /** Games asked for again by their own call, and why the bulk answer was not enough. */
  fallbacks: { gameId: number; reason: string }[];
  /** The quota or key error that stopped the unit; games without an outcome were not fetched. */
  stop: QuotaExhaustedError | ApiKeyError | undefined;
}

/** One bulk answer: each game's records, in the answer's order, and whether an absent game is certainly empty. */
interface Answered {
  call: PlannedCall;
  byGame: Map<number, Record<string, unknown>[]>;
  /** Why a game absent from this answer is not certainly empty (undefined: it is). */
  doubt: string | undefined;
  failed: string | undefined;
}

/**
 * Makes a unit's calls for its `leased` games and splits the answers per game, so each game gets the outcome
 * its own call would give: its records (a substitutions game: its home team's answer, then its away team's,
 * as the per-game answer lists them), or `empty` when it is absent from answers certain to hold it. A game
 * whose answers leave doubt — a team name the API did not recognise (no record names it), a date answer
 * (a game moved to another date is absent too), a bulk call that failed (too large, retries spent) — is asked
 * for by its own call, and logged so. Records of other games are dropped.
 */
export async function fetchUnit(
  client: CbbdClient,
  endpoint: string,
  unit: CallUnit,
  leased: ReadonlySet<number>,
  logger: Logger,
): Promise<UnitFetch> {
  const result: UnitFetch = { outcomes: new Map(), fallbacks: [], stop: undefined };
  const games = unit.games.filter((g) => leased.has(g.gameId));
  try {
    const answers: Answered[] = [];
    for (const call of unit.calls) {
      if (!call.gameIds.some((id) => leased.has(id))) continue;
      const outcome = await client.fetchCall(call.request);
      if (call.request.kind === 'game') result.outcomes.set(call.request.gameId, outcome);
      else answers.push(answered(call, outcome, leased));
    }
    const doubtful: GameTarget[] = [];
    for (const game of games) {
      if (result.outcomes.has(game.gameId)) continue;
      const split = splitGame(game, answers);
      if ('reason' in split) {
        result.fallbacks.push({ gameId: game.gameId, reason: split.reason });
        doubtful.push(game);
      } else result.outcomes.set(game.gameId, split);
    }
    for (const game of doubtful) {
      const reason = result.fallbacks.find((f) => f.gameId === game.gameId)!.reason;
      logger.info(`${endpoint} game ${game.gameId}: ${reason}; asking for it by its own call`);
      result.outcomes.set(game.gameId, await client.fetchGame(endpoint, game.gameId));
    }
  } catch (e) {
    if (!(e instanceof QuotaExhaustedError || e instanceof ApiKeyError)) throw e;
    result.stop = e;
  }
  return result;
}

/** A bulk answer grouped by game (the games of `keep` only), with the doubt an absence leaves. */
function answered(call: PlannedCall, outcome: FetchOutcome, keep: ReadonlySet<number>): Answered {
  const byGame = new Map<number, Record<string, unknown>[]>();
  const label =
    call.request.kind === 'team'
      ? `/team ${call.request.team} ${call.request.season}`
      : `/date ${call.request.kind === 'date' ? call.request.date : ''}`;
  if (outcome.kind === 'failed')
    return { call, byGame, doubt: undefined, failed: `the ${label} call failed (${outcome.reason})` };
  const records = outcome.kind === 'records' ? outcome.records : [];
  for (const r of records) {
    const id = Number(r['gameId']);
    // Only the unit's leased games are kept: a team season holds ~30 games, most of them not missing.
    if (!keep.has(id)) continue;
    const list = byGame.get(id);
    if (list) list.push(r);
    else byGame.set(id, [r]);
  }
  let doubt: string | undefined;
  if (call.request.kind === 'date')
    doubt = `absent from the ${label} answer (its start may have moved to another date)`;
  else if (call.request.kind === 'team') {
    const team = call.request.team.toLowerCase();
    const named = (v: unknown) => typeof v === 'string' && v.toLowerCase() === team;
    if (!records.some((r) => named(r['team']) || named(r['opponent'])))
      doubt = `the API matched no game to the team name "${call.request.team}" of fct_games (${label})`;
  }
  return { call, byGame, doubt, failed: undefined };
}

/** One game's outcome from the answers that list it, or the reason to ask for it by its own call. */
function splitGame(game: GameTarget, answers: readonly Answered[]): FetchOutcome | { reason: string } {
  const mine = answers.filter((a) => a.call.gameIds.includes(game.gameId));
  const failed = mine.find((a) => a.failed);
  if (failed) return { reason: failed.failed! };
  // A team the API did not recognise brought none of its side of the game: the game is incomplete.
  const unnamed = mine.find((a) => a.doubt && a.call.request.kind === 'team');
  if (unnamed) return { reason: unnamed.doubt! };
  const home = game.homeTeam?.toLowerCase();
  const ordered = [...mine].sort((a, b) => homeFirst(a, home) - homeFirst(b, home));
  const records = ordered.flatMap((a) => a.byGame.get(game.gameId) ?? []);
  if (records.length > 0) return { kind: 'records', records };
  const doubt = mine.find((a) => a.doubt);
  if (doubt) return { reason: doubt.doubt! };
  return { kind: 'empty' };
}

function homeFirst(a: Answered, home: string | undefined): number {
  return a.call.request.kind === 'team' && a.call.request.team.toLowerCase() === home ? 0 : 1;
}
