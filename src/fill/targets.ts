import { checkCoverage } from '../audit/coverage.js';
import { filesForSeasons, takeInventory, type LakeFile } from '../audit/inventory.js';
import { knownEmptyIds } from '../audit/known-empty.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { QueryEngine } from '../engine/query-engine.js';
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
}

/** The child table an endpoint fills, from `audit.tables`. */
export function tableForEndpoint(config: Config, endpoint: string): { table: string; tc: TableConfig } {
  const entry = Object.entries(config.audit.tables).find(([, tc]) => tc.endpoint === endpoint);
  if (!entry) {
    const known = Object.values(config.audit.tables)
      .map((t) => t.endpoint)
      .filter(Boolean);
    throw new UsageError(
      `--endpoint: no table in audit.tables is filled by "${endpoint}"; known: ${known.join(', ')}`,
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
): Promise<Map<number, GameTarget>> {
  const index = new Map<number, GameTarget>();
  await mapLimit(files, concurrency, async (file) => {
    try {
      const metadata = await readFooter(store, file);
      const columns = columnNames(metadata);
      const idCol = resolveColumn(columns, 'gameId') ?? resolveColumn(columns, 'id');
      const dateCol = resolveColumn(columns, 'startDate');
      const seasonCol = resolveColumn(columns, 'season');
      if (!idCol || !dateCol)
        return logger.warn(`${file.key}: no gameId/id or startDate column; its games cannot be placed`);
      const values = await readColumns(store, file, metadata, [
        idCol,
        dateCol,
        ...(file.season === undefined && seasonCol ? [seasonCol] : []),
      ]);
      const ids = values.get(idCol) ?? [];
      ids.forEach((id, i) => {
        const date = String(values.get(dateCol)?.[i] ?? '').slice(0, 10);
        const season = file.season ?? Number(values.get(seasonCol ?? '')?.[i]);
        if (typeof id === 'number' && /^\d{4}-\d{2}-\d{2}$/.test(date) && Number.isInteger(season))
          index.set(id, { gameId: id, season, date });
      });
    } catch (e) {
      if (e instanceof UnreadableFileError) logger.warn(`game index: skipped ${e.message}`);
      else throw e;
    }
  });
  return index;
}

/** What discovery found for one endpoint and its seasons. */
export interface Discovery {
  table: string;
  targets: GameTarget[];
  knownEmpty: number;
  covered: number;
  /** Ids given in a file that fct_games does not place, with why. */
  unplaceable: { gameId: number; reason: string }[];
}

/**
 * The missing games of an endpoint's table for the seasons, exactly as the audit computes them (the same
 * coverage check over the same engine), with their season and date from fct_games. Seasons before the table's
 * first season are skipped: the API has nothing for them.
 */
export async function discoverMissing(
  config: Config,
  endpoint: string,
  seasons: readonly number[],
  ports: {
    store: ObjectStore;
    engine: QueryEngine;
    logger: Logger;
    emptyFromCheckpoints?: (endpoint: string) => Promise<Iterable<number>>;
  },
): Promise<Discovery> {
  const { table, tc } = tableForEndpoint(config, endpoint);
  const layout = layoutFrom(config.s3_layout);
  const inventory = await takeInventory(ports.store, layout.silver);
  const wanted = new Set(seasons);
  const parent = tc.parent ?? 'fct_games';
  const index = await readGameIndex(
    ports.store,
    filesForSeasons(inventory.tables.get(parent) ?? [], wanted),
    ports.logger,
  );
  const child = await ports.engine.tableFacts({
    table,
    files: filesForSeasons(inventory.tables.get(table) ?? [], wanted),
    key: undefined,
    idColumn: tc.parent_key,
  });
  const parentIds = new Map<number, number[]>();
  for (const g of index.values())
    if (wanted.has(g.season)) parentIds.set(g.season, [...(parentIds.get(g.season) ?? []), g.gameId]);
  const coverage = checkCoverage({
    table,
    parent,
    endpoint,
    firstSeason: tc.first_season ?? config.seasons.start,
    parentIds,
    childIds: new Set([...(child.idsBySeason?.values() ?? [])].flat()),
    knownEmpty: await knownEmptyIds(
      ports.store,
      layout.deadletter,
      endpoint,
      ports.emptyFromCheckpoints,
      ports.logger,
    ),
    seasons,
  });
  const targets = coverage.gaps
    .flatMap((g) => g.ids.map((id) => index.get(id)!))
    .sort((a, b) => a.gameId - b.gameId);
  return {
    table,
    targets,
    knownEmpty: coverage.rows.reduce((a, r) => a + r.knownEmpty, 0),
    covered: coverage.rows.reduce((a, r) => a + r.covered, 0),
    unplaceable: [],
  };
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
