/**
 * Deterministic CBBD API records for a made-up league: the demo lake, the benchmarks and the fake API in test/
 * all draw from here, so a game's plays are the same whether the lake was generated or filled through the API.
 */

import type { GameRecord, LineupRecord, PlayRecord, SubstitutionRecord } from '../source/api-records.js';
import { createRandom, mixSeed, type Random } from './random.js';

const CONFERENCES = ['ACC', 'Big East', 'Big Ten', 'Big 12', 'SEC', 'Pac-12', 'WCC', 'A-10'];
const PLAY_TYPES = [
  'JumpShot',
  'LayUpShot',
  'DunkShot',
  'TipShot',
  'MadeFreeThrow',
  'Defensive Rebound',
  'Offensive Rebound',
  'Turnover',
  'Steal',
  'Foul',
];
const SHOT_TYPES = new Set(['JumpShot', 'LayUpShot', 'DunkShot', 'TipShot', 'MadeFreeThrow']);
const TEAM_COUNT = 64;
const ROSTER = 12;

export interface SyntheticTeam {
  id: number;
  school: string;
  conferenceId: number;
  conference: string;
  venueId: number;
}

/** The league's teams: ids 1..64, eight conferences. */
export function syntheticTeams(): SyntheticTeam[] {
  return Array.from({ length: TEAM_COUNT }, (_, i) => ({
    id: i + 1,
    school: `School ${String(i + 1).padStart(2, '0')}`,
    conferenceId: (i % CONFERENCES.length) + 1,
    conference: CONFERENCES[i % CONFERENCES.length] as string,
    venueId: 1000 + i + 1,
  }));
}

/** A game id that encodes its season: season 2024's games are 2_024_00001 and up. */
export function syntheticGameId(season: number, index: number): number {
  return season * 100_000 + index + 1;
}

/** The season's games, spread from November of the year before to early April, in start order. */
export function syntheticGames(seed: number, season: number, count: number): GameRecord[] {
  const rnd = createRandom(mixSeed(seed, season, 1));
  const teams = syntheticTeams();
  const start = Date.UTC(season - 1, 10, 4, 23, 0, 0);
  const spanMs = 150 * 24 * 3600 * 1000;
  const games: GameRecord[] = [];
  for (let i = 0; i < count; i++) {
    const home = rnd.pick(teams);
    let away = rnd.pick(teams);
    if (away.id === home.id) away = teams[home.id % TEAM_COUNT] as SyntheticTeam;
    const startDate = new Date(
      start + Math.floor((spanMs * i) / Math.max(1, count)) + rnd.int(0, 5) * 3600_000,
    );
    games.push(gameRecord(rnd, season, syntheticGameId(season, i), startDate, home, away));
  }
  return games;
}

function gameRecord(
  rnd: Random,
  season: number,
  id: number,
  startDate: Date,
  home: SyntheticTeam,
  away: SyntheticTeam,
): GameRecord {
  const homeHalves = [rnd.int(25, 45), rnd.int(25, 45)];
  const awayHalves = [rnd.int(25, 45), rnd.int(25, 45)];
  const homePoints = homeHalves[0]! + homeHalves[1]!;
  const awayPoints = awayHalves[0]! + awayHalves[1]!;
  return {
    id,
    sourceId: String(400_000_000 + id),
    seasonLabel: `${season - 1}${String(season % 100).padStart(2, '0')}`,
    season,
    seasonType:
      startDate.getUTCMonth() >= 2 && startDate.getUTCMonth() < 6 && startDate.getUTCDate() > 15
        ? 'postseason'
        : 'regular',
    startDate: startDate.toISOString(),
    startTimeTbd: false,
    neutralSite: rnd.chance(0.05),
    conferenceGame: home.conference === away.conference,
    gameType: 'STD',
    tournament: null,
    gameNotes: null,
    status: 'final',
    attendance: rnd.int(1500, 18000),
    homeTeamId: home.id,
    homeTeam: home.school,
    homeConferenceId: home.conferenceId,
    homeConference: home.conference,
    homeSeed: null,
    homePoints,
    homePeriodPoints: homeHalves,
    homeWinner: homePoints > awayPoints,
    homeTeamEloStart: rnd.int(1300, 1900),
    homeTeamEloEnd: rnd.int(1300, 1900),
    awayTeamId: away.id,
    awayTeam: away.school,
    awayConferenceId: away.conferenceId,
    awayConference: away.conference,
    awaySeed: null,
    awayPoints,
    awayPeriodPoints: awayHalves,
    awayWinner: awayPoints > homePoints,
    awayTeamEloStart: rnd.int(1300, 1900),
    awayTeamEloEnd: rnd.int(1300, 1900),
    excitement: Math.round(rnd.next() * 100) / 10,
    venueId: home.venueId,
    venue: `${home.school} Arena`,
    city: 'Springfield',
    state: 'MO',
  };
}

