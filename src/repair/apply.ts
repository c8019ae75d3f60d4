import { takeInventory, type Inventory } from '../audit/inventory.js';
import type { LakeFile } from '../lake/lake-file.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Config } from '../config/schema.js';
import type { ObjectStore } from '../lake/object-store.js';
import { layoutFrom } from '../layout/keys.js';
import type { Logger } from '../util/logger.js';
import { keysIn, normalizeFile, plannedCopies, type NormalizedFile } from './normalize.js';
import { planRepair, type RepairPlan } from './plan.js';

/** What `repair` was asked to do. */
export interface RepairOptions {
  apply: boolean;
  normalize: boolean;
  confirmDelete: boolean;
}

/** What it did (or, without --apply, would do), with counts; `ok` is false when any step failed. */
export interface RepairReport {
  applied: boolean;
  plan: {
    register: { table: string; partitions: string[][] }[];
    stale: { table: string; partitions: string[][] }[];
    normalize: { table: string; files: string[] }[];
    uncatalogued: string[];
  };
  registered: { done: number; failed: { table: string; values: string[]; reason: string }[] };
  normalized: NormalizedFile[];
  deletedFiles: { done: string[]; kept: { key: string; reason: string }[] };
  deletedPartitions: { done: number; failed: { table: string; values: string[]; reason: string }[] };
  ok: boolean;
}

/** The ports repair works through. */
export interface RepairPorts {
  store: ObjectStore;
  catalog: Catalog;
  logger: Logger;
  keyOfLocation: (location: string) => string | undefined;
}

/**
 * Plans, and with `apply` carries out: copies `season=/asof=` rows into `season=/date=` (normalize), registers
 * every storage partition the catalog lacks (in batches of at most 100), and — only with `confirmDelete` —
 * removes normalized originals whose every row was read back from the copies, and catalog partitions that have
 * no data. Nothing is deleted otherwise.
 */
export async function runRepair(
  config: Config,
  options: RepairOptions,
  ports: RepairPorts,
): Promise<RepairReport> {
  const survey = surveyOf(config, ports);
  let inventory = await survey.inventory();
  const plan = await survey.plan(inventory);
  // With --normalize the plan counts the partitions the copies will add, so it says what --apply will register.
  const expected = options.normalize
    ? await survey.plan(await withPlannedCopies(config, ports.store, plan, inventory))
    : plan;
  const report: RepairReport = {
    applied: options.apply,
    plan: describePlan(expected, options),
    registered: { done: 0, failed: [] },
    normalized: [],
    deletedFiles: { done: [], kept: [] },
    deletedPartitions: { done: 0, failed: [] },
    ok: true,
  };
  if (!options.apply) return report;
  if (options.normalize) {
    report.normalized = await normalizeAll(config, ports, plan, inventory);
    inventory = await survey.inventory();
  }
  // Register what storage has and the catalog lacks, the normalized copies included.
  report.registered = await registerMissing(ports.catalog, await survey.plan(inventory));
  if (options.confirmDelete) {
    await deleteVerifiedOriginals(config, ports, inventory.tables, report);
    report.deletedPartitions = await removeStale(ports.catalog, await survey.plan(await survey.inventory()));
  }
  report.ok =
    report.registered.failed.length === 0 &&
    report.normalized.every((n) => !n.error) &&
    report.deletedFiles.kept.length === 0 &&
    report.deletedPartitions.failed.length === 0;
  return report;
}

/** Lists the silver tables, and compares them with the catalog: repair does both again after each change. */
function surveyOf(config: Config, ports: RepairPorts) {
  const layout = layoutFrom(config.s3_layout);
  const tableLocation = (table: string) => `${ports.store.uri}/${layout.silver}/${table}/`;
  return {
    inventory: () => takeInventory(ports.store, layout.silver),
    plan: (inventory: Inventory) =>
      planRepair(
        inventory.tables,
        ports.catalog,
        config.catalog.silver_database!,
        ports.keyOfLocation,
        tableLocation,
      ),
  };
}

/** The inventory as it will be after normalizing: every copy the plan's `season=/asof=` files will get. */
async function withPlannedCopies(
  config: Config,
  store: ObjectStore,
  plan: RepairPlan,
  inventory: Inventory,
): Promise<Inventory> {
  const tables = new Map(inventory.tables);
  for (const { table, files } of plan.normalize) {
    if (!config.audit.tables[table]?.key) continue;
    const have = new Set((tables.get(table) ?? []).map((f) => f.key));
    const copies: LakeFile[] = [];
    for (const file of files)
      copies.push(...(await plannedCopies(store, file)).filter((c) => !have.has(c.key)));
    tables.set(table, [...(tables.get(table) ?? []), ...copies]);
  }
  return { ...inventory, tables };
}

