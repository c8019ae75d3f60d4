import type { AuditResult, TableAudit } from '../audit/types.js';

/** The widest picture GitHub shows unscaled in a markdown file. */
const MAX_WIDTH = 880;
const PAD = 8;
const CELL_H = 22;
/** Average glyph widths (px) of the sans fonts a browser or resvg picks at these sizes, rounded up. */
const CHAR_W = { title: 8.6, label: 7.4, small: 6.9 } as const;

const COLOR = {
  complete: '#2da44e',
  high: '#a6e3a1',
  gaps: '#f2cc60',
  half: '#fb8f44',
  none: '#cf222e',
  na: '#eaeef2',
  invisible: '#8250df',
} as const;

/** The legend: what each colour and mark means, `!` and the catalog outline included. */
const LEGEND: { color: string; text: string; mark?: string; outline?: boolean }[] = [
  { color: COLOR.complete, text: 'complete' },
  { color: COLOR.high, text: '≥ 99% covered', mark: '99' },
  { color: COLOR.gaps, text: '90–99% covered' },
  { color: COLOR.half, text: '50–90% covered' },
  { color: COLOR.none, text: '< 50% / no rows / no data', mark: '0' },
  { color: COLOR.gaps, text: 'other gaps (hover for their kinds)', mark: '!' },
  { color: COLOR.na, text: 'n/a: before the first season' },
  { color: '#ffffff', text: 'partitions Athena cannot see', outline: true },
];

/** One row of the picture: a per-season table, or a dimension drawn as one bar across the seasons. */
interface Row {
  table: string;
  kind: 'child' | 'fact' | 'dimension';
}

/**
 * `coverage.svg`: a season × table heatmap, at most 880 px wide so GitHub shows it unscaled. Child tables are
 * coloured by coverage of their parent's games, other fact tables by whether the season has rows and gaps,
 * dimension tables by one bar (snapshots have no seasons). A purple outline marks seasons with partitions the
 * catalog lacks (Athena cannot see their rows). Title and legend are measured, so nothing is clipped with one
 * season or with seventeen.
 */
export function renderCoverageSvg(result: AuditResult): string {
  const seasons = range(result.seasons[0], result.seasons[1]);
  const rows = rowsOf(result);
  const labelW = Math.max(
    120,
    Math.ceil(Math.max(...rows.map((r) => r.table.length), 5) * CHAR_W.label) + 16,
  );
  const cellW = Math.max(
    26,
    Math.min(48, Math.floor((MAX_WIDTH - labelW - 2 * PAD) / Math.max(1, seasons.length))),
  );
  const gridW = labelW + cellW * seasons.length + PAD;
  const title = `Coverage by season — ${result.lake} (${result.generatedAt.slice(0, 10)})`;
  const width = Math.max(gridW, Math.min(MAX_WIDTH, Math.ceil(title.length * CHAR_W.title) + 2 * PAD), 560);
  const top = 54;
  const legend = legendLayout(width);
  const legendY = top + rows.length * CELL_H + 16;
  const height = legendY + legend.lines * 20 + PAD;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system,Segoe UI,Helvetica,Arial,DejaVu Sans,sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="20" font-size="14" font-weight="600" fill="#1f2328">${esc(fitText(title, width - 2 * PAD, CHAR_W.title))}</text>`,
  ];
  seasons.forEach((s, i) => {
    out.push(
      `<text x="${labelW + i * cellW + cellW / 2}" y="${top - 8}" text-anchor="middle" fill="#57606a" font-size="11">${seasons.length > 12 ? `'${String(s).slice(2)}` : s}</text>`,
    );
  });
  rows.forEach((row, r) => {
    const y = top + r * CELL_H;
    out.push(
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="#1f2328">${esc(row.table)}</text>`,
    );
    if (row.kind === 'dimension')
      out.push(...dimensionBar(result, row.table, labelW, y, cellW * seasons.length));
    else
      seasons.forEach((season, i) =>
        out.push(
          ...cell(cellFor(result, row.table, season, row.kind === 'child'), labelW + i * cellW, y, cellW),
        ),
      );
  });
  out.push(...legend.items.map((item) => legendItem(item, legendY)));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Child tables first, then the other fact tables, then the dimensions. */
function rowsOf(result: AuditResult): Row[] {
  const children = [...new Set(result.coverage.map((c) => c.table))];
  const shown = (t: TableAudit) => t.rows > 0 || t.configured;
  return [
    ...children.map((table) => ({ table, kind: 'child' as const })),
    ...result.tables
      .filter((t) => t.kind === 'fact' && shown(t) && !children.includes(t.table))
      .map((t) => ({ table: t.table, kind: 'fact' as const })),
    ...result.tables
      .filter((t) => t.kind === 'dimension' && shown(t))
      .map((t) => ({ table: t.table, kind: 'dimension' as const })),
  ];
}

interface CellLook {
  fill: string;
  label: string;
  title: string;
  invisible?: boolean;
}

