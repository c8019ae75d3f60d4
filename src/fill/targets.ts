import { BLOCKED_REMEDY, blockedGames } from '../audit/blocked.js';
import { checkCoverage } from '../audit/coverage.js';
import { filesForSeasons, takeInventory, type Inventory } from '../audit/inventory.js';
import type { LakeFile } from '../lake/lake-file.js';
import { knownEmptyIds } from '../audit/known-empty.js';
import type { Config, TableConfig } from '../config/schema.js';
import { fillableEndpoints } from '../config/values.js';
import type { QueryEngine } from '../engine/query-engine.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { ObjectStore } from '../lake/object-store.js';
import { layoutFrom } from '../layout/keys.js';
import { resolveColumn } from '../layout/row-key.js';
import { columnNames, readColumns, readFooter, UnreadableFileError } from '../parquet/read.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { mapLimit } from '../util/pool.js';

/** A game to fetch, placed where its rows go: `season=S/date=D`, both from fct_games. */
export interface GameTarget {
  gameId: number;
  season: number;
  date: string;
  /** What bulk calls match a game by (call-plan.ts), when fct_games was read with its teams. */
  startDate?: string;
  homeTeam?: string;
  awayTeam?: string;
}

/** The child table an endpoint fills, from `audit.tables`. */
export function tableForEndpoint(config: Config, endpoint: string): { table: string; tc: TableConfig } {
  const entry = Object.entries(config.audit.tables).find(([, tc]) => tc.endpoint === endpoint);
  if (!entry) {
    throw new UsageError(
      `--endpoint: no table in audit.tables is filled by "${endpoint}"; known: ${fillableEndpoints(config).join(', ')}`,
    );
  }
  return { table: entry[0], tc: entry[1] };
}

/**
 * Every game of `fct_games` in the given files: id (`gameId`, else the API's `id`), season (the `season=`
 * partition, else the row's `season`) and UTC date (the first ten characters of `startDate`, as the pipeline
 * partitions by). Unreadable files are logged and skipped: their games cannot be placed.
 */
export async function readGameIndex(
  store: ObjectStore,
  files: readonly LakeFile[],
  logger: Logger,
  concurrency = 16,
  /** Also read `startDate`, `homeTeam` and `awayTeam` whole, for the call planner. */
  teams = false,
): Promise<Map<number, GameTarget>> {
  const index = new Map<number, GameTarget>();
  await mapLimit(files, concurrency, async (file) => {
    try {
      const metadata = await readFooter(store, file);
      const columns = columnNames(metadata);
      const idCol = resolveColumn(columns, 'gameId') ?? resolveColumn(columns, 'id');
      const dateCol = resolveColumn(columns, 'startDate');
      const seasonCol = resolveColumn(columns, 'season');
      const teamCols = teams
        ? [resolveColumn(columns, 'homeTeam'), resolveColumn(columns, 'awayTeam')]
        : [undefined, undefined];
      if (!idCol || !dateCol)
        return logger.warn(`${file.key}: no gameId/id or startDate column; its games cannot be placed`);
      const values = await readColumns(store, file, metadata, [
        idCol,
        dateCol,
        ...(file.season === undefined && seasonCol ? [seasonCol] : []),
        ...teamCols.filter((c) => c !== undefined),
      ]);
      const ids = values.get(idCol) ?? [];
      ids.forEach((id, i) => {
        const date = String(values.get(dateCol)?.[i] ?? '').slice(0, 10);
        const season = file.season ?? Number(values.get(seasonCol ?? '')?.[i]);
        if (typeof id !== 'number' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isInteger(season)) return;
        const target: GameTarget = { gameId: id, season, date };
        if (teams) Object.assign(target, gameFacts(values, dateCol, teamCols, i));
        index.set(id, target);
      });
    } catch (e) {
      if (e instanceof UnreadableFileError) logger.warn(`game index: skipped ${e.message}`);
      else throw e;
    }
  });
  return index;
}

/** A game's start time (ISO, UTC) and team names, where fct_games has them. */
function gameFacts(
  values: Map<string, unknown[]>,
  dateCol: string,
  [homeCol, awayCol]: (string | undefined)[],
  i: number,
): Pick<GameTarget, 'startDate' | 'homeTeam' | 'awayTeam'> {
  const facts: Pick<GameTarget, 'startDate' | 'homeTeam' | 'awayTeam'> = {};
  const start = values.get(dateCol)?.[i];
  const iso = start instanceof Date ? start.toISOString() : typeof start === 'string' ? start : undefined;
  if (iso && !Number.isNaN(Date.parse(iso))) facts.startDate = new Date(Date.parse(iso)).toISOString();
  const home = homeCol ? values.get(homeCol)?.[i] : undefined;
  const away = awayCol ? values.get(awayCol)?.[i] : undefined;
  if (typeof home === 'string' && home !== '') facts.homeTeam = home;
  if (typeof away === 'string' && away !== '') facts.awayTeam = away;
  return facts;
}

/** The silver inventory and the games of a parent table in some seasons: read once, shared by its endpoints. */
export interface LakeGames {
  inventory: Inventory;
  index: Map<number, GameTarget>;
}

