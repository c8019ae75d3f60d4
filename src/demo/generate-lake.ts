import type { ObjectStore } from '../lake/object-store.js';
import { paramsHash8 } from '../layout/hash.js';
import { deadletterKey, layoutFrom, silverKey } from '../layout/keys.js';
import { PIPELINE_TABLES } from '../config/pipeline-tables.js';
import { tableRules } from '../fill/column-rules.js';
import { withLineupContext } from '../fill/silver-rows.js';
import { silverTable } from '../fill/write-game.js';
import { pythonJsonDumps } from '../layout/python-json.js';
import { writeParquet, type ColumnSpec } from '../parquet/write.js';
import type { GameRecord } from '../source/api-records.js';
import { mapLimit } from '../util/pool.js';
import { catalogTables } from './demo-catalog.js';
import { dimensionTables, gamesTable, seasonTables } from './other-tables.js';
import { createRandom, mixSeed } from './random.js';
import {
  syntheticGames,
  syntheticLineups,
  syntheticPlays,
  syntheticSubstitutions,
  syntheticTeams,
} from './synthetic-api.js';

/** Turns rows into Parquet bytes; the default is hyparquet-writer, tests pass DuckDB to get another writer's files. */
export type ParquetEncoder = (
  columns: readonly ColumnSpec[],
  rows: readonly Record<string, unknown>[],
) => Uint8Array | Promise<Uint8Array>;

/** The gaps a generated lake gets, the way real lakes have them. */
export interface GapPlan {
  /** Share of each season's games without rows in each child table. */
  missingShare: { fct_plays: number; fct_substitutions: number; fct_lineups: number };
  /** Share of those games the pipeline recorded as `empty_response` in deadletter/ (known empty, not gaps). */
  emptyShare: number;
  /** A season of `fct_games` written under `season=S/asof=D` while the rest is `season=S/date=D`. */
  asofSeason: number | undefined;
  /** Games whose plays file was written a second time under the next day's partition. */
  duplicateGames: number;
  /** A `season=` partition under `dim_teams`. */
  strayPartition: boolean;
  /** Plays files of the newest season cut short, so they are not Parquet any more. */
  corruptFiles: number;
  /** Newest date partitions of the newest season's `fct_plays` left out of the local catalog. */
  uncataloguedPartitions: number;
}

export interface DemoLakeOptions {
  seed?: number;
  seasons?: number[];
  gamesPerSeason?: number;
  /** Plays per game, drawn from this range (production: 350–450). */
  playsPerGame?: [number, number];
  /** The `asof=` date of dimension snapshots, of the asof season, and of deadletter records. */
  asof?: string;
  gaps?: Partial<GapPlan>;
  encode?: ParquetEncoder;
  concurrency?: number;
  /** Write the local Glue catalog under `_catalog/cbbd_silver/`. */
  withCatalog?: boolean;
  /**
   * The day the lake is written (`YYYY-MM-DD`): games that start later are not played yet and left out, so a
   * lake dated 1 December holds the season in progress up to that day, as a real one does.
   */
  today?: string;
  /** Objects written (or found already there) of the total, after each one: the demo's progress line. */
  onWrite?: (written: number, total: number) => void;
}

/** What the generator put in the lake: the answers an audit must find. */
export interface DemoLakeManifest {
  seasons: number[];
  gameIds: Record<number, number[]>;
  /** Injected missing ids per child table and season, ascending; known-empty ids are not in here. */
  missing: Record<string, Record<number, number[]>>;
  knownEmpty: Record<string, Record<number, number[]>>;
  /** Duplicate rows (beyond the first of each key) per table and season. */
  duplicates: Record<string, Record<number, number>>;
  mixedLayout: { table: string; season: number }[];
  strayPartitions: string[];
  corruptKeys: string[];
  uncataloguedPartitions: { table: string; values: string[] }[];
  /** Readable rows per table and season. */
  rows: Record<string, Record<number, number>>;
  files: number;
  bytes: number;
}

export const DEFAULT_GAPS: GapPlan = {
  missingShare: { fct_plays: 0.04, fct_substitutions: 0.06, fct_lineups: 0.05 },
  emptyShare: 0.25,
  asofSeason: 2022,
  duplicateGames: 2,
  strayPartition: true,
  corruptFiles: 1,
  uncataloguedPartitions: 3,
};

