import type { AuditResult } from '../audit/types.js';

/**
 * `coverage.svg`: a season × table heatmap, 880 px wide at most so GitHub shows it unscaled. Child tables are
 * coloured by coverage of their parent's games; other fact tables by whether the season has rows and gaps.
 */
export function renderCoverageSvg(result: AuditResult): string {
  const seasons = range(result.seasons[0], result.seasons[1]);
  const facts = result.tables.filter((t) => t.kind === 'fact' && (t.rows > 0 || t.configured));
  const childTables = [...new Set(result.coverage.map((c) => c.table))];
  const rows = [...childTables, ...facts.map((t) => t.table).filter((t) => !childTables.includes(t))];
  const labelW = 190;
  const cellW = Math.max(26, Math.min(48, Math.floor((880 - labelW - 10) / Math.max(1, seasons.length))));
  const cellH = 22;
  const top = 54;
  const width = labelW + cellW * seasons.length + 10;
  const height = top + cellH * rows.length + 56;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="600" fill="#1f2328">Coverage by season — ${esc(result.lake)} (${esc(result.generatedAt.slice(0, 10))})</text>`,
  ];
  seasons.forEach((s, i) => {
    out.push(
      `<text x="${labelW + i * cellW + cellW / 2}" y="${top - 8}" text-anchor="middle" fill="#57606a" font-size="11">${seasons.length > 12 ? `'${String(s).slice(2)}` : s}</text>`,
    );
  });
  rows.forEach((table, r) => {
    const y = top + r * cellH;
    out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="#1f2328">${esc(table)}</text>`);
    seasons.forEach((season, i) => {
      const { fill, label, title } = cellFor(result, table, season, childTables.includes(table));
      const x = labelW + i * cellW;
      out.push(
        `<g><title>${esc(title)}</title><rect x="${x + 1}" y="${y + 1}" width="${cellW - 2}" height="${cellH - 2}" rx="3" fill="${fill}"/>`,
      );
      if (label)
        out.push(
          `<text x="${x + cellW / 2}" y="${y + 15}" text-anchor="middle" font-size="10" fill="#1f2328">${label}</text>`,
        );
      out.push('</g>');
    });
  });
  const legendY = top + rows.length * cellH + 22;
  const legend: [string, string][] = [
    ['#2da44e', 'complete'],
    ['#a6e3a1', '≥ 99%'],
    ['#f2cc60', '90–99% / gaps'],
    ['#fb8f44', '50–90%'],
    ['#cf222e', '< 50% / no rows'],
    ['#eaeef2', 'n/a'],
  ];
  let lx = 8;
  for (const [color, text] of legend) {
    out.push(
      `<rect x="${lx}" y="${legendY}" width="14" height="14" rx="2" fill="${color}"/><text x="${lx + 18}" y="${legendY + 11}" fill="#57606a" font-size="11">${esc(text)}</text>`,
    );
    lx += 26 + text.length * 6.5;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function cellFor(
  result: AuditResult,
  table: string,
  season: number,
  isChild: boolean,
): { fill: string; label: string; title: string } {
  if (isChild) {
    const c = result.coverage.find((x) => x.table === table && x.season === season);
    if (!c)
      return { fill: '#eaeef2', label: '', title: `${table} ${season}: before the table's first season` };
    if (c.parentIds === 0)
      return { fill: '#eaeef2', label: '', title: `${table} ${season}: no parent games` };
    const title = `${table} ${season}: ${c.covered + c.knownEmpty}/${c.parentIds} games (${c.missing} missing)`;
    const label = c.missing === 0 ? '' : String(Math.floor(c.ratio * 100));
    return {
      fill:
        c.missing === 0
          ? '#2da44e'
          : c.ratio >= 0.99
            ? '#a6e3a1'
            : c.ratio >= 0.9
              ? '#f2cc60'
              : c.ratio >= 0.5
                ? '#fb8f44'
                : '#cf222e',
      label,
      title,
    };
  }
  const t = result.tables.find((x) => x.table === table);
  const gaps = result.gaps.filter((g) => g.table === table && g.season === season);
  if (!t || t.rows === 0) return { fill: '#cf222e', label: '', title: `${table}: no data at all` };
  if (Object.keys(t.bySeason).length === 0)
    return { fill: '#eaeef2', label: '', title: `${table}: no season partitions` };
  const rows = t.bySeason[String(season)]?.rows ?? 0;
  if (rows === 0) return { fill: '#cf222e', label: '0', title: `${table} ${season}: no rows` };
  if (gaps.length > 0)
    return {
      fill: '#f2cc60',
      label: '!',
      title: `${table} ${season}: ${gaps.map((g) => g.kind).join(', ')}`,
    };
  return { fill: '#2da44e', label: '', title: `${table} ${season}: ${rows.toLocaleString('en-US')} rows` };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
