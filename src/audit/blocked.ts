import { paramsHash8 } from '../layout/hash.js';
import type { Gap } from './types.js';

/** A missing game whose fill cannot succeed: an unreadable file already sits at the key the fill would write. */
export interface BlockedGame {
  gameId: number;
  file: string;
}

/** What to do about a blocked game, in the words of the report, the plan and the fill. */
export const BLOCKED_REMEDY =
  'move the file aside (copy it under another prefix, then delete it), then fill: a fill writes create-only and ' +
  'never replaces it';

/**
 * The games among `ids` whose per-game file (`part-{hash8 of {"gameId": id}}.parquet`, as the pipeline and a fill
 * name it) is one of the unreadable `files` of the same season. A fill of such a game would spend an API call and
 * then fail on the existing object, night after night.
 */
export function blockedGames(
  ids: readonly number[],
  season: number,
  files: readonly string[],
): BlockedGame[] {
  const bySeason = files.filter((f) => f.includes(`/season=${season}/`));
  if (bySeason.length === 0) return [];
  const byHash = new Map(bySeason.map((f) => [/part-([0-9a-f]{8})\.parquet$/.exec(f)?.[1], f]));
  const out: BlockedGame[] = [];
  for (const gameId of ids) {
    const file = byHash.get(paramsHash8({ gameId }));
    if (file) out.push({ gameId, file });
  }
  return out;
}

/**
 * Links each `unreadable_file` gap to the `missing_children` gap of its table and season when one of its files
 * sits at a missing game's key: the missing gap lists the game as `blocked` and says what to do, the unreadable
 * gap names the game. Changes the gaps in place.
 */
export function linkBlockedGames(gaps: Gap[]): void {
  for (const missing of gaps.filter((g) => g.kind === 'missing_children' && g.season !== undefined)) {
    const unreadable = gaps.find(
      (g) => g.kind === 'unreadable_file' && g.table === missing.table && g.season === missing.season,
    );
    const blocked = blockedGames(missing.ids, missing.season!, unreadable?.files ?? []);
    if (blocked.length === 0 || !unreadable) continue;
    missing.blocked = blocked;
    const games = blocked.map((b) => b.gameId).join(', ');
    missing.detail +=
      `; ${blocked.length} of them (${games}) cannot be filled: an unreadable file sits at the key a fill ` +
      `writes (${blocked.map((b) => b.file).join(', ')}): ${BLOCKED_REMEDY}`;
    unreadable.detail += `; ${blocked.map((b) => `${b.file} is at the key of missing game ${b.gameId}`).join('; ')}`;
  }
}
