import { constants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkCatalog } from '../audit/catalog-checks.js';
import { takeInventory } from '../audit/inventory.js';
import { openManifest, type AuditManifest } from '../audit/manifest.js';
import { runAudit, type AuditPorts, type AuditProgress } from '../audit/run-audit.js';
import type { AuditResult, AuditRun } from '../audit/types.js';
import type { QueryEngine } from '../engine/query-engine.js';
import { createCountingStore } from '../lake/counting-store.js';
import type { ObjectStore } from '../lake/object-store.js';
import { layoutFrom } from '../layout/keys.js';
import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { renderCoverageSvg } from '../report/coverage-svg.js';
import { diffAudits, parsePreviousAudit } from '../report/diff.js';
import { renderMarkdown, runLine, type MarkdownOptions } from '../report/markdown.js';
import { errorMessage, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  locationMapper,
  openCatalog,
  openCheckpoints,
  openEngine,
  openExistingLake,
  type EngineName,
  type Env,
} from './ports.js';

/** `audit`'s settings, parsed from flags (CLI) or inputs (action). */
export interface AuditCommand {
  config: Config;
  lake: LakeLocation;
  engine: EngineName;
  seasons: number[];
  out: string;
  /** `--full`: read every file whatever the manifest holds (and write a new one). */
  full?: boolean;
}

/** What an audit runs with besides its settings; `progress` gets files read of the total as it goes. */
export interface AuditDeps {
  logger: Logger;
  env: Env;
  now: () => Date;
  progress?: (p: AuditProgress) => void;
}

/** Where the report landed. */
export interface AuditOutcome {
  result: AuditResult;
  files: ReportFiles;
}

/** The report's three files. */
export interface ReportFiles {
  markdown: string;
  json: string;
  svg: string;
}

/**
 * Audits the lake. `previousJson` is the last audit's `data_audit.json` (from `--out`, or from the report branch
 * in the action); the result then carries the diff against it. Games checkpointed `empty` count as covered. The
 * scan engine keeps an audit manifest in the lake: a night reads only the files that are new or changed.
 */
export async function auditLake(
  command: AuditCommand,
  deps: AuditDeps & {
    previousJson?: string | undefined;
    /** The lake's store, when the caller already holds one (a test that wraps it); else opened from the command. */
    store?: ObjectStore;
  },
): Promise<AuditResult> {
  const { config } = command;
  const counted = createCountingStore(deps.store ?? (await openExistingLake(command.lake, config, deps.env)));
  // The manifest is read while silver is listed: neither waits for the other.
  const [manifest, inventory] = await Promise.all([
    command.engine === 'scan'
      ? openManifest(counted, {
          metaPrefix: config.s3_layout.meta_prefix,
          full: command.full ?? false,
          fullEveryDays: config.audit.full_every_days,
          now: deps.now,
          logger: deps.logger,
        })
      : undefined,
    takeInventory(counted, layoutFrom(config.s3_layout).silver),
  ]);
  manifest?.useListing(inventory);
  const engine = await openEngine(command.engine, counted, command.lake, config, deps.env, manifest);
  // Endpoints whose checkpoints could not be read, with the first error: a note of the report, not only a log line.
  const unread: UnreadCheckpoints = { endpoints: [] };
  let result: AuditResult;
  try {
    const ports = auditPorts(command, counted, engine, deps, unread);
    ports.inventory = inventory;
    if (manifest) ports.deadletters = manifest.deadletters;
    result = await runAudit({ config, seasons: command.seasons }, ports);
  } finally {
    await engine.close();
  }
  if (unread.error !== undefined)
    result.notes.push(
      `checkpoints (${unread.kind}) could not be read for ${unread.endpoints.join(', ')}, so only deadletters mark their games empty (games checkpointed empty may be counted missing): ${unread.error}`,
    );
  if (manifest) result.run = await finishRun(manifest, counted, deps.logger);
  const previous = parsePreviousAudit(deps.previousJson);
  if (previous) result.diff = diffAudits(previous, result);
  return result;
}

/** Checkpoints the audit could not read: which endpoints, from which store, and the first error. */
interface UnreadCheckpoints {
  endpoints: string[];
  kind?: string;
  error?: string;
}

