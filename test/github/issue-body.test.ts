import { describe, expect, it } from 'vitest';
import type { Gap } from '../../src/audit/types.js';
import {
  issueBody,
  issueLabels,
  issueTitle,
  MAX_ISSUE_BODY,
  renderIssue,
} from '../../src/github/issue-body.js';
import { parseMarker } from '../../src/github/marker.js';
import { missingChildren, otherGap } from './helpers.js';

describe('issueTitle', () => {
  it.each<[Gap, string]>([
    [missingChildren('fct_plays', 2024, 25), 'Data gap: fct_plays 2024 — 25 games without play-by-play'],
    [
      missingChildren('fct_substitutions', 2025, 1),
      'Data gap: fct_substitutions 2025 — 1 game without substitutions',
    ],
    [
      missingChildren('fct_custom', 2025, 1_234),
      'Data gap: fct_custom 2025 — 1,234 games without fct_custom rows',
    ],
    [otherGap('missing_season', 'fct_lines', 2019), 'Data gap: fct_lines 2019 — no rows for the season'],
    [otherGap('empty_table', 'fct_rankings'), 'Data gap: fct_rankings — the table is empty'],
    [
      otherGap('duplicates', 'fct_plays', 2023, { count: 12 }),
      'Data gap: fct_plays 2023 — 12 duplicate rows',
    ],
    [
      otherGap('unreadable_file', 'fct_plays', 2022, { count: 2 }),
      'Data gap: fct_plays 2022 — 2 unreadable files',
    ],
    [
      otherGap('catalog_missing_partition', 'fct_games', undefined, { count: 150 }),
      'Data gap: fct_games — 150 partitions missing from the catalog',
    ],
  ])('%#: %s', (gap, title) => {
    expect(issueTitle(gap)).toBe(title);
  });
});

describe('issueLabels', () => {
  it('names the audit label, the table and the season when there is one', () => {
    expect(issueLabels(missingChildren('fct_plays', 2024, 3))).toEqual([
      'data-gap',
      'table:fct_plays',
      'season:2024',
    ]);
    expect(issueLabels(otherGap('empty_table', 'fct_lines'), 'gap')).toEqual(['gap', 'table:fct_lines']);
  });
});

describe('issueBody', () => {
  it('starts with the marker and says what is wrong, the ids, and how to fill it', () => {
    const gap = missingChildren('fct_plays', 2024, 12);
    const body = issueBody(gap);
    expect(parseMarker(body)).toEqual({
      key: 'missing_children:fct_plays:2024',
      kind: 'missing_children',
      table: 'fct_plays',
      season: 2024,
      endpoint: 'plays_game',
    });
    expect(body.startsWith('<!-- cbbd-gap-bot ')).toBe(true);
    expect(body).toContain('**fct_plays, season 2024: 12 games without play-by-play.**');
    expect(body).toContain('12 of 5,000 fct_games games in 2024 have no fct_plays rows');
    expect(body).toContain('### Game ids (12)');
    expect(body).toContain(
      '401000, 401001, 401002, 401003, 401004, 401005, 401006, 401007, 401008, 401009,\n401010, 401011\n',
    );
    expect(body).toContain('Add the label `fill`');
    expect(body).toContain('cbbd-gap-bot fill --endpoint plays_game --seasons 2024');
    expect(body).not.toContain('Showing the first');
  });

  it('is the same for the same gap: no timestamps', () => {
    expect(renderIssue(missingChildren('fct_plays', 2024, 30))).toEqual(
      renderIssue(missingChildren('fct_plays', 2024, 30)),
    );
    expect(issueBody(missingChildren('fct_plays', 2024, 30))).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('cuts 20,000 ids to fit well under 65,536 characters and points to the report for the rest', () => {
    const body = issueBody(missingChildren('fct_plays', 2024, 20_000));
    expect(body.length).toBeLessThanOrEqual(MAX_ISSUE_BODY);
    expect([...body].length).toBeLessThan(65_536);
    expect(body).toContain('### Game ids (20,000)');
    const shown = /Showing the first ([\d,]+) of 20,000/.exec(body);
    expect(Number(shown?.[1]?.replace(/,/g, ''))).toBeGreaterThan(5_000);
    expect(body).toContain('`reports/data_audit.json` (the gap with key `missing_children:fct_plays:2024`)');
    expect(body).toContain('`reports/data_audit.md`');
    expect(body).toContain('401000, 401001');
    expect(body).not.toContain('420999');
    expect(body).toContain('cbbd-gap-bot fill --endpoint plays_game --seasons 2024');
  });

  it('tells what the other kinds need, with no fill label offered', () => {
    const body = issueBody(
      otherGap('catalog_missing_partition', 'fct_games', undefined, {
        count: 2,
        partitions: [
          ['2024', '2024-01-02'],
          ['2024', '2024-01-03'],
        ],
      }),
    );
    expect(body).toContain('### Partitions (2)');
    expect(body).toContain('2024/2024-01-02\n2024/2024-01-03');
    expect(body).toContain('### What it needs');
    expect(body).toContain('`cbbd-gap-bot repair --apply` registers them');
    expect(body).not.toContain('label `fill`');
  });

  it('lists files in a fence no path can close', () => {
    const body = issueBody(
      otherGap('unreadable_file', 'fct_plays', 2022, {
        count: 1,
        files: ['silver/fct_plays/```weird.parquet'],
      }),
    );
    expect(body).toContain('````text\nsilver/fct_plays/```weird.parquet\n````');
  });
});
