import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkCatalog } from '../audit/catalog-checks.js';
import { runAudit } from '../audit/run-audit.js';
import type { AuditResult } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { renderCoverageSvg } from '../report/coverage-svg.js';
import { diffAudits, parsePreviousAudit } from '../report/diff.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Logger } from '../util/logger.js';
import { locationMapper, openCatalog, openEngine, openLake, type EngineName, type Env } from './ports.js';

/** `audit`'s settings, parsed from flags (CLI) or inputs (action). */
export interface AuditCommand {
  config: Config;
  lake: LakeLocation;
  engine: EngineName;
  seasons: number[];
  out: string;
}

/** Where the report landed. */
export interface AuditOutcome {
  result: AuditResult;
  files: { markdown: string; json: string; svg: string };
}

/**
 * Audits the lake and writes `data_audit.md`, `data_audit.json` and `coverage.svg` to `out`, comparing with the
 * `data_audit.json` already there (the previous night's) when there is one.
 */
export async function auditCommand(
  command: AuditCommand,
  deps: { logger: Logger; env: Env; now: () => Date },
): Promise<AuditOutcome> {
  const store = openLake(command.lake, command.config, deps.env);
  const engine = await openEngine(command.engine, store, command.lake, command.config, deps.env);
  let result: AuditResult;
  try {
    const catalog = openCatalog(command.lake, command.config, deps.env);
    const keyOfLocation = locationMapper(store, command.config);
    const database = command.config.catalog.silver_database!;
    result = await runAudit(
      { config: command.config, seasons: command.seasons },
      {
        store,
        engine,
        logger: deps.logger,
        now: deps.now,
        catalogCheck: (tables) => checkCatalog(tables, catalog, database, keyOfLocation),
      },
    );
  } finally {
    await engine.close();
  }
  const files = {
    markdown: path.join(command.out, 'data_audit.md'),
    json: path.join(command.out, 'data_audit.json'),
    svg: path.join(command.out, 'coverage.svg'),
  };
  const previous = parsePreviousAudit(await readFile(files.json, 'utf8').catch(() => undefined));
  if (previous) result.diff = diffAudits(previous, result);
  await mkdir(command.out, { recursive: true });
  await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.markdown, renderMarkdown(result, { svgPath: 'coverage.svg' }));
  await writeFile(files.svg, renderCoverageSvg(result));
  return { result, files };
}