function auditPorts(
  command: AuditCommand,
  store: ObjectStore,
  engine: QueryEngine,
  deps: AuditDeps,
  unread: UnreadCheckpoints,
): AuditPorts {
  const { config } = command;
  const catalog = openCatalog(command.lake, config, deps.env);
  const checkpoints = openCheckpoints(undefined, command.lake, config, deps.env);
  const keyOfLocation = locationMapper(store, config);
  const database = config.catalog.silver_database!;
  return {
    store,
    engine,
    logger: deps.logger,
    now: deps.now,
    ...(deps.progress ? { progress: deps.progress } : {}),
    catalogCheck: (tables) => checkCatalog(tables, catalog, database, keyOfLocation),
    emptyFromCheckpoints: async (endpoint) => {
      try {
        return await checkpoints.idsWithStatus(endpoint, 'empty');
      } catch (e) {
        if (unread.error === undefined)
          deps.logger.warn(
            `checkpoints (${checkpoints.kind}) could not be read, so only deadletters mark games empty: ${errorMessage(e)}`,
          );
        unread.error ??= errorMessage(e);
        unread.endpoints.push(endpoint);
        unread.kind = checkpoints.kind;
        return [];
      }
    },
  };
}

/**
 * Saves the run's manifest (a failed save costs the next night a full audit, never a wrong one) and says what
 * the run read. The GETs are counted before the save, which only writes.
 */
async function finishRun(
  manifest: AuditManifest,
  counted: ReturnType<typeof createCountingStore>,
  logger: Logger,
): Promise<AuditRun> {
  const { gets, bytesRead } = counted.counters;
  let key: string | undefined;
  try {
    key = await manifest.save();
  } catch (e) {
    logger.warn(`audit manifest not written, so the next audit reads every file: ${errorMessage(e)}`);
  }
  const run: AuditRun = {
    kind: manifest.kind,
    reason: manifest.reason,
    filesListed: manifest.listedFiles(),
    filesRead: manifest.stats.read,
    candidatesRead: manifest.stats.candidatesRead,
    gets,
    bytesRead,
    ...(key ? { manifest: key } : {}),
  };
  logger.info(runLine(run).replace(/\*\*/g, ''));
  return run;
}

/** The report as file contents, keyed by file name: what is written to `--out` and what the action commits. */
export function reportContents(result: AuditResult, options: MarkdownOptions = {}): Record<string, string> {
  return {
    'data_audit.md': renderMarkdown(result, { svgPath: 'coverage.svg', ...options }),
    'data_audit.json': `${JSON.stringify(result, null, 2)}\n`,
    'coverage.svg': renderCoverageSvg(result),
  };
}

/** Writes the report's files (`reportContents`) into `out`. */
export async function writeReport(contents: Record<string, string>, out: string): Promise<ReportFiles> {
  await mkdir(out, { recursive: true });
  for (const [name, text] of Object.entries(contents)) await writeFile(path.join(out, name), text);
  return {
    markdown: path.join(out, 'data_audit.md'),
    json: path.join(out, 'data_audit.json'),
    svg: path.join(out, 'coverage.svg'),
  };
}

/**
 * Finds an `--out` the report could not be written to before the scan, not after minutes of it: the directory is
 * created when absent, and it and any report file already in it must be writable. A usage error (exit 2).
 */
export async function requireWritableOut(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
    await access(out, constants.W_OK);
    for (const name of REPORT_FILES) {
      const file = path.join(out, name);
      if (
        await stat(file).then(
          () => true,
          () => false,
        )
      )
        await access(file, constants.W_OK);
    }
  } catch (e) {
    throw new UsageError(`--out ${out}: the report cannot be written there (${errorMessage(e)})`);
  }
}

const REPORT_FILES = ['data_audit.md', 'data_audit.json', 'coverage.svg'];

/**
 * `cbbd-gap-bot audit`: audits the lake and writes `data_audit.md`, `data_audit.json` and `coverage.svg` to
 * `out`, comparing with the `data_audit.json` already there (the previous run's) when there is one.
 */
export async function auditCommand(command: AuditCommand, deps: AuditDeps): Promise<AuditOutcome> {
  await requireWritableOut(command.out);
  const previousJson = await readFile(path.join(command.out, 'data_audit.json'), 'utf8').catch(
    () => undefined,
  );
  const result = await auditLake(command, { ...deps, previousJson });
  return { result, files: await writeReport(reportContents(result), command.out) };
}