function roster(teamId: number): { id: number; name: string }[] {
  return Array.from({ length: ROSTER }, (_, n) => ({
    id: teamId * 100 + n + 1,
    name: `Player ${teamId}-${n + 1}`,
  }));
}

/** A game's play-by-play: `count` plays (350–450 in production), ids unique across the league. */
export function syntheticPlays(seed: number, game: GameRecord, count: number): PlayRecord[] {
  const rnd = createRandom(mixSeed(seed, game.id, 2));
  const home = roster(game.homeTeamId ?? 1);
  const away = roster(game.awayTeamId ?? 2);
  const teams = syntheticTeams();
  const plays: PlayRecord[] = [];
  let homeScore = 0;
  let awayScore = 0;
  for (let i = 0; i < count; i++) {
    const period = i < count / 2 ? 1 : 2;
    const secondsRemaining = Math.max(
      0,
      1200 - Math.floor(((i % Math.ceil(count / 2)) * 1200) / Math.ceil(count / 2)),
    );
    const isHome = rnd.chance(0.5);
    const side = isHome ? home : away;
    const playType = rnd.pick(PLAY_TYPES);
    const shooting = SHOT_TYPES.has(playType);
    const made = shooting && rnd.chance(0.48);
    const value = !made ? 0 : playType === 'MadeFreeThrow' ? 1 : rnd.chance(0.35) ? 3 : 2;
    if (isHome) homeScore += value;
    else awayScore += value;
    const actor = rnd.pick(side);
    const assist = made && rnd.chance(0.5) ? rnd.pick(side.filter((p) => p.id !== actor.id)) : null;
    const team = teams[(isHome ? game.homeTeamId! : game.awayTeamId!) - 1];
    const opponent = teams[(isHome ? game.awayTeamId! : game.homeTeamId!) - 1];
    plays.push({
      id: game.id * 1000 + i,
      sourceId: `${game.sourceId}${String(i).padStart(4, '0')}`,
      gameId: game.id,
      gameSourceId: String(game.sourceId),
      gameStartDate: game.startDate,
      season: game.season,
      seasonType: String(game.seasonType),
      gameType: 'STD',
      tournament: null,
      playType,
      isHomeTeam: isHome,
      teamId: team?.id ?? null,
      team: team?.school ?? null,
      conference: team?.conference ?? null,
      teamSeed: null,
      opponentId: opponent?.id ?? null,
      opponent: opponent?.school ?? null,
      opponentConference: opponent?.conference ?? null,
      opponentSeed: null,
      period,
      clock: `${String(Math.floor(secondsRemaining / 60)).padStart(2, '0')}:${String(secondsRemaining % 60).padStart(2, '0')}`,
      secondsRemaining,
      homeScore,
      awayScore,
      homeWinProbability: Math.round(rnd.next() * 1000) / 1000 || null,
      scoringPlay: shooting ? made : null,
      shootingPlay: shooting,
      scoreValue: shooting ? value : null,
      wallclock: null,
      playText: `${actor.name} ${playType}${assist ? ` assisted by ${assist.name}` : ''}`,
      participants: assist ? [actor, assist] : [actor],
      onFloor: [
        ...home.slice(0, 5).map((p) => ({ ...p, team: String(game.homeTeam) })),
        ...away.slice(0, 5).map((p) => ({ ...p, team: String(game.awayTeam) })),
      ],
      shotInfo: shooting
        ? {
            shooter: { id: actor.id, name: actor.name },
            made,
            range:
              playType === 'MadeFreeThrow'
                ? 'free_throw'
                : value === 3
                  ? 'three_pointer'
                  : playType === 'JumpShot'
                    ? 'jumper'
                    : 'rim',
            assisted: assist !== null,
            assistedBy: { id: assist?.id ?? null, name: assist?.name ?? null },
            location: { x: Math.round(rnd.next() * 940) / 10, y: Math.round(rnd.next() * 500) / 10 },
          }
        : null,
    });
  }
  return plays;
}