/** No gaps at all: a complete lake. */
export const NO_GAPS: GapPlan = {
  missingShare: { fct_plays: 0, fct_substitutions: 0, fct_lineups: 0 },
  emptyShare: 0,
  asofSeason: undefined,
  duplicateGames: 0,
  strayPartition: false,
  corruptFiles: 0,
  uncataloguedPartitions: 0,
};

/** Substitutions and lineups exist in the API from this season on. */
export const FIRST_LINEUP_SEASON = 2024;

const CHILD_TABLES = [
  { table: 'fct_plays', endpoint: 'plays_game' },
  { table: 'fct_substitutions', endpoint: 'substitutions_game' },
  { table: 'fct_lineups', endpoint: 'lineups_game' },
] as const;
type ChildTable = (typeof CHILD_TABLES)[number]['table'];

/** One object the generator will write: rows are built only when it is written, so memory stays flat. */
interface WriteTask {
  key: string;
  body: () => Promise<Uint8Array> | Uint8Array;
}

/**
 * Writes a deterministic synthetic lake in the pipeline's layout into `store`: `fct_games` by date, one
 * `fct_plays` file per game, substitutions and lineups from 2024 on, the other facts by season, `dim_*` under
 * `asof=`, a local catalog — with the gaps of `options.gaps` injected. Returns what it injected.
 */
export async function generateDemoLake(
  store: ObjectStore,
  options: DemoLakeOptions = {},
): Promise<DemoLakeManifest> {
  const { tasks, manifest } = planDemoLake(store.uri, options);
  let written = 0;
  await mapLimit(tasks, options.concurrency ?? 8, async (task) => {
    const body = await task.body();
    if ((await store.putIfAbsent(task.key, body)) === 'created') {
      manifest.files++;
      manifest.bytes += body.byteLength;
    }
    options.onWrite?.(++written, tasks.length);
  });
  return manifest;
}

/** The seed of a lake generated without one (the fake API's league uses it too, to serve the same games). */
export const DEMO_SEED = 7;

/** A season's synthetic games that have started by `today` (all of them without a `today`). */
function playedGames(seed: number, season: number, count: number, today: string | undefined): GameRecord[] {
  return syntheticGames(seed, season, count).filter((g) => !today || g.startDate.slice(0, 10) <= today);
}

