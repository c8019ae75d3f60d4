import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult, Gap } from '../../src/audit/types.js';
import type { GlueColumn } from '../../src/catalog/glue-shapes.js';
import { syntheticGames, syntheticPlays } from '../../src/demo/synthetic-api.js';
import { tableRules } from '../../src/fill/column-rules.js';
import { silverTable } from '../../src/fill/write-game.js';
import { writeParquet } from '../../src/parquet/write.js';
import { cli } from '../helpers/fill-env.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';

const LAKE = {
  seasons: [2024, 2025],
  gamesPerSeason: 12,
  playsPerGame: [20, 30] as [number, number],
  gaps: onlyGaps({}),
};

/** A fct_plays file as a fill writes it for a game's plays, with `change` applied to every play first. */
function playsFile(
  change: (play: Record<string, unknown>) => Record<string, unknown> = (p) => p,
): Uint8Array {
  const game = syntheticGames(7, 2025, 12)[3]!;
  const plays = syntheticPlays(7, game, 25).map((p) => change({ ...p }));
  const t = silverTable('plays_game', plays, ['id'], tableRules('silver', 'cbbd_silver', 'fct_plays'));
  return writeParquet(t.columns, t.rows);
}

describe('the scan audit checks column types from the footers it reads', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  const audit = async (engine = 'scan') => {
    const run = await cli(
      [
        'audit',
        '--lake',
        lake.root,
        '--seasons',
        '2024-2025',
        '--engine',
        engine,
        '--out',
        path.join(lake.root, 'reports'),
        '--json',
      ],
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    return run.json() as AuditResult;
  };
  const drift = (r: AuditResult) => r.gaps.filter((g) => g.kind === 'schema_drift');
  const declare = async (table: string, columns: GlueColumn[]) => {
    const file = path.join(lake.root, '_catalog', 'cbbd_silver', `${table}.json`);
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      Table: { StorageDescriptor: { Columns: GlueColumn[] } };
    };
    doc.Table.StorageDescriptor.Columns = columns;
    await writeFile(file, JSON.stringify(doc));
  };

  beforeAll(async () => {
    lake = await tempLake(LAKE);
  });
  afterAll(() => lake.cleanup());

  const plantedSeed = 'silver/fct_plays/season=2025/date=2025-03-20/part-tourney1.parquet';
  const plantedPlays = 'silver/fct_substitutions/season=2025/date=2025-03-20/part-gapfill1.parquet';

  it('says nothing on a lake whose files agree', async () => {
    const result = await audit();
    expect(drift(result)).toEqual([]);
    expect(result.notes.filter((n) => n.includes('schema_drift'))).toEqual([]);
  });

  it('finds one INT64 teamSeed file among UTF8 ones, and a plays-shaped file under fct_substitutions', async () => {
    // Every generated plays file, one a game: regular-season games, seeds null, so UTF8.
    const utf8Files = LAKE.seasons.length * LAKE.gamesPerSeason;
    // A tournament game: the API sends seeds as numbers, so the pipeline's rule types them INT64.
    await lake.store.putIfAbsent(
      plantedSeed,
      playsFile((p) => ({ ...p, teamSeed: 5, opponentSeed: 12 })),
    );
    // The pipeline's gap_fill.py run for substitutions_game: /plays/game answers written under fct_substitutions.
    await lake.store.putIfAbsent(plantedPlays, playsFile());
    const gaps = drift(await audit());
    expect(gaps.map((g) => g.key)).toEqual(['schema_drift:fct_plays', 'schema_drift:fct_substitutions']);
    const [plays, subs] = gaps as [Gap, Gap];
    expect(plays).toMatchObject({
      table: 'fct_plays',
      count: 1,
      files: [plantedSeed],
      columns: [
        {
          column: 'opponentSeed',
          types: [
            { type: 'BYTE_ARRAY/UTF8', files: utf8Files },
            { type: 'INT64', files: 1 },
          ],
        },
        {
          column: 'teamSeed',
          types: [
            { type: 'BYTE_ARRAY/UTF8', files: utf8Files },
            { type: 'INT64', files: 1 },
          ],
        },
      ],
    });
    expect(plays.detail).toBe(
      `opponentSeed: BYTE_ARRAY/UTF8 in ${utf8Files} files, INT64 in 1 file; teamSeed: BYTE_ARRAY/UTF8 in ${utf8Files} files, INT64 in 1 file`,
    );
    expect(subs).toMatchObject({
      table: 'fct_substitutions',
      count: 1,
      files: [plantedPlays],
      foreign: [{ table: 'fct_plays', files: 1 }],
    });
    expect(subs.columns).toBeUndefined();
    expect(subs.detail).toMatch(/^1 file has the columns of fct_plays, not of fct_substitutions/);
  });

  it('names the files whose type the catalog does not declare: every UTF8 one under bigint, up to 20', async () => {
    await declare('fct_plays', [
      { Name: 'teamSeed', Type: 'bigint' },
      { Name: 'opponentSeed', Type: 'string' },
    ]);
    const [plays] = drift(await audit());
    const utf8 = plays!
      .columns!.find((c) => c.column === 'teamSeed')!
      .types.find((t) => t.type === 'BYTE_ARRAY/UTF8')!.files;
    expect(plays!.count).toBe(utf8 + 1); // the UTF8 files cannot be read as bigint, the planted one as string
    expect(utf8 + 1).toBeGreaterThan(20);
    expect(plays!.files).toHaveLength(20);
    expect(plays!.files).toContain(plantedSeed);
    expect(plays!.columns).toEqual([
      {
        column: 'opponentSeed',
        declared: 'string',
        types: [
          { type: 'BYTE_ARRAY/UTF8', files: utf8 },
          { type: 'INT64', files: 1 },
        ],
      },
      {
        column: 'teamSeed',
        declared: 'bigint',
        types: [
          { type: 'BYTE_ARRAY/UTF8', files: utf8 },
          { type: 'INT64', files: 1 },
        ],
      },
    ]);
    expect(plays!.detail).toContain('teamSeed: BYTE_ARRAY/UTF8 in');
    expect(plays!.detail).toContain(
      'the catalog declares bigint, which Athena cannot read from BYTE_ARRAY/UTF8',
    );
  });

  it('another engine reports that the check was not run, and finds no schema_drift', async () => {
    const result = await audit('duckdb');
    expect(drift(result)).toEqual([]);
    expect(result.notes).toContain(
      'schema_drift not checked: the duckdb engine reads no Parquet footers (audit with --engine scan to check column types)',
    );
  });
});
