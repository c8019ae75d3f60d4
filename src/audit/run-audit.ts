import { tableWriters } from '../config/pipeline-tables.js';
import type { Config, TableConfig } from '../config/schema.js';
import { NO_SEASON, type QueryEngine, type TableFacts, type TableRequest } from '../engine/query-engine.js';
import type { ObjectStore } from '../lake/object-store.js';
import { layoutFrom } from '../layout/keys.js';
import type { Logger } from '../util/logger.js';
import type { CatalogFindings } from './catalog-checks.js';
import { linkBlockedGames } from './blocked.js';
import { checkCoverage } from './coverage.js';
import type { LakeFile } from '../lake/lake-file.js';
import { filesForSeasons, takeInventory, type Inventory } from './inventory.js';
import { knownEmptyIds, type DeadletterCache } from './known-empty.js';
import { auditScope } from './scope.js';
import { checkLayout } from './layout-checks.js';
import { schemaDriftGap } from './schema-checks.js';
import {
  duplicateGaps,
  emptyTableGap,
  missingSeasonGaps,
  unreadableGaps,
  volumeGaps,
} from './table-checks.js';
import { tableStatus } from './table-status.js';
import { seasonInProgress } from './volume.js';
import { rankGaps, type SeverityContext } from './severity.js';
import { type AuditResult, type CoverageRow, type Gap, type SeasonStats, type TableAudit } from './types.js';

/** What the audit looks at, parsed from flags and config. */
export interface AuditSettings {
  config: Config;
  seasons: number[];
}

/** How far the audit's reading is: Parquet files read of those it will read. */
export interface AuditProgress {
  read: number;
  total: number;
}

/** The ports the audit reads through. */
export interface AuditPorts {
  store: ObjectStore;
  engine: QueryEngine;
  logger: Logger;
  now: () => Date;
  /** Ids checkpointed as `empty` for an endpoint (the checkpoint store), when one is configured. */
  emptyFromCheckpoints?: (endpoint: string) => Promise<Iterable<number>>;
  /** Deadletter records remembered from earlier audits (the audit manifest): unchanged ones are not read again. */
  deadletters?: DeadletterCache;
  /** Files read of the total, after each file (scan) or table (duckdb, athena): the CLI shows it on stderr. */
  progress?: (p: AuditProgress) => void;
  /** The silver listing, when the caller took it already (beside reading the audit manifest). */
  inventory?: Inventory;
  /** Catalog findings (partitions and catalog checks, declared columns), when a catalog is configured. */
  catalogCheck?: (tables: Map<string, LakeFile[]>) => Promise<CatalogFindings>;
}

/**
 * Audits every configured table, and every table found under silver/, for the given seasons: counts, coverage
 * of child tables against their parent, duplicates, volume anomalies, null shares, partition layout, catalog
 * drift and unreadable files. Pure with respect to the lake: it only reads.
 */
