import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { cli } from '../helpers/fill-env.js';
import { SMALL_LAKE, tempLake } from '../helpers/lakes.js';

/**
 * The pipeline's own config.yaml: the shipped file without the bot's sections and the bot's one key in `api:`,
 * which is exactly what `cbbd_etl` ships.
 */
const PIPELINE_ONLY = (DEFAULT_CONFIG_YAML.split('\n# ----')[0] as string).replace(
  /\n {2}quota_reserve: .*\n/,
  '\n',
);

describe("the pipeline's config.yaml, unchanged", () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let shipped: string;
  let pipeline: string;

  beforeAll(async () => {
    lake = await tempLake(SMALL_LAKE);
    shipped = path.join(lake.root, 'shipped.yaml');
    pipeline = path.join(lake.root, 'pipeline.yaml');
    await writeFile(shipped, DEFAULT_CONFIG_YAML);
    await writeFile(pipeline, PIPELINE_ONLY);
  });
  afterAll(() => lake.cleanup());

  const audit = async (config: string) => {
    const run = await cli(
      [
        'audit',
        '--config',
        config,
        '--lake',
        lake.root,
        '--seasons',
        '2022-2026',
        '--out',
        path.join(lake.root, 'reports'),
        '--json',
      ],
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    return { result: run.json() as AuditResult, stderr: run.stderr };
  };

  it('has no audit section and loads without a warning', async () => {
    expect(PIPELINE_ONLY).not.toMatch(/^audit:|quota_reserve|^github:/m);
    const { stderr } = await audit(pipeline);
    expect(stderr).not.toMatch(/warning: .*unknown key/);
  });

  it('audits the demo lake with the same tables, coverage and gaps as the shipped config', async () => {
    const fromShipped = (await audit(shipped)).result;
    const fromPipeline = (await audit(pipeline)).result;
    const fillable = fromPipeline.gaps.filter((g) => g.kind === 'missing_children');
    expect(fromPipeline.coverage.length).toBe(5 + 3 + 3); // plays 2022-2026, substitutions and lineups 2024-2026
    expect(fillable.map((g) => g.endpoint).sort()).toEqual(
      expect.arrayContaining(['lineups_game', 'plays_game', 'substitutions_game']),
    );
    expect(fromPipeline.coverage).toEqual(fromShipped.coverage);
    expect(fromPipeline.gaps).toEqual(fromShipped.gaps);
    expect(fromPipeline.tables).toEqual(fromShipped.tables);
  });

  it('plans a fill of plays_game, as with the shipped config', async () => {
    const run = await cli(
      ['plan', '--config', pipeline, '--lake', lake.root, '--endpoint', 'all', '--seasons', '2024', '--json'],
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    const { plans } = run.json() as { plans: { endpoint: string }[] };
    expect(plans.map((p) => p.endpoint).sort()).toEqual(['lineups_game', 'plays_game', 'substitutions_game']);
  });
});