/** The pure half of `generateDemoLake`: every object to write, and the manifest of the gaps they hold. */
export function planDemoLake(
  lakeUri: string,
  options: DemoLakeOptions = {},
): { tasks: WriteTask[]; manifest: DemoLakeManifest } {
  const seed = options.seed ?? DEMO_SEED;
  const seasons = options.seasons ?? [2021, 2022, 2023, 2024, 2025, 2026];
  const gamesPerSeason = options.gamesPerSeason ?? 60;
  const [minPlays, maxPlays] = options.playsPerGame ?? [350, 450];
  const asof = options.asof ?? '2026-01-15';
  const gaps: GapPlan = { ...DEFAULT_GAPS, ...options.gaps };
  const encode: ParquetEncoder = options.encode ?? writeParquet;
  const layout = layoutFrom({
    raw_prefix: 'raw',
    bronze_prefix: 'bronze',
    silver_prefix: 'silver',
    deadletter_prefix: 'deadletter',
  });
  const rnd = createRandom(mixSeed(seed, 99));
  const manifest: DemoLakeManifest = {
    seasons,
    gameIds: {},
    missing: {},
    knownEmpty: {},
    duplicates: {},
    mixedLayout: [],
    strayPartitions: [],
    corruptKeys: [],
    uncataloguedPartitions: [],
    rows: {},
    files: 0,
    bytes: 0,
  };
  const tasks: WriteTask[] = [];
  const partitions = new Map<string, string[][]>();
  const playCount = (g: GameRecord) => createRandom(mixSeed(seed, g.id, 5)).int(minPlays, maxPlays);

  const writeRows = (
    key: string,
    table: () => { columns: readonly ColumnSpec[]; rows: Record<string, unknown>[] },
    count: { table: string; season: number; rows: number },
  ) => {
    bump(manifest.rows, count.table, count.season, count.rows);
    tasks.push({
      key,
      body: () => {
        const { columns, rows } = table();
        return encode(columns, rows);
      },
    });
    const p = /season=(\d+)\/date=([\d-]+)\//.exec(key);
    if (p) partitions.set(count.table, [...(partitions.get(count.table) ?? []), [p[1]!, p[2]!]]);
  };

  // Child tables are written as a fill writes them (the pipeline's types and texts), without a catalog's types.
  const childRows = (table: ChildTable, g: GameRecord) => {
    const endpoint = CHILD_TABLES.find((c) => c.table === table)!.endpoint;
    const records =
      table === 'fct_plays'
        ? syntheticPlays(seed, g, playCount(g))
        : table === 'fct_substitutions'
          ? syntheticSubstitutions(seed, g)
          : withLineupContext(syntheticLineups(seed, g), {
              gameId: g.id,
              season: g.season,
              date: g.startDate.slice(0, 10),
            });
    return silverTable(
      endpoint,
      records,
      PIPELINE_TABLES[table]!.key,
      tableRules('silver', 'cbbd_silver', table),
    );
  };
  const childCount = (table: ChildTable, g: GameRecord) =>
    table === 'fct_plays' ? playCount(g) : table === 'fct_substitutions' ? 60 : 20;

  const gamesBySeason = new Map(seasons.map((s) => [s, playedGames(seed, s, gamesPerSeason, options.today)]));
  for (const [season, games] of gamesBySeason) {
    manifest.gameIds[season] = games.map((g) => g.id);
    planGames(season, games);
    for (const child of CHILD_TABLES) {
      if (child.table !== 'fct_plays' && season < FIRST_LINEUP_SEASON) continue;
      const skipped = games.filter(() => rnd.chance(gaps.missingShare[child.table]));
      const empty = new Set(skipped.filter(() => rnd.chance(gaps.emptyShare)).map((g) => g.id));
      for (const id of empty) {
        const params = { gameId: id };
        const body = new TextEncoder().encode(
          pythonJsonDumps({ reason: 'empty_response', params, endpoint: child.endpoint }, false),
        );
        tasks.push({ key: deadletterKey(layout, child.endpoint, asof, params), body: () => body });
      }
      setIds(manifest.knownEmpty, child.table, season, [...empty]);
      setIds(
        manifest.missing,
        child.table,
        season,
        skipped.map((g) => g.id).filter((id) => !empty.has(id)),
      );
      const skippedIds = new Set(skipped.map((g) => g.id));
      for (const g of games) {
        if (skippedIds.has(g.id)) continue;
        const date = g.startDate.slice(0, 10);
        writeRows(
          silverKey(layout, child.table, season, date, { gameId: g.id }),
          () => childRows(child.table, g),
          {
            table: child.table,
            season,
            rows: childCount(child.table, g),
          },
        );
      }
    }
  }
  planDuplicates();
  planCorruption();
  planOtherTables();
  if (options.withCatalog ?? true) planCatalog();
  return { tasks, manifest };

  function planGames(season: number, games: GameRecord[]) {
    if (season === gaps.asofSeason) {
      manifest.mixedLayout.push({ table: 'fct_games', season });
      bump(manifest.rows, 'fct_games', season, games.length);
      const key = `silver/fct_games/season=${season}/asof=${asof}/part-${paramsHash8({ season, asof })}.parquet`;
      tasks.push({
        key,
        body: () => {
          const t = gamesTable(games);
          return encode(t.columns, t.rows);
        },
      });
      return;
    }
    const byDate = new Map<string, GameRecord[]>();
    for (const g of games)
      byDate.set(g.startDate.slice(0, 10), [...(byDate.get(g.startDate.slice(0, 10)) ?? []), g]);
    for (const [date, day] of byDate) {
      writeRows(silverKey(layout, 'fct_games', season, date, { season, date }), () => gamesTable(day), {
        table: 'fct_games',
        season,
        rows: day.length,
      });
    }
  }

  /** A covered game's plays written again under the next day's partition: every play is a duplicate. */
  function planDuplicates() {
    const season = seasons.find((s) => s !== gaps.asofSeason) ?? seasons[0]!;
    for (const g of coveredGames(season).slice(0, gaps.duplicateGames)) {
      const next = new Date(Date.parse(g.startDate) + 86_400_000).toISOString().slice(0, 10);
      writeRows(
        silverKey(layout, 'fct_plays', season, next, { gameId: g.id }),
        () => childRows('fct_plays', g),
        {
          table: 'fct_plays',
          season,
          rows: playCount(g),
        },
      );
      bump(manifest.duplicates, 'fct_plays', season, playCount(g));
    }
  }

  /** Plays files of the newest season cut to 1,000 bytes: their games have no readable plays, so they are missing too. */
  function planCorruption() {
    const season = seasons[seasons.length - 1]!;
    const victims = gaps.corruptFiles > 0 ? coveredGames(season).slice(-gaps.corruptFiles) : [];
    for (const g of victims) {
      const key = silverKey(layout, 'fct_plays', season, g.startDate.slice(0, 10), { gameId: g.id });
      const task = tasks.find((t) => t.key === key)!;
      const whole = task.body;
      task.body = async () => (await whole()).subarray(0, 1000);
      manifest.corruptKeys.push(key);
      setIds(manifest.missing, 'fct_plays', season, [...(manifest.missing.fct_plays?.[season] ?? []), g.id]);
      bump(manifest.rows, 'fct_plays', season, -playCount(g));
    }
  }

  function coveredGames(season: number): GameRecord[] {
    const gone = new Set([
      ...(manifest.missing.fct_plays?.[season] ?? []),
      ...(manifest.knownEmpty.fct_plays?.[season] ?? []),
    ]);
    return (gamesBySeason.get(season) ?? []).filter((g) => !gone.has(g.id));
  }

  function planOtherTables() {
    const teams = syntheticTeams();
    const dims = dimensionTables(teams);
    for (const dim of dims) {
      const key = `silver/${dim.table}/asof=${asof}/part-${paramsHash8({ table: dim.table, asof })}.parquet`;
      tasks.push({ key, body: () => encode(dim.columns, dim.rows) });
    }
    if (gaps.strayPartition) {
      const teamsDim = dims.find((d) => d.table === 'dim_teams')!;
      const key = `silver/dim_teams/season=${seasons[seasons.length - 1]}/part-${paramsHash8({ table: 'dim_teams', stray: true })}.parquet`;
      manifest.strayPartitions.push(key);
      tasks.push({ key, body: () => encode(teamsDim.columns, teamsDim.rows) });
    }
    for (const season of seasons) {
      for (const t of seasonTables(seed, season, manifest.gameIds[season] ?? [], teams)) {
        bump(manifest.rows, t.table, season, t.rows.length);
        const key = `silver/${t.table}/season=${season}/part-${paramsHash8({ table: t.table, season })}.parquet`;
        tasks.push({ key, body: () => encode(t.columns, t.rows) });
      }
    }
  }

  function planCatalog() {
    const newest = String(seasons[seasons.length - 1]);
    const seeds = [...partitions].map(([table, list]) => {
      let values = uniqueSorted(list);
      if (table === 'fct_plays' && gaps.uncataloguedPartitions > 0) {
        const left = values.filter((v) => v[0] === newest).slice(-gaps.uncataloguedPartitions);
        manifest.uncataloguedPartitions.push(...left.map((v) => ({ table, values: v })));
        values = values.filter((v) => !left.includes(v));
      }
      return { table, partitionKeys: ['season', 'date'], partitions: values };
    });
    for (const doc of catalogTables(lakeUri, 'cbbd_silver', seeds)) {
      const body = new TextEncoder().encode(doc.json);
      tasks.push({ key: doc.key, body: () => body });
    }
  }
}

function bump(target: Record<string, Record<number, number>>, table: string, season: number, n: number) {
  const t = (target[table] ??= {});
  t[season] = (t[season] ?? 0) + n;
}

function setIds(
  target: Record<string, Record<number, number[]>>,
  table: string,
  season: number,
  ids: number[],
) {
  const t = (target[table] ??= {});
  t[season] = [...new Set(ids)].sort((a, b) => a - b);
}

function uniqueSorted(values: string[][]): string[][] {
  return [...new Map(values.map((v) => [v.join('/'), v])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, v]) => v);
}
