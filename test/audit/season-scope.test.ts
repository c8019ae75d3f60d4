import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { cli } from '../helpers/fill-env.js';
import { onlyGaps, tempLake } from '../helpers/lakes.js';

/** Seasons before substitutions and lineups exist (2024) and one after, some plays missing in each. */
const LAKE = {
  seasons: [2016, 2017, 2024, 2025],
  gamesPerSeason: 8,
  playsPerGame: [2, 3] as [number, number],
  gaps: onlyGaps({ missingShare: { fct_plays: 0.25, fct_substitutions: 0.25, fct_lineups: 0.25 } }),
};

describe('an audit acts only within the seasons it audited', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  const audit = async (seasons: string, out: string) => {
    const run = await cli(['audit', '--lake', lake.root, '--seasons', seasons, '--out', out, '--json'], {});
    expect(run.code, run.stderr).toBe(0);
    return run.json() as AuditResult;
  };
  beforeAll(async () => {
    lake = await tempLake(LAKE);
  });
  afterAll(() => lake.cleanup());

  it('2016-2017: no empty_table for tables whose first season is 2024, and no gap of another season', async () => {
    const result = await audit('2016-2017', path.join(lake.root, 'r1'));
    const keys = result.gaps.map((g) => g.key);
    expect(keys).not.toContain('empty_table:fct_substitutions');
    expect(keys).not.toContain('empty_table:fct_lineups');
    expect(result.gaps.filter((g) => g.season !== undefined && g.season > 2017)).toEqual([]);
    expect(result.scope).toEqual({ seasons: [2016, 2017], full: false });
  });

  it('2024: every gap with a season is of 2024', async () => {
    const result = await audit('2024', path.join(lake.root, 'r2'));
    expect(result.gaps.some((g) => g.key === 'missing_children:fct_plays:2024')).toBe(true);
    expect(result.gaps.filter((g) => g.season !== undefined && g.season !== 2024)).toEqual([]);
  });

  it('an audit of 2016-2017 over a report of 2024-2025 closes none of the later seasons’ gaps', async () => {
    const out = path.join(lake.root, 'r3');
    const later = await audit('2024-2025', out);
    expect(later.gaps.length).toBeGreaterThan(0);
    const earlier = await audit('2016-2017', out);
    expect(earlier.diff?.closedGaps).toEqual([]);
    expect(JSON.parse(await readFile(path.join(out, 'data_audit.json'), 'utf8')).diff.closedGaps).toEqual([]);
  });

  it('a season-less gap of the last report is not closed by a partial audit', async () => {
    const out = path.join(lake.root, 'r4');
    await mkdir(out, { recursive: true });
    const previous = await audit('2024', path.join(lake.root, 'r5'));
    previous.gaps.push({ ...previous.gaps[0]!, key: 'mixed_partition_layout:fct_games', season: undefined });
    await writeFile(path.join(out, 'data_audit.json'), JSON.stringify(previous));
    const again = await audit('2024', out);
    expect(again.diff?.closedGaps).not.toContain('mixed_partition_layout:fct_games');
  });
});

describe('a key column missing from a table’s files', () => {
  it('is a WARN finding on that table, naming the column, not a note at the bottom', async () => {
    const lake = await tempLake({ ...LAKE, seasons: [2024] });
    try {
      const config = path.join(lake.root, 'config.yaml');
      await writeFile(
        config,
        'bucket: hoops-edge\nseasons: {start: 2010, end: 2026}\naudit:\n  tables:\n    fct_plays: {key: [idd]}\n',
      );
      const out = path.join(lake.root, 'r');
      const run = await cli(['audit', '--config', config, '--lake', lake.root, '--out', out, '--json'], {});
      expect(run.code, run.stderr).toBe(0);
      const result = run.json() as AuditResult;
      const plays = result.tables.find((t) => t.table === 'fct_plays')!;
      expect(plays.status).not.toBe('PASS');
      expect(plays.issues[0]).toMatch(/^duplicates not counted: key column idd not found/);
      expect(result.notes.join('\n')).not.toContain('duplicates not counted');
    } finally {
      await lake.cleanup();
    }
  });
});
