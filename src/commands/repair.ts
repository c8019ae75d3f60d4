import type { Config } from '../config/schema.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import { runRepair, type RepairOptions, type RepairReport } from '../repair/apply.js';
import type { Logger } from '../util/logger.js';
import { locationMapper, openCatalog, openExistingLake, type Env } from './ports.js';

/** `repair`'s settings. */
export interface RepairCommand extends RepairOptions {
  config: Config;
  lake: LakeLocation;
}

/** Plans (and with --apply carries out) the catalog and layout repair of the lake. */
export async function repairCommand(
  command: RepairCommand,
  deps: { logger: Logger; env: Env },
): Promise<RepairReport> {
  const store = await openExistingLake(command.lake, command.config, deps.env);
  return runRepair(command.config, command, {
    store,
    catalog: openCatalog(command.lake, command.config, deps.env),
    logger: deps.logger,
    keyOfLocation: locationMapper(store, command.config),
  });
}

/** The report as text: the plan, then what was done, with counts. */
export function repairText(r: RepairReport): string {
  const lines: string[] = [];
  const registerCount = r.plan.register.reduce((a, t) => a + t.partitions.length, 0);
  lines.push(`${r.applied ? 'plan' : 'plan (nothing changed; add --apply to carry it out)'}:`);
  for (const t of r.plan.register) {
    lines.push(
      `  register ${t.partitions.length} partition(s) of ${t.table}: ${t.partitions
        .slice(0, 5)
        .map((v) => v.join('/'))
        .join(', ')}${t.partitions.length > 5 ? `, +${t.partitions.length - 5} more` : ''}`,
    );
  }
  for (const t of r.plan.normalize)
    for (const f of t.files)
      lines.push(
        `  copy the rows of ${f} into season=/date= partitions (the original stays until --confirm-delete)`,
      );
  for (const t of r.plan.stale) {
    lines.push(
      `  stale in the catalog (removed only with --apply --confirm-delete): ${t.table} ${t.partitions.map((v) => v.join('/')).join(', ')}`,
    );
  }
  if (r.plan.uncatalogued.length > 0)
    lines.push(`  no catalog entry (skipped): ${r.plan.uncatalogued.join(', ')}`);
  if (registerCount + r.plan.normalize.length + r.plan.stale.length === 0) lines.push('  nothing to do');
  if (r.applied) {
    lines.push('done:');
    lines.push(
      `  registered ${r.registered.done} partition(s)${r.registered.failed.length ? `, ${r.registered.failed.length} FAILED` : ''}`,
    );
    for (const f of r.registered.failed) lines.push(`    ${f.table} ${f.values.join('/')}: ${f.reason}`);
    for (const n of r.normalized) {
      lines.push(
        `  normalized ${n.source}: ${n.rows} rows, ${n.copied} copied, ${n.alreadyPresent} already there${n.error ? `, FAILED: ${n.error}` : ''}`,
      );
    }
    if (r.normalized.some((n) => n.copied > 0) && r.deletedFiles.done.length === 0)
      lines.push(
        '  next: the originals are still there, so the audit reports their seasons as mixed_partition_layout and ' +
          'their rows as duplicates until `cbbd-gap-bot repair --normalize --apply --confirm-delete` deletes each ' +
          'original whose every key it reads back from the copies',
      );
    if (r.deletedFiles.done.length + r.deletedFiles.kept.length > 0)
      lines.push(`  deleted ${r.deletedFiles.done.length} normalized original(s)`);
    for (const k of r.deletedFiles.kept) lines.push(`    kept ${k.key}: ${k.reason}`);
    if (r.deletedPartitions.done + r.deletedPartitions.failed.length > 0) {
      lines.push(
        `  removed ${r.deletedPartitions.done} stale catalog partition(s)${r.deletedPartitions.failed.length ? `, ${r.deletedPartitions.failed.length} FAILED` : ''}`,
      );
    }
  }
  lines.push(r.ok ? 'ok' : 'some steps FAILED (see above)');
  return `${lines.join('\n')}\n`;
}