function cell(look: CellLook, x: number, y: number, w: number): string[] {
  const stroke = look.invisible ? ` stroke="${COLOR.invisible}" stroke-width="2"` : '';
  const out = [
    `<g><title>${esc(look.title)}</title><rect x="${x + 2}" y="${y + 2}" width="${w - 4}" height="${CELL_H - 4}" rx="3" fill="${look.fill}"${stroke}/>`,
  ];
  if (look.label)
    out.push(
      `<text x="${x + w / 2}" y="${y + 15}" text-anchor="middle" font-size="10" fill="#1f2328">${esc(look.label)}</text>`,
    );
  out.push('</g>');
  return out;
}

/** A dimension (snapshot) table as one bar: green with rows, yellow `!` with gaps, red without rows. */
function dimensionBar(result: AuditResult, table: string, x: number, y: number, w: number): string[] {
  const t = result.tables.find((x) => x.table === table)!;
  const gaps = result.gaps.filter((g) => g.table === table);
  const invisible = gaps.some((g) => g.kind === 'catalog_missing_partition');
  const rows = `${t.rows.toLocaleString('en-US')} rows (snapshot)`;
  const look: CellLook =
    t.rows === 0
      ? { fill: COLOR.none, label: 'no rows', title: `${table}: no rows` }
      : gaps.length > 0
        ? { fill: COLOR.gaps, label: `! ${rows}`, title: `${table}: ${gaps.map((g) => g.kind).join(', ')}` }
        : { fill: COLOR.complete, label: rows, title: `${table}: ${rows}` };
  return cell({ ...look, label: fitText(look.label, w - 8, 6.2), invisible }, x, y, w);
}

function cellFor(result: AuditResult, table: string, season: number, isChild: boolean): CellLook {
  const invisible = result.gaps.some(
    (g) =>
      g.table === table &&
      g.kind === 'catalog_missing_partition' &&
      (g.partitions ?? []).some((p) => p[0] === String(season)),
  );
  return { ...(isChild ? childCell(result, table, season) : factCell(result, table, season)), invisible };
}

function childCell(result: AuditResult, table: string, season: number): CellLook {
  const c = result.coverage.find((x) => x.table === table && x.season === season);
  if (!c) return { fill: COLOR.na, label: '', title: `${table} ${season}: before the table's first season` };
  // No parent games in an audited season: a lake without data (or a wrong --lake), never "nothing to do".
  if (c.parentIds === 0)
    return {
      fill: COLOR.none,
      label: '0',
      title: `${table} ${season}: ${c.parent} has no games to compare with`,
    };
  const title = `${table} ${season}: ${c.covered + c.knownEmpty}/${c.parentIds} games (${c.missing} missing)`;
  const label = c.missing === 0 ? '' : String(Math.floor(c.ratio * 100));
  const fill =
    c.missing === 0
      ? COLOR.complete
      : c.ratio >= 0.99
        ? COLOR.high
        : c.ratio >= 0.9
          ? COLOR.gaps
          : c.ratio >= 0.5
            ? COLOR.half
            : COLOR.none;
  return { fill, label, title };
}

function factCell(result: AuditResult, table: string, season: number): CellLook {
  const t = result.tables.find((x) => x.table === table);
  const gaps = result.gaps.filter((g) => g.table === table && g.season === season);
  if (!t || t.rows === 0) return { fill: COLOR.none, label: '', title: `${table}: no data at all` };
  if (Object.keys(t.bySeason).length === 0)
    return { fill: COLOR.na, label: '', title: `${table}: no season partitions` };
  const rows = t.bySeason[String(season)]?.rows ?? 0;
  if (rows === 0) return { fill: COLOR.none, label: '0', title: `${table} ${season}: no rows` };
  if (gaps.length > 0)
    return {
      fill: COLOR.gaps,
      label: '!',
      title: `${table} ${season}: ${gaps.map((g) => g.kind).join(', ')}`,
    };
  return {
    fill: COLOR.complete,
    label: '',
    title: `${table} ${season}: ${rows.toLocaleString('en-US')} rows`,
  };
}

/** Legend items placed left to right, wrapping onto a new line before the canvas edge. */
function legendLayout(width: number): {
  items: ((typeof LEGEND)[number] & { x: number; line: number })[];
  lines: number;
} {
  let x = PAD;
  let line = 0;
  const items = LEGEND.map((item) => {
    const w = 18 + Math.ceil(item.text.length * CHAR_W.small) + 14;
    if (x + w > width - PAD && x > PAD) {
      x = PAD;
      line++;
    }
    const placed = { ...item, x, line };
    x += w;
    return placed;
  });
  return { items, lines: line + 1 };
}

function legendItem(item: ReturnType<typeof legendLayout>['items'][number], top: number): string {
  const y = top + item.line * 20;
  const stroke = item.outline ? ` stroke="${COLOR.invisible}" stroke-width="2"` : '';
  const mark = item.mark
    ? `<text x="${item.x + 7}" y="${y + 11}" text-anchor="middle" font-size="8" fill="#1f2328">${esc(item.mark)}</text>`
    : '';
  return (
    `<rect x="${item.x}" y="${y}" width="14" height="14" rx="2" fill="${item.color}"${stroke}/>${mark}` +
    `<text x="${item.x + 18}" y="${y + 11}" fill="#57606a" font-size="11">${esc(item.text)}</text>`
  );
}

/** Cuts a text with `…` so that it fits `width` px at `charW` px a character. */
function fitText(text: string, width: number, charW: number): string {
  const max = Math.floor(width / charW);
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
