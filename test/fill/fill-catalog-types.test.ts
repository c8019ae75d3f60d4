import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GlueColumn } from '../../src/catalog/glue-shapes.js';
import type { FillOutcome } from '../../src/commands/fill.js';
import { silverKey, layoutFrom } from '../../src/layout/keys.js';
import { openDuckDbReader } from '../helpers/duckdb-read.js';
import { cli, fastRetryConfig, playsFill } from '../helpers/fill-env.js';
import { leagueOf, missingPlays, tempLake } from '../helpers/lakes.js';
import { startFakeCbbdApi, type FakeCbbdApi } from '../fakes/cbbd-api.js';

const LAKE = {
  seasons: [2025],
  gamesPerSeason: 12,
  playsPerGame: [20, 30] as [number, number],
  gaps: missingPlays(0.5),
};
const layout = layoutFrom({
  raw_prefix: 'raw',
  bronze_prefix: 'bronze',
  silver_prefix: 'silver',
  deadletter_prefix: 'deadletter',
});

/** Sets the columns the local catalog declares for cbbd_silver.fct_plays (the demo lake declares none). */
async function declarePlaysColumns(root: string, columns: GlueColumn[]): Promise<void> {
  const file = path.join(root, '_catalog', 'cbbd_silver', 'fct_plays.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as {
    Table: { StorageDescriptor: { Columns: GlueColumn[] } };
  };
  doc.Table.StorageDescriptor.Columns = columns;
  await writeFile(file, JSON.stringify(doc));
}

describe("a fill into a file lake follows its local catalog's column types", () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let api: FakeCbbdApi;
  let config: string;
  let missing: number[];
  const fill = () =>
    cli([...playsFill(config, lake.root, '2025'), '--json'], { CBBD_API_KEY: 'k', CBBD_API_URL: api.url });
  const keysUnder = async (prefix: string) => {
    const keys: string[] = [];
    for await (const o of lake.store.list(prefix)) keys.push(o.key);
    return keys;
  };

  beforeAll(async () => {
    api = await startFakeCbbdApi({ ...leagueOf(LAKE), keys: { k: 1000 } });
  });
  afterAll(() => api.close());

  describe('a column declared string', () => {
    beforeAll(async () => {
      lake = await tempLake(LAKE);
      missing = lake.manifest.missing.fct_plays![2025]!;
      config = await fastRetryConfig(lake.root);
      await declarePlaysColumns(lake.root, [
        { Name: 'opponentId', Type: 'string' },
        { Name: 'teamSeed', Type: 'string' },
      ]);
    });
    afterAll(() => lake.cleanup());

    it('is written UTF8 with the text of each value, where the pipeline rule would give INT64', async () => {
      api.reset();
      const run = await fill();
      expect(run.code, run.stderr).toBe(0);
      const outcome = run.json() as FillOutcome;
      expect(outcome.result?.done.sort()).toEqual([...missing].sort());
      const duck = await openDuckDbReader();
      try {
        for (const t of outcome.targets) {
          const file = path.join(
            lake.root,
            silverKey(layout, 'fct_plays', t.season, t.date, { gameId: t.gameId }),
          );
          const schema = new Map(await duck.schema(file));
          expect(schema.get('opponentId'), file).toBe('BYTE_ARRAY/UTF8');
          expect(schema.get('teamSeed')).toBe('BYTE_ARRAY/UTF8');
          expect(schema.get('homeScore')).toBe('INT64'); // not declared: the pipeline's rule
          const rows = await duck.rows(file);
          expect(rows.every((r) => typeof r.opponentId === 'string' && /^\d+$/.test(r.opponentId))).toBe(
            true,
          );
        }
      } finally {
        duck.close();
      }
    });
  });

  describe('a catalog that cannot be read', () => {
    beforeAll(async () => {
      lake = await tempLake(LAKE);
      config = await fastRetryConfig(lake.root);
      await writeFile(path.join(lake.root, '_catalog', 'cbbd_silver', 'fct_plays.json'), '{ not json');
    });
    afterAll(() => lake.cleanup());

    it('stops the fill before its first call, naming the table', async () => {
      api.reset();
      const run = await fill();
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(
        /local catalog could not be read for the column types of cbbd_silver\.fct_plays .*; nothing was fetched/,
      );
      expect(api.log).toHaveLength(0);
      expect(await keysUnder('raw/')).toEqual([]);
    });
  });

  describe('a value the declared type cannot hold', () => {
    beforeAll(async () => {
      lake = await tempLake(LAKE);
      missing = lake.manifest.missing.fct_plays![2025]!;
      config = await fastRetryConfig(lake.root);
      // Every play's text is words: a bigint column cannot hold it.
      await declarePlaysColumns(lake.root, [{ Name: 'playText', Type: 'bigint' }]);
    });
    afterAll(() => lake.cleanup());

    it('fails each game as schema_conflict after its one call, and writes nothing', async () => {
      api.reset();
      const run = await fill();
      expect(run.code).toBe(1);
      const outcome = run.json() as FillOutcome;
      expect(outcome.result?.done).toEqual([]);
      expect(outcome.result?.failed.map((f) => f.gameId).sort()).toEqual([...missing].sort());
      for (const f of outcome.result!.failed)
        expect(f.reason).toMatch(
          /^schema_conflict: cbbd_silver\.fct_plays\.playText is declared bigint in the catalog and cannot hold '.+' without loss$/,
        );
      for (const id of missing) expect(api.callsFor('plays_game', id), `game ${id}`).toBe(1);
      expect(api.log).toHaveLength(missing.length);
      expect(await keysUnder('raw/')).toEqual([]);
      expect(await keysUnder('bronze/')).toEqual([]);
      const silver = await keysUnder('silver/fct_plays/');
      for (const t of outcome.targets)
        expect(silver).not.toContain(silverKey(layout, 'fct_plays', t.season, t.date, { gameId: t.gameId }));
    });
  });
});
