import path from 'node:path';
import type { Config } from '../config/schema.js';
import { generateDemoLake } from '../demo/generate-lake.js';
import { createFsStore } from '../lake/fs-store.js';
import { auditCommand, type AuditDeps, type AuditOutcome } from './audit.js';

/** `demo`'s settings: where the generated lake goes, and its size. */
export interface DemoCommand {
  config: Config;
  dir: string;
  gamesPerSeason: number;
}

/**
 * Generates the synthetic demo lake (seasons `seasons.start..end` of the config, gaps injected as real lakes
 * have them) in `dir`, then audits it with the scan engine and writes the report to `dir/reports`.
 */
export async function demoCommand(
  command: DemoCommand,
  deps: AuditDeps & { writeProgress?: (written: number, total: number) => void },
): Promise<AuditOutcome> {
  const root = path.resolve(command.dir);
  const seasons = range(command.config.seasons.start, command.config.seasons.end);
  deps.logger.info(
    `generating a demo lake of ${seasons.length} seasons × ${command.gamesPerSeason} games in ${root} …`,
  );
  const manifest = await generateDemoLake(createFsStore(root), {
    seasons,
    gamesPerSeason: command.gamesPerSeason,
    today: deps.now().toISOString().slice(0, 10),
    ...(deps.writeProgress ? { onWrite: deps.writeProgress } : {}),
  });
  deps.logger.info(`wrote ${manifest.files} objects (${(manifest.bytes / 1e6).toFixed(1)} MB); auditing …`);
  return auditCommand(
    {
      config: command.config,
      lake: { kind: 'file', root },
      engine: 'scan',
      seasons,
      out: path.join(root, 'reports'),
    },
    deps,
  );
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
