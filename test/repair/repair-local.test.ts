import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/audit/catalog-checks.js';
import { takeInventory } from '../../src/audit/inventory.js';
import { runAudit } from '../../src/audit/run-audit.js';
import type { AuditResult } from '../../src/audit/types.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { createLocalCatalog } from '../../src/catalog/local-catalog.js';
import { locationMapper } from '../../src/commands/ports.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { keysIn } from '../../src/repair/normalize.js';
import { runRepair, type RepairOptions } from '../../src/repair/apply.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig, SMALL_LAKE, tempLake } from '../helpers/lakes.js';

const config = shippedConfig();
const PLAN: RepairOptions = { apply: false, normalize: false, confirmDelete: false };

describe('repair on a file lake with a local catalog', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let catalog: Catalog;
  const audit = async (): Promise<AuditResult> =>
    runAudit(
      { config, seasons: lake.manifest.seasons },
      {
        store: lake.store,
        engine: createScanEngine(lake.store, { concurrency: 8 }),
        logger: createMemoryLogger(),
        now: () => new Date(0),
        catalogCheck: (tables) =>
          checkCatalog(tables, catalog, 'cbbd_silver', locationMapper(lake.store, config)),
      },
    );
  const repair = (options: Partial<RepairOptions>) =>
    runRepair(
      config,
      { ...PLAN, ...options },
      {
        store: lake.store,
        catalog,
        logger: createMemoryLogger(),
        keyOfLocation: locationMapper(lake.store, config),
      },
    );
  const gap = (r: AuditResult, key: string) => r.gaps.find((g) => g.key === key);
  const catalogFile = () =>
    readFile(path.join(lake.root, '_catalog', 'cbbd_silver', 'fct_plays.json'), 'utf8');
  const listing = async () => {
    const keys: string[] = [];
    for await (const o of lake.store.list('')) keys.push(`${o.key}:${o.size}`);
    return keys;
  };

  beforeAll(async () => {
    // The generator leaves the newest three date partitions of fct_plays out of the catalog; add one without data.
    lake = await tempLake({ ...SMALL_LAKE, gaps: { ...SMALL_LAKE.gaps, uncataloguedPartitions: 3 } });
    catalog = createLocalCatalog(lake.root);
    const table = (await catalog.getTable('cbbd_silver', 'fct_plays'))!;
    const added = await catalog.createPartitions(table, [
      { values: ['2026', '2026-07-04'], location: `${table.location}season=2026/date=2026-07-04/` },
    ]);
    expect(added).toEqual({ done: 1, failed: [] });
  });
  afterAll(() => lake.cleanup());

  it('the audit reports the 3 missing and the 1 stale partition', async () => {
    const r = await audit();
    expect(gap(r, 'catalog_missing_partition:fct_plays')).toMatchObject({
      count: 3,
      partitions: lake.manifest.uncataloguedPartitions.map((p) => p.values),
    });
    expect(gap(r, 'catalog_stale_partition:fct_plays')).toMatchObject({
      count: 1,
      partitions: [['2026', '2026-07-04']],
    });
    expect(r.notes.join(' ')).toMatch(
      /no local catalog entry in cbbd_silver for dim_conferences.*catalog checks skipped/,
    );
  });

  it('without --apply, repair plans and changes nothing', async () => {
    const [catalogBefore, filesBefore] = [await catalogFile(), await listing()];
    const report = await repair({});
    expect(report.plan.register).toEqual([
      { table: 'fct_plays', partitions: lake.manifest.uncataloguedPartitions.map((p) => p.values) },
    ]);
    expect(report.plan.stale).toEqual([{ table: 'fct_plays', partitions: [['2026', '2026-07-04']] }]);
    expect(report.registered.done).toBe(0);
    expect(await catalogFile()).toBe(catalogBefore);
    expect(await listing()).toEqual(filesBefore);
  });

  it('--apply registers the three and keeps the stale one; the next audit has no missing partition', async () => {
    const report = await repair({ apply: true });
    expect(report.registered).toEqual({ done: 3, failed: [] });
    expect(report.deletedPartitions.done).toBe(0);
    expect(report.ok).toBe(true);
    const r = await audit();
    expect(gap(r, 'catalog_missing_partition:fct_plays')).toBeUndefined();
    expect(gap(r, 'catalog_stale_partition:fct_plays')?.count).toBe(1);
  });

  it('--normalize --apply copies the asof rows and leaves the originals; --confirm-delete removes them with no row lost', async () => {
    const gamesFiles = async () => (await takeInventory(lake.store, 'silver')).tables.get('fct_games')!;
    const asof = (await gamesFiles()).filter((f) => f.shape === 'season/asof');
    expect(asof).toHaveLength(1);
    const before = await audit();
    const rowsBefore = before.tables.find((t) => t.table === 'fct_games')!.rows;
    const idsBefore = await keysIn(lake.store, await gamesFiles(), ['gameId']);
    expect(idsBefore.size).toBe(rowsBefore);

    const copied = await repair({ apply: true, normalize: true });
    expect(copied.normalized).toMatchObject([{ source: asof[0]!.key, alreadyPresent: 0 }]);
    expect(copied.normalized[0]!.copied).toBeGreaterThan(0);
    expect(await lake.store.head(asof[0]!.key)).toBeDefined();
    expect(
      gap(await audit(), `mixed_partition_layout:fct_games:${lake.manifest.mixedLayout[0]!.season}`),
    ).toBeDefined();

    const deleted = await repair({ apply: true, normalize: true, confirmDelete: true });
    expect(deleted.deletedFiles).toEqual({ done: [asof[0]!.key], kept: [] });
    expect(deleted.normalized[0]).toMatchObject({ copied: 0, alreadyPresent: copied.normalized[0]!.copied });
    expect(await lake.store.head(asof[0]!.key)).toBeUndefined();

    const after = await audit();
    expect(after.gaps.filter((g) => g.kind === 'mixed_partition_layout')).toEqual([]);
    expect(after.gaps.filter((g) => g.table === 'fct_games' && g.kind === 'duplicates')).toEqual([]);
    expect(after.tables.find((t) => t.table === 'fct_games')!.rows).toBe(rowsBefore);
    expect(await keysIn(lake.store, await gamesFiles(), ['gameId'])).toEqual(idsBefore);
    // The copies' new date partitions were registered; the stale partition went with --confirm-delete.
    expect(gap(after, 'catalog_missing_partition:fct_games')).toBeUndefined();
    expect(gap(after, 'catalog_stale_partition:fct_plays')).toBeUndefined();
    expect(deleted.deletedPartitions.done).toBe(1);
  });
});
