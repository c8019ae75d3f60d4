import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import type { AuditResult } from '../../src/audit/types.js';
import type { Config } from '../../src/config/schema.js';
import { createScanEngine } from '../../src/engine/scan-engine.js';
import { remedy } from '../../src/report/fill-hint.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { onlyGaps, shippedConfig, tempLake } from '../helpers/lakes.js';

describe('tables the pipeline fetches, and tables it does not', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  const audit = (config: Config): Promise<AuditResult> =>
    runAudit(
      { config, seasons: lake.manifest.seasons },
      {
        store: lake.store,
        engine: createScanEngine(lake.store, { concurrency: 4 }),
        logger: createMemoryLogger(),
        now: () => new Date('2026-11-21T00:00:00Z'),
      },
    );
  beforeAll(async () => {
    lake = await tempLake({
      seasons: [2024, 2025],
      gamesPerSeason: 8,
      playsPerGame: [5, 8],
      gaps: onlyGaps({}),
    });
  });
  afterAll(() => lake.cleanup());

  it('keeps an empty table whose endpoint is fetched a gap, and names that endpoint in its advice', async () => {
    const result = await audit(shippedConfig());
    const gap = result.gaps.find((g) => g.key === 'empty_table:fct_team_season_shooting')!;
    expect(gap.endpoint).toBe('stats_team_shooting_season');
    expect(remedy(gap)).toContain('`stats_team_shooting_season`');
    expect(remedy(gap)).not.toContain('cbbd_etl backfill');
    const players = result.gaps.find((g) => g.key === 'empty_table:fct_player_season_shooting')!;
    expect(remedy(players)).toContain('`stats_player_shooting_season`');
  });

  it('reports a table whose endpoint is in skip_endpoints as info, never as a gap', async () => {
    const config = shippedConfig();
    config.skip_endpoints = [...(config.skip_endpoints ?? []), 'stats_team_shooting_season'];
    const result = await audit(config);
    expect(result.gaps.filter((g) => g.table === 'fct_team_season_shooting')).toEqual([]);
    expect(result.notes).toContain(
      'info: fct_team_season_shooting is not fetched by the pipeline (its endpoint stats_team_shooting_season is in skip_endpoints): its missing data is not a gap',
    );
    const table = result.tables.find((t) => t.table === 'fct_team_season_shooting')!;
    expect(table.status).toBe('PASS');
    expect(table.issues).toEqual(['not fetched by the pipeline']);
  });

  it('reports a configured table that no endpoint writes as info, never as a gap', async () => {
    const config = shippedConfig();
    config.audit.tables.fct_custom = { key: ['id'] } as Config['audit']['tables'][string];
    const result = await audit(config);
    expect(result.gaps.filter((g) => g.table === 'fct_custom')).toEqual([]);
    expect(
      result.notes.some((n) => n.startsWith('info: fct_custom is not fetched by the pipeline (no endpoint')),
    ).toBe(true);
  });
});
