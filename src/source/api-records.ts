/**
 * The CBBD API's record shapes for the endpoints the bot reads (camelCase, as the server's CamelCasePlugin sends
 * them). Only the fields the bot depends on are required; the rest pass through untouched.
 */

export interface GameRecord {
  id: number;
  season: number;
  startDate: string;
  homeTeamId?: number;
  awayTeamId?: number;
  [field: string]: unknown;
}

export interface PlayRecord {
  id: number;
  gameId: number;
  onFloor?: { id: number; name: string; team: string }[] | null;
  participants?: { id: number; name: string }[] | null;
  shotInfo?: {
    shooter?: { id: number | null; name: string | null } | null;
    made?: boolean;
    range?: string;
    assisted?: boolean;
    assistedBy?: { id: number | null; name: string | null } | null;
    location?: { x: number | null; y: number | null } | null;
  } | null;
  [field: string]: unknown;
}

/** `PlayerSubsititution` in the API (sic): no id and no season. */
export interface SubstitutionRecord {
  gameId: number;
  athleteId: number;
  teamId: number;
  subIn: { period: number; secondsRemaining: number; teamPoints: number; opponentPoints: number };
  subOut: { period: number; secondsRemaining: number; teamPoints: number; opponentPoints: number };
  [field: string]: unknown;
}

/** `LineupStats`: no gameId, season or date; the bot attaches them. */
export interface LineupRecord {
  teamId: number;
  idHash: string;
  athletes: { id: number; name: string }[];
  [field: string]: unknown;
}

/** The per-game endpoints a fill can call, and what each returns. */
export interface GameEndpointRecords {
  plays_game: PlayRecord;
  substitutions_game: SubstitutionRecord;
  lineups_game: LineupRecord;
}