/** A game's substitutions, about 30 per team. */
export function syntheticSubstitutions(seed: number, game: GameRecord): SubstitutionRecord[] {
  const rnd = createRandom(mixSeed(seed, game.id, 3));
  const teams = syntheticTeams();
  const subs: SubstitutionRecord[] = [];
  for (const [teamId, opponentId] of [
    [game.homeTeamId ?? 1, game.awayTeamId ?? 2],
    [game.awayTeamId ?? 2, game.homeTeamId ?? 1],
  ] as const) {
    const players = roster(teamId);
    const team = teams[teamId - 1];
    const opponent = teams[opponentId - 1];
    for (let n = 0; n < 30; n++) {
      const player = players[n % ROSTER]!;
      const period = n < 15 ? 1 : 2;
      const inAt = 1200 - Math.floor(((n % 15) * 1200) / 15);
      subs.push({
        gameId: game.id,
        startDate: game.startDate,
        teamId,
        team: team?.school ?? '',
        conference: team?.conference ?? null,
        athleteId: player.id,
        athlete: player.name,
        position: rnd.pick(['G', 'F', 'C']),
        opponentId,
        opponent: opponent?.school ?? '',
        opponentConference: opponent?.conference ?? null,
        subIn: { period, secondsRemaining: inAt, teamPoints: rnd.int(0, 40), opponentPoints: rnd.int(0, 40) },
        subOut: {
          period,
          secondsRemaining: Math.max(0, inAt - rnd.int(30, 300)),
          teamPoints: rnd.int(0, 40),
          opponentPoints: rnd.int(0, 40),
        },
      });
    }
  }
  return subs;
}

/** A game's lineups: ten five-man units per team, `idHash` the sorted ids joined with `-`, as the API builds it. */
export function syntheticLineups(seed: number, game: GameRecord): LineupRecord[] {
  const rnd = createRandom(mixSeed(seed, game.id, 4));
  const teams = syntheticTeams();
  const lineups: LineupRecord[] = [];
  for (const teamId of [game.homeTeamId ?? 1, game.awayTeamId ?? 2]) {
    const players = roster(teamId);
    const team = teams[teamId - 1];
    for (let u = 0; u < 10; u++) {
      const athletes = Array.from({ length: 5 }, (_, k) => players[(u + k * 2) % ROSTER]!).sort(
        (a, b) => a.id - b.id,
      );
      const unit = () => ({
        possessions: rnd.int(2, 40),
        points: rnd.int(0, 50),
        assists: rnd.int(0, 10),
        trueShooting: Math.round(rnd.next() * 1000) / 1000,
      });
      lineups.push({
        teamId,
        team: team?.school ?? '',
        conference: team?.conference ?? '',
        idHash: athletes.map((a) => a.id).join('-'),
        athletes,
        totalSeconds: rnd.int(30, 900),
        pace: Math.round(rnd.next() * 800) / 10,
        offenseRating: Math.round(rnd.next() * 1500) / 10,
        defenseRating: Math.round(rnd.next() * 1500) / 10,
        netRating: Math.round((rnd.next() - 0.5) * 600) / 10,
        teamStats: unit(),
        opponentStats: unit(),
      });
    }
  }
  return lineups;
}
