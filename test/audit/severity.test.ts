import { describe, expect, it } from 'vitest';
import { gapSeverity, rankGaps, type SeverityContext } from '../../src/audit/severity.js';
import { gapKey, type AuditResult, type Gap, type GapKind } from '../../src/audit/types.js';
import { scorecardText } from '../../src/cli/scorecard.js';
import { renderMarkdown } from '../../src/report/markdown.js';

const ctx: SeverityContext = {
  parents: new Set(['fct_games']),
  coverage: [
    {
      table: 'fct_plays',
      parent: 'fct_games',
      season: 2024,
      parentIds: 100,
      covered: 80,
      knownEmpty: 0,
      missing: 20,
      ratio: 0.8,
    },
    {
      table: 'fct_plays',
      parent: 'fct_games',
      season: 2025,
      parentIds: 100,
      covered: 95,
      knownEmpty: 0,
      missing: 5,
      ratio: 0.95,
    },
  ],
  rowsOf: () => 1000,
  duplicateFailPct: 5,
};

const gap = (kind: GapKind, table: string, season?: number, count = 1): Gap => ({
  key: gapKey(kind, table, season),
  kind,
  table,
  ...(season === undefined ? {} : { season }),
  count,
  ids: [],
  detail: `${kind} ${table}`,
});

describe('gap severity', () => {
  it.each([
    [gap('unreadable_file', 'fct_games', 2024), 'critical'],
    [gap('empty_table', 'fct_games'), 'critical'],
    [gap('unreadable_file', 'fct_plays', 2024), 'high'],
    [gap('missing_children', 'fct_plays', 2024, 20), 'high'],
    [gap('missing_children', 'fct_plays', 2025, 5), 'medium'],
    [gap('catalog_missing_partition', 'fct_plays'), 'high'],
    [gap('duplicates', 'fct_games', 2024, 60), 'high'],
    [gap('duplicates', 'fct_games', 2024, 10), 'medium'],
    [gap('volume_anomaly', 'fct_plays', 2024), 'medium'],
    [gap('mixed_partition_layout', 'fct_games', 2024), 'low'],
    [gap('catalog_stale_partition', 'fct_plays'), 'low'],
  ] as const)('%s is %s', (g, severity) => {
    expect(gapSeverity(g, ctx)).toBe(severity);
  });

  it('orders gaps most serious first, then by kind, table and season', () => {
    const ranked = rankGaps(
      [
        gap('mixed_partition_layout', 'fct_games', 2024),
        gap('missing_children', 'fct_plays', 2025, 5),
        gap('catalog_missing_partition', 'fct_plays'),
        gap('unreadable_file', 'fct_games', 2024),
      ],
      ctx,
    );
    expect(ranked.map((g) => g.key)).toEqual([
      'unreadable_file:fct_games:2024',
      'catalog_missing_partition:fct_plays',
      'missing_children:fct_plays:2025',
      'mixed_partition_layout:fct_games:2024',
    ]);
  });
});

describe('ranked reports', () => {
  const gaps = rankGaps(
    [gap('mixed_partition_layout', 'fct_lines', 2024), gap('unreadable_file', 'fct_games', 2024)],
    ctx,
  );
  const table = (name: string, issues: string[]) => ({
    table: name,
    layer: 'silver' as const,
    kind: 'fact' as const,
    configured: true,
    status: 'WARN' as const,
    rows: 10,
    files: 1,
    columns: 3,
    bySeason: {},
    nullPct: {},
    issues,
  });
  const result: AuditResult = {
    schemaVersion: 1,
    generatedAt: '2026-12-01T00:00:00.000Z',
    lake: 'file:///lake',
    engine: 'scan',
    seasons: [2024, 2024],
    tables: [table('fct_lines', ['a', 'b', 'c', 'd', 'e']), table('fct_games', ['x'])],
    coverage: [],
    gaps,
    notes: [],
  };

  it('puts the table with the critical gap first on the console and says how many issues were cut', () => {
    const text = scorecardText(result);
    expect(text.indexOf('fct_games')).toBeLessThan(text.indexOf('fct_lines'));
    expect(text).toContain('a; b; +3 more');
    expect(text).toContain('2 gaps (1 critical, 1 low)');
  });

  it('orders the markdown scorecard and gaps by severity and says +N more where it cuts', () => {
    const md = renderMarkdown(result);
    const scorecard = md.slice(md.indexOf('## Scorecard'), md.indexOf('## Gaps'));
    expect(scorecard.indexOf('fct_games')).toBeLessThan(scorecard.indexOf('fct_lines'));
    expect(scorecard).toContain('a; b; c; +2 more');
    const gapsPart = md.slice(md.indexOf('## Gaps'));
    expect(gapsPart).toMatch(/\| critical \| `unreadable_file:fct_games:2024`/);
    expect(gapsPart.indexOf('critical')).toBeLessThan(gapsPart.indexOf('| low'));
  });
});

describe('cut lists', () => {
  it('says how many duplicate rows a listed sample of keys leaves out', () => {
    const dup: Gap = {
      ...gap('duplicates', 'fct_games', 2024, 5),
      keys: [
        { key: '1', files: ['a.parquet', 'b.parquet'] },
        { key: '2', files: ['a.parquet', 'b.parquet'] },
      ],
    };
    const md = renderMarkdown({
      schemaVersion: 1,
      generatedAt: '2026-12-01T00:00:00.000Z',
      lake: 'file:///lake',
      engine: 'scan',
      seasons: [2024, 2024],
      tables: [],
      coverage: [],
      gaps: rankGaps([dup], ctx),
      notes: [],
    });
    expect(md).toContain('  - `1` in `a.parquet`, `b.parquet`');
    expect(md).toContain('  - +up to 3 more duplicate rows whose keys are not listed');
  });
});