/** Lists `silver/` once and reads the game index of `parent` (fct_games) for the seasons. */
export async function loadGames(
  store: ObjectStore,
  config: Config,
  parent: string,
  seasons: readonly number[],
  logger: Logger,
  teams = false,
): Promise<LakeGames> {
  const inventory = await takeInventory(store, layoutFrom(config.s3_layout).silver);
  const files = filesForSeasons(inventory.tables.get(parent) ?? [], new Set(seasons));
  return { inventory, index: await readGameIndex(store, files, logger, 16, teams) };
}

/**
 * The missing games of an endpoint's table for the seasons, exactly as the audit computes them (the same
 * coverage check over the same engine), with their season and date from fct_games (`games`, loaded for the
 * table's parent and these seasons). Seasons before the table's first season are skipped: the API has nothing
 * for them. A game whose key already holds an unreadable file is `blocked`, not a target: its fill cannot succeed.
 */
export async function discoverMissing(
  config: Config,
  endpoint: string,
  seasons: readonly number[],
  ports: {
    store: ObjectStore;
    engine: QueryEngine;
    logger: Logger;
    games: LakeGames;
    emptyFromCheckpoints?: (endpoint: string) => Promise<Iterable<number>>;
  },
): Promise<{ targets: GameTarget[]; blocked: SkippedGame[] }> {
  const { table, tc } = tableForEndpoint(config, endpoint);
  const { inventory, index } = ports.games;
  const wanted = new Set(seasons);
  const child = await ports.engine.tableFacts({
    table,
    files: filesForSeasons(inventory.tables.get(table) ?? [], wanted),
    key: undefined,
    idColumn: tc.parent_key,
  });
  const parentIds = new Map<number, number[]>();
  for (const g of index.values()) {
    if (!wanted.has(g.season)) continue;
    let ids = parentIds.get(g.season);
    if (!ids) parentIds.set(g.season, (ids = []));
    ids.push(g.gameId);
  }
  const coverage = checkCoverage({
    table,
    parent: parentOf(tc),
    endpoint,
    firstSeason: tc.first_season ?? config.seasons.start,
    parentIds,
    childIds: new Set([...(child.idsBySeason?.values() ?? [])].flat()),
    knownEmpty: await knownEmptyIds(
      ports.store,
      layoutFrom(config.s3_layout).deadletter,
      endpoint,
      ports.emptyFromCheckpoints,
      ports.logger,
    ),
    seasons,
  });
  const unreadable = child.unreadable.map((u) => u.key);
  const targets: GameTarget[] = [];
  const blocked: SkippedGame[] = [];
  for (const gap of coverage.gaps) {
    const at = new Map(blockedGames(gap.ids, gap.season!, unreadable).map((b) => [b.gameId, b.file]));
    for (const id of gap.ids) {
      const file = at.get(id);
      if (file === undefined) targets.push(index.get(id)!);
      else
        blocked.push({
          gameId: id,
          reason: `${file} is unreadable and sits at the key the fill would write; ${BLOCKED_REMEDY}`,
        });
    }
  }
  return { targets: targets.sort((a, b) => a.gameId - b.gameId), blocked };
}

/** A game left out before any call, and why. */
export interface SkippedGame {
  gameId: number;
  reason: string;
}

/** The table whose games a child table covers (fct_games unless configured). */
export function parentOf(tc: TableConfig): string {
  return tc.parent ?? 'fct_games';
}

/** The targets not yet checkpointed `done` or `empty`: what a fill still has to fetch. */
export async function openTargets(
  checkpoints: CheckpointStore,
  endpoint: string,
  targets: readonly GameTarget[],
): Promise<GameTarget[]> {
  const known = await checkpoints.getMany(
    endpoint,
    targets.map((t) => t.gameId),
  );
  return targets.filter((t) => {
    const status = known.get(t.gameId)?.status;
    return status !== 'done' && status !== 'empty';
  });
}

/**
 * Targets from a `--missing-ids-file` (the pipeline's format: `gameId` or `gameId,date` a line, `#` comments),
 * placed by fct_games; a line fct_games does not know is placed by its own date only when one season is asked.
 */
export function targetsFromFile(
  text: string,
  index: ReadonlyMap<number, GameTarget>,
  seasons: readonly number[],
  source: string,
): { targets: GameTarget[]; unplaceable: { gameId: number; reason: string }[] } {
  const targets = new Map<number, GameTarget>();
  const unplaceable: { gameId: number; reason: string }[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = /^(\d+)\s*(?:,\s*(\d{4}-\d{2}-\d{2}))?$/.exec(line);
    if (!m) throw new UsageError(`${source}:${n + 1}: "${raw.trim()}" is not gameId or gameId,YYYY-MM-DD`);
    const gameId = Number(m[1]);
    const known = index.get(gameId);
    if (known && seasons.includes(known.season)) targets.set(gameId, known);
    else if (known)
      unplaceable.push({ gameId, reason: `fct_games puts it in season ${known.season}, outside --seasons` });
    else if (m[2] && seasons.length === 1) targets.set(gameId, { gameId, season: seasons[0]!, date: m[2] });
    else
      unplaceable.push({
        gameId,
        reason: 'not in fct_games for these seasons; give gameId,date with a single --seasons to place it',
      });
  });
  return { targets: [...targets.values()].sort((a, b) => a.gameId - b.gameId), unplaceable };
}