export async function runAudit(settings: AuditSettings, ports: AuditPorts): Promise<AuditResult> {
  const { config, seasons } = settings;
  const layout = layoutFrom(config.s3_layout);
  const seasonSet = new Set(seasons);
  const inventory = ports.inventory ?? (await takeInventory(ports.store, layout.silver));
  ports.logger.info(
    `listed ${inventory.listedObjects} objects under ${layout.silver}/ in ${inventory.tables.size} tables`,
  );
  const notes: string[] = [];
  const configured = Object.keys(config.audit.tables);
  const found = [...inventory.tables.keys()].filter((t) => !configured.includes(t)).sort();
  const parents = new Set(
    Object.values(config.audit.tables)
      .map((t) => t.parent)
      .filter((p): p is string => !!p),
  );

  const inProgress = seasonInProgress(ports.now());
  if (inProgress !== undefined && seasonSet.has(inProgress)) notes.push(volumeNote(inProgress, ports.now()));
  const filesOf = new Map(
    [...configured, ...found].map((t) => [t, filesForSeasons(inventory.tables.get(t) ?? [], seasonSet)]),
  );
  const knownEmpty = knownEmptyOf(settings, ports);
  const facts = await readFacts(settings, ports, filesOf, parents);

  const gaps: Gap[] = [];
  const coverage: CoverageRow[] = [];
  const tableGaps = new Map<string, Gap[]>();
  const scope = auditScope(seasons, config.seasons);
  const notFetched = new Set<string>();
  // A season outside the audit is not reported (a layout or catalog finding of 2022 when auditing 2024).
  const add = (list: Gap[]) => {
    for (const g of list) {
      if (g.season !== undefined && !seasonSet.has(g.season)) continue;
      gaps.push(g);
      tableGaps.set(g.table, [...(tableGaps.get(g.table) ?? []), g]);
    }
  };

  for (const table of [...configured, ...found]) await checkTable(table);
  notes.push(...inventory.oddKeys.map((o) => `skipped ${o.reason}`));
  const catalog = ports.catalogCheck ? await ports.catalogCheck(inventory.tables) : undefined;
  if (catalog) {
    add(catalog.gaps);
    notes.push(...catalog.notes);
  }
  add(schemaGaps(catalog?.declared));

  const tables = [...configured, ...found]
    .map((table) =>
      tableAudit(
        table,
        config.audit.tables[table],
        facts.get(table)!,
        tableGaps.get(table) ?? [],
        coverage,
        config,
        notFetched.has(table),
      ),
    )
    .filter((t) => t.configured || t.files > 0 || t.rows > 0);
  return {
    schemaVersion: 1,
    generatedAt: ports.now().toISOString(),
    lake: ports.store.uri,
    engine: ports.engine.name,
    seasons: [seasons[0] ?? config.seasons.start, seasons[seasons.length - 1] ?? config.seasons.end],
    tables,
    coverage,
    gaps: rankGaps(linked(gaps), severityContext(config, parents, coverage, facts)),
    notes,
    scope,
  };

  /** Every check of one table; a table the pipeline does not fetch gets a note instead of data gaps. */
  async function checkTable(table: string): Promise<void> {
    const tc = config.audit.tables[table];
    const f = facts.get(table)!;
    const files = filesOf.get(table)!;
    const seasonOf = (key: string) => files.find((x) => x.key === key)?.season;
    if (f.unavailable) {
      notes.push(`${table}: not audited by ${ports.engine.name}: ${f.unavailable}`);
      return;
    }
    for (const u of f.unreadable) ports.logger.warn(`unreadable ${u.key}: ${u.reason}`);
    add(unreadableGaps(table, f, seasonOf));
    add(checkLayout(table, inventory.tables.get(table) ?? [], config.audit.canonical_layout));
    if (tc?.key) add(duplicateGaps(table, tc.key, f));
    const writer = fetchedBy(config, table, tc);
    if (writer === null) {
      notes.push(notFetchedNote(config, table, tc));
      notFetched.add(table);
      return;
    }
    if (tc && sumRows(f) === 0 && dueSeason(tc, config, seasons))
      add([emptyTableGap(table, files.length, writer)]);
    add(volumeGaps(table, f, config.audit.thresholds.volume_anomaly_ratio, inProgress));
    const first = tc?.first_season ?? config.seasons.start;
    add(missingSeasonGaps(table, tc, f, seasons, first).map((g) => withEndpoint(g, writer)));
    if (tc?.parent) {
      const cov = await coverageOf(table, tc, f);
      coverage.push(...cov.rows);
      add(cov.gaps);
    }
  }

  /** `schema_drift` per table from the engine's footer facts; a note instead when the engine read no footers. */
  function schemaGaps(declared: CatalogFindings['declared'] | undefined): Gap[] {
    const out: Gap[] = [];
    let unchecked = false;
    for (const [table, f] of facts) {
      if (f.unavailable || filesOf.get(table)!.length === 0) continue;
      if (!f.schemas) unchecked = true;
      const gap = f.schemas && schemaDriftGap(table, f.schemas, declared?.get(table));
      if (gap) out.push(gap);
    }
    if (unchecked)
      notes.push(
        `schema_drift not checked: the ${ports.engine.name} engine reads no Parquet footers (audit with --engine scan to check column types)`,
      );
    return out;
  }

  async function coverageOf(table: string, tc: TableConfig, f: TableFacts) {
    const parentFacts = facts.get(tc.parent!);
    return checkCoverage({
      table,
      parent: tc.parent!,
      endpoint: tc.endpoint,
      firstSeason: tc.first_season ?? config.seasons.start,
      parentIds: new Map([...(parentFacts?.idsBySeason ?? [])].filter(([s]) => s !== NO_SEASON)),
      childIds: new Set([...(f.idsBySeason?.values() ?? [])].flat()),
      knownEmpty: tc.endpoint ? await knownEmpty(tc.endpoint) : new Set<number>(),
      seasons,
    });
  }
}