/** Copies the rows of every `season=/asof=` file into `season=/date=`; a table without a key in the config cannot. */
async function normalizeAll(
  config: Config,
  ports: RepairPorts,
  plan: RepairPlan,
  inventory: Inventory,
): Promise<NormalizedFile[]> {
  const normalized: NormalizedFile[] = [];
  for (const { table, files } of plan.normalize) {
    const key = config.audit.tables[table]?.key;
    if (!key) {
      const error = `no key for ${table} in config.yaml: cannot tell which rows are already there`;
      normalized.push(
        ...files.map((f) => ({
          table,
          source: f.key,
          rows: 0,
          copied: 0,
          alreadyPresent: 0,
          written: [],
          error,
        })),
      );
      continue;
    }
    for (const file of files) {
      const result = await normalizeFile(ports.store, table, file, key, inventory.tables.get(table) ?? []);
      ports.logger.info(
        `normalize ${file.key}: ${result.copied} rows copied, ${result.alreadyPresent} already in season=/date=${result.error ? `, FAILED: ${result.error}` : ''}`,
      );
      normalized.push(result);
    }
  }
  return normalized;
}

/** Registers every partition the plan found in storage and not in the catalog. */
async function registerMissing(catalog: Catalog, plan: RepairPlan): Promise<RepairReport['registered']> {
  const registered: RepairReport['registered'] = { done: 0, failed: [] };
  for (const { comparison, partitions } of plan.register) {
    const result = await catalog.createPartitions(comparison.catalogTable, partitions);
    registered.done += result.done;
    registered.failed.push(...result.failed.map((f) => ({ table: comparison.table, ...f })));
  }
  return registered;
}

/** Removes the catalog partitions that have no data (only ever with --confirm-delete). */
async function removeStale(catalog: Catalog, plan: RepairPlan): Promise<RepairReport['deletedPartitions']> {
  const deleted: RepairReport['deletedPartitions'] = { done: 0, failed: [] };
  for (const c of plan.stale) {
    const result = await catalog.deletePartitions(
      c.catalogTable,
      c.stale.map((s) => s.values),
    );
    deleted.done += result.done;
    deleted.failed.push(...result.failed.map((f) => ({ table: c.table, ...f })));
  }
  return deleted;
}

/** Deletes a normalized original only when every one of its keys is read back from `season=/date=` files. */
async function deleteVerifiedOriginals(
  config: Config,
  ports: RepairPorts,
  tables: ReadonlyMap<string, LakeFile[]>,
  report: RepairReport,
): Promise<void> {
  for (const n of report.normalized) {
    if (n.error) {
      report.deletedFiles.kept.push({ key: n.source, reason: `not normalized: ${n.error}` });
      continue;
    }
    const table = n.table;
    const files = tables.get(table) ?? [];
    const source = files.find((f) => f.key === n.source);
    const key = config.audit.tables[table]?.key;
    if (!source || !key) continue;
    const wanted = await keysIn(ports.store, [source], key);
    const seasonPrefix = n.source.slice(0, n.source.indexOf('/asof='));
    const copies = files.filter((f) => f.key.startsWith(`${seasonPrefix}/date=`));
    const present = await keysIn(ports.store, copies, key);
    const lost = [...wanted].filter((k) => !present.has(k));
    if (lost.length > 0) {
      report.deletedFiles.kept.push({
        key: n.source,
        reason: `${lost.length} of its ${wanted.size} keys are not in season=/date= yet`,
      });
      continue;
    }
    await ports.store.delete(n.source);
    report.deletedFiles.done.push(n.source);
    ports.logger.info(`deleted ${n.source}: all ${wanted.size} keys read back from its copies`);
  }
}

function describePlan(plan: RepairPlan, options: RepairOptions): RepairReport['plan'] {
  return {
    register: plan.register.map((r) => ({
      table: r.comparison.table,
      partitions: r.partitions.map((p) => p.values),
    })),
    stale: plan.stale.map((s) => ({ table: s.table, partitions: s.stale.map((p) => p.values) })),
    normalize: options.normalize
      ? plan.normalize.map((n) => ({ table: n.table, files: n.files.map((f) => f.key) }))
      : [],
    uncatalogued: plan.uncatalogued,
  };
}
