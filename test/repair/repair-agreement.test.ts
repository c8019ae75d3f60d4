import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import { repairText } from '../../src/commands/repair.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { remedy } from '../../src/report/fill-hint.js';
import { createLocalCatalog } from '../../src/catalog/local-catalog.js';
import { locationMapper } from '../../src/commands/ports.js';
import { runRepair, type RepairOptions, type RepairReport } from '../../src/repair/apply.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig, SMALL_LAKE, tempLake } from '../helpers/lakes.js';

const config = shippedConfig();
const count = (list: RepairReport['plan']['register']) => list.reduce((a, r) => a + r.partitions.length, 0);

describe('repair: the plan says what --apply does', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let applied: RepairReport;
  const repair = (options: Partial<RepairOptions>) =>
    runRepair(
      config,
      { apply: false, normalize: false, confirmDelete: false, ...options },
      {
        store: lake.store,
        catalog: createLocalCatalog(lake.root),
        logger: createMemoryLogger(),
        keyOfLocation: locationMapper(lake.store, config),
      },
    );
  beforeAll(async () => {
    // Three fct_plays partitions left out of the catalog, and a season of fct_games under season=/asof=.
    lake = await tempLake({ ...SMALL_LAKE, gaps: { ...SMALL_LAKE.gaps, uncataloguedPartitions: 3 } });
  });
  afterAll(() => lake.cleanup());

  it('--normalize plans the partitions its copies add, and --apply registers exactly those', async () => {
    const plan = await repair({ normalize: true });
    const planned = count(plan.plan.register);
    // More than the three already missing: the copies' date partitions of fct_games are counted too.
    expect(plan.plan.register.map((r) => r.table).sort()).toEqual(['fct_games', 'fct_plays']);
    expect(planned).toBeGreaterThan(3);

    applied = await repair({ apply: true, normalize: true });
    expect(applied.plan).toEqual(plan.plan);
    expect(applied.registered).toEqual({ done: planned, failed: [] });
    expect(applied.normalized.map((n) => n.source)).toEqual(plan.plan.normalize.flatMap((n) => n.files));
    const written = new Set(applied.normalized.flatMap((n) => n.written.map((k) => k.split('/')[3])));
    expect(plan.plan.register.find((r) => r.table === 'fct_games')!.partitions.length).toBe(written.size);
  });

  it('between the steps the audit shows what the advice said it would, and repair says what comes next', async () => {
    const season = lake.manifest.mixedLayout[0]!.season;
    const result = await runAudit(
      { config, seasons: lake.manifest.seasons },
      {
        store: lake.store,
        engine: createScanEngine(lake.store, { concurrency: 4 }),
        logger: createMemoryLogger(),
        now: () => new Date(0),
      },
    );
    const layout = result.gaps.find((g) => g.key === `mixed_partition_layout:fct_games:${season}`)!;
    expect(result.gaps.map((g) => g.key)).toContain(`duplicates:fct_games:${season}`);
    const advice = remedy(layout);
    for (const step of [
      'repair --normalize`',
      'repair --normalize --apply`',
      '--confirm-delete`',
      '`duplicates`',
    ])
      expect(advice).toContain(step);
    expect(repairText(applied)).toContain('next: the originals are still there');
  });

  it('a second plan has nothing left to register', async () => {
    const again = await repair({ normalize: true });
    expect(count(again.plan.register)).toBe(0);
  });
});