/**
 * Game ids known to have no data, by endpoint, once per endpoint. The deadletter listings (and checkpoint reads)
 * of every child table the pipeline fetches start at once, beside the reading of facts: the coverage checks
 * then wait for none of them.
 */
function knownEmptyOf(
  { config }: AuditSettings,
  ports: AuditPorts,
): (endpoint: string) => Promise<Set<number>> {
  const started = new Map<string, Promise<Set<number>>>();
  const knownEmpty = (endpoint: string) => {
    let ids = started.get(endpoint);
    if (!ids) {
      ids = knownEmptyIds(
        ports.store,
        layoutFrom(config.s3_layout).deadletter,
        endpoint,
        ports.emptyFromCheckpoints,
        ports.logger,
        { cache: ports.deadletters },
      );
      // Awaited by the coverage check; an audit that fails before it must not leave the rejection unhandled.
      ids.catch(() => undefined);
      started.set(endpoint, ids);
    }
    return ids;
  };
  for (const [table, tc] of Object.entries(config.audit.tables))
    if (tc.parent && tc.endpoint && fetchedBy(config, table, tc) !== null) void knownEmpty(tc.endpoint);
  return knownEmpty;
}

/** Whether an audited season is one the table should have data in: substitutions before 2024 are not a gap. */
function dueSeason(tc: TableConfig, config: Config, seasons: readonly number[]): boolean {
  const first = tc.first_season ?? config.seasons.start;
  return seasons.some((s) => s >= first);
}

/**
 * The endpoint whose run fills a table (its own `endpoint`, else the first of the pipeline's writers that the
 * config fetches), undefined when the config has no endpoints to judge by, and null when the pipeline does not
 * fetch the table at all (no endpoint writes it, or each one is in `skip_endpoints`).
 */
function fetchedBy(config: Config, table: string, tc: TableConfig | undefined): string | undefined | null {
  if (Object.keys(config.endpoints).length === 0) return undefined;
  const { fetched } = tableWriters(config, table, tc?.endpoint);
  if (fetched.length === 0) return null;
  return tc?.endpoint && fetched.includes(tc.endpoint) ? tc.endpoint : fetched[0];
}

/** An info note for a table the pipeline does not fetch: why, and that its emptiness is not a gap. */
function notFetchedNote(config: Config, table: string, tc: TableConfig | undefined): string {
  const { skipped } = tableWriters(config, table, tc?.endpoint);
  const why =
    skipped.length > 0
      ? `its endpoint${skipped.length === 1 ? '' : 's'} ${skipped.join(', ')} ${skipped.length === 1 ? 'is' : 'are'} in skip_endpoints`
      : 'no endpoint of the config writes it';
  return `info: ${table} is not fetched by the pipeline (${why}): its missing data is not a gap`;
}

function withEndpoint(gap: Gap, endpoint: string | undefined): Gap {
  return endpoint ? { ...gap, endpoint } : gap;
}

function linked(gaps: Gap[]): Gap[] {
  linkBlockedGames(gaps);
  return gaps;
}

/** What the report says about the season in progress, which the volume check leaves out. */
function volumeNote(season: number, today: Date): string {
  return (
    `volume_anomaly: season ${season} is in progress (today ${today.toISOString().slice(0, 10)}), so it is not ` +
    'compared with earlier seasons, nor used as their neighbour, until its games end in April'
  );
}

/**
 * Asks the engine for every table's facts, reporting files read of those it will read as it goes (per file from
 * the scan engine, per table from the SQL engines); files the audit manifest answers are not counted.
 */
