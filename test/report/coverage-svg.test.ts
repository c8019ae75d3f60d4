import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { rankGaps } from '../../src/audit/severity.js';
import {
  gapKey,
  type AuditResult,
  type CoverageRow,
  type Gap,
  type TableAudit,
} from '../../src/audit/types.js';
import { renderCoverageSvg } from '../../src/report/coverage-svg.js';

const MARGIN = 60;

const table = (name: string, seasons: number[], rows: number): TableAudit => ({
  table: name,
  layer: 'silver',
  kind: name.startsWith('dim_') ? 'dimension' : 'fact',
  configured: true,
  status: rows > 0 ? 'PASS' : 'FAIL',
  rows: rows * Math.max(1, seasons.length),
  files: seasons.length,
  columns: 5,
  bySeason: name.startsWith('dim_')
    ? {}
    : Object.fromEntries(seasons.map((s) => [String(s), { rows, files: 1, duplicates: 0 }])),
  nullPct: {},
  issues: [],
});

/** An audit of `n` seasons ending 2026: plays coverage falling off, a catalog gap, dimensions; or a lake with nothing. */
function audit(n: number, empty = false): AuditResult {
  const seasons = Array.from({ length: n }, (_, i) => 2026 - n + 1 + i);
  const rows = empty ? 0 : 100;
  const coverage: CoverageRow[] = seasons.map((season, i) => ({
    table: 'fct_plays',
    parent: 'fct_games',
    season,
    parentIds: empty ? 0 : 100,
    covered: empty ? 0 : 100 - i * 5,
    knownEmpty: 0,
    missing: empty ? 0 : i * 5,
    ratio: empty ? 1 : (100 - i * 5) / 100,
  }));
  const gaps: Gap[] = empty
    ? []
    : [
        {
          key: gapKey('catalog_missing_partition', 'fct_games'),
          kind: 'catalog_missing_partition',
          table: 'fct_games',
          count: 1,
          ids: [],
          detail: '1 partition',
          partitions: [[String(seasons[seasons.length - 1]), '2026-03-01']],
        },
        {
          key: gapKey('duplicates', 'fct_lines', seasons[0]),
          kind: 'duplicates',
          table: 'fct_lines',
          season: seasons[0],
          count: 3,
          ids: [],
          detail: '3 duplicates',
        },
        {
          key: gapKey('duplicates', 'dim_teams'),
          kind: 'duplicates',
          table: 'dim_teams',
          count: 2,
          ids: [],
          detail: '2',
        },
      ];
  return {
    schemaVersion: 1,
    generatedAt: '2026-12-01T05:00:00.000Z',
    lake: 's3://hoops-edge-data-lake-production/prefix',
    engine: 'scan',
    seasons: [seasons[0]!, seasons[seasons.length - 1]!],
    tables: [
      table('fct_games', seasons, rows),
      table('fct_plays', seasons, rows),
      table('fct_lines', seasons, rows),
      table('fct_team_season_shooting', seasons, 0),
      table('dim_teams', seasons, rows),
      table('dim_conferences', seasons, rows),
    ],
    coverage,
    gaps: rankGaps(gaps, {
      parents: new Set(['fct_games']),
      coverage,
      rowsOf: () => 100,
      duplicateFailPct: 5,
    }),
    notes: [],
  };
}

/**
 * Renders the picture inside a transparent margin: any pixel drawn in the margin is drawing outside the canvas
 * (a clipped title, a legend running off the edge). Returns those pixels, the PNG, and the dark pixels inside.
 */
function render(svg: string) {
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number) as [number, number, number];
  const padded = svg.replace(
    /width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/,
    `width="${w + 2 * MARGIN}" height="${h + 2 * MARGIN}" viewBox="${-MARGIN} ${-MARGIN} ${w + 2 * MARGIN} ${h + 2 * MARGIN}"`,
  );
  const image = new Resvg(padded, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'rgba(0,0,0,0)',
  }).render();
  const px = image.pixels;
  let outside = 0;
  let dark = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      const inside = x >= MARGIN && x < MARGIN + w && y >= MARGIN && y < MARGIN + h;
      if (!inside && px[i + 3]! > 0) outside++;
      if (inside && px[i]! < 80 && px[i + 1]! < 80 && px[i + 2]! < 80) dark++;
    }
  }
  return { outside, dark, png: image.asPng(), width: w, height: h };
}

describe('coverage.svg', () => {
  it.each([1, 3, 17])('with %i season(s) draws title, grid and legend inside the canvas', async (n) => {
    const svg = renderCoverageSvg(audit(n));
    const r = render(svg);
    await writeFile(path.join(os.tmpdir(), `coverage-${n}.png`), r.png);
    expect(r.dark).toBeGreaterThan(500); // text was drawn: the check is not vacuous
    expect(r.outside).toBe(0);
    expect(r.width).toBeLessThanOrEqual(880);
  });

  it('explains the ! mark and the catalog outline in the legend, and shows dimension tables', () => {
    const svg = renderCoverageSvg(audit(3));
    expect(svg).toContain('other gaps (hover for their kinds)');
    expect(svg).toMatch(/font-size="8" fill="#1f2328">!<\/text>/);
    expect(svg).toContain('partitions Athena cannot see');
    expect(svg).toContain('>dim_teams</text>');
    expect(svg).toContain('! 300 rows (snapshot)');
    // The catalog-invisible season of fct_games is outlined.
    expect(svg).toMatch(/<title>fct_games 2026: [^<]*<\/title><rect [^>]*stroke="#8250df"/);
  });

  it('shows a lake with no data in red, not grey n/a', async () => {
    const svg = renderCoverageSvg(audit(3, true));
    const r = render(svg);
    await writeFile(path.join(os.tmpdir(), 'coverage-empty.png'), r.png);
    expect(r.outside).toBe(0);
    const plays = [...svg.matchAll(/<title>fct_plays \d+: [^<]*<\/title><rect [^>]*fill="(#[0-9a-f]+)"/g)];
    expect(plays.map((m) => m[1])).toEqual(['#cf222e', '#cf222e', '#cf222e']);
  });
});