async function readFacts(
  { config }: AuditSettings,
  ports: AuditPorts,
  filesOf: Map<string, LakeFile[]>,
  parents: Set<string>,
): Promise<Map<string, TableFacts>> {
  const requests = [...filesOf].map(([table, files]): TableRequest => {
    const tc = config.audit.tables[table];
    const idColumn = tc?.parent ? tc.parent_key : parents.has(table) ? parentKeyOf(config, table) : undefined;
    return { table, files, key: tc?.key, idColumn };
  });
  const toRead = requests.map((r) => ports.engine.filesToRead?.(r) ?? r.files.length);
  const total = toRead.reduce((a, n) => a + n, 0);
  let read = 0;
  const tick = (n: number) => {
    read += n;
    if (n > 0) ports.progress?.({ read, total });
  };
  const facts = new Map<string, TableFacts>();
  for (const [i, request] of requests.entries()) {
    let seen = 0;
    const onRead = () => {
      seen++;
      tick(1);
    };
    facts.set(request.table, await ports.engine.tableFacts({ ...request, onRead }));
    tick(toRead[i]! - seen);
    ports.logger.debug(`${request.table}: ${request.files.length} files`);
  }
  return facts;
}

function parentKeyOf(config: Config, parent: string): string {
  return Object.values(config.audit.tables).find((t) => t.parent === parent)?.parent_key ?? 'gameId';
}

function severityContext(
  config: Config,
  parents: Set<string>,
  coverage: CoverageRow[],
  facts: Map<string, TableFacts>,
): SeverityContext {
  return {
    parents,
    coverage,
    rowsOf: (table, season) => {
      const f = facts.get(table);
      if (!f) return 0;
      return season === undefined ? sumRows(f) : (f.rowsBySeason.get(season) ?? 0);
    },
    duplicateFailPct: config.audit.thresholds.duplicate_fail_pct,
  };
}

function sumRows(f: TableFacts): number {
  let n = f.unseasonedRows;
  for (const [s, r] of f.rowsBySeason) if (s !== NO_SEASON) n += r;
  return n;
}

function tableAudit(
  table: string,
  tc: TableConfig | undefined,
  f: TableFacts,
  gaps: Gap[],
  coverage: CoverageRow[],
  config: Config,
  notFetched: boolean,
): TableAudit {
  const bySeason: Record<string, SeasonStats> = {};
  for (const [season, rows] of [...f.rowsBySeason].sort((a, b) => a[0] - b[0])) {
    if (season === NO_SEASON) continue;
    bySeason[String(season)] = {
      rows,
      files: f.filesBySeason.get(season) ?? 0,
      duplicates: f.duplicatesBySeason?.get(season) ?? 0,
    };
  }
  const rows = sumRows(f);
  const nullPct: Record<string, number> = {};
  const shown = config.audit.thresholds.null_columns_shown;
  [...f.nullCounts]
    .filter(([, n]) => n > 0 && rows > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, shown)
    .forEach(([c, n]) => (nullPct[c] = Math.round((n / rows) * 1000) / 10));
  const duplicates = [...(f.duplicatesBySeason?.values() ?? [])].reduce((a, b) => a + b, 0);
  // A table the engine cannot see (Athena without its catalog entry) is a warning, not a table without data.
  const { status, issues } = f.unavailable
    ? { status: 'WARN' as const, issues: [f.unavailable] }
    : tableStatus({
        rows,
        duplicates,
        duplicateFailPct: config.audit.thresholds.duplicate_fail_pct,
        gaps,
        coverage: coverage.filter((c) => c.table === table),
        configured: tc !== undefined,
        notFetched,
      });
  // A key column the files lack means duplicates could not be counted: a finding on the table, not a footnote.
  const keyIssue = f.keyProblem ? [`duplicates not counted: ${f.keyProblem}`] : [];
  return {
    table,
    layer: 'silver',
    kind: table.startsWith('dim_') ? 'dimension' : 'fact',
    configured: tc !== undefined,
    rows,
    files: f.readableFiles + f.unreadable.length,
    columns: f.columns.length,
    bySeason,
    nullPct,
    status: keyIssue.length > 0 && status === 'PASS' ? 'WARN' : status,
    issues: [...keyIssue, ...issues],
  };
}
