import { markdownTable } from 'markdown-table';
import type { AuditResult, CoverageRow, Gap, TableAudit } from '../audit/types.js';
import { fillCommand, remedy } from './fill-hint.js';
import { fmt, pct } from '../util/format.js';
import { cutList, severityCounts, statusCounts, tablesBySeverity, worstSeverity } from './format.js';

const SAMPLE_IDS = 10;
const LISTED_ITEMS = 20;
const STATUS_ICON = { PASS: '🟢 PASS', WARN: '🟡 WARN', FAIL: '🔴 FAIL' } as const;

/** Options the report takes beyond the result. */
export interface MarkdownOptions {
  /** Relative link to the coverage picture. */
  svgPath?: string;
  /** Gaps whose issues wait for the next night because of the per-run cap. */
  deferredIssues?: number;
}

/** `data_audit.md`: header, scorecard, coverage matrix, gaps with how to fill them, per-table detail, layout findings. */
export function renderMarkdown(result: AuditResult, options: MarkdownOptions = {}): string {
  const sections = [
    header(result, options),
    changes(result),
    scorecard(result),
    coverageMatrix(result.coverage),
    gapsSection(result.gaps),
    tableDetail(result.tables),
    layoutFindings(result),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function header(result: AuditResult, options: MarkdownOptions): string {
  const counts = statusCounts(result);
  const fillable = result.gaps.filter((g) => fillCommand(g));
  const lines = [
    `# Data audit — ${result.lake}`,
    '',
    `Lake \`${result.lake}\` · engine \`${result.engine}\` · seasons ${result.seasons[0]}–${result.seasons[1]} · generated ${result.generatedAt}`,
    '',
    `**Summary**: ${counts.PASS} PASS, ${counts.WARN} WARN, ${counts.FAIL} FAIL out of ${result.tables.length} tables · ` +
      `${result.gaps.length} gap${result.gaps.length === 1 ? '' : 's'}` +
      (result.gaps.length > 0 ? ` (${severityCounts(result.gaps)})` : '') +
      (fillable.length > 0
        ? ` (${fillable.length} fillable: ${fmt(fillable.reduce((a, g) => a + g.count - (g.blocked?.length ?? 0), 0))} games to fetch)`
        : ''),
  ];
  if (result.run) lines.push('', runLine(result.run));
  if (options.deferredIssues)
    lines.push(
      '',
      `> ${options.deferredIssues} gap issue(s) wait for the next night: the bot opens at most its per-run cap of new issues.`,
    );
  if (options.svgPath && result.coverage.length > 0)
    lines.push('', `![Coverage by season and table](${options.svgPath})`);
  return lines.join('\n');
}

function changes(result: AuditResult): string {
  const d = result.diff;
  if (!d) return '';
  const lines = [`## Changes since the last audit (${d.previousGeneratedAt})`, ''];
  if (d.newGaps.length + d.closedGaps.length + d.changedGaps.length + d.coverageMoves.length === 0) {
    lines.push('No gap opened, closed or moved.');
    return lines.join('\n');
  }
  if (d.newGaps.length)
    lines.push(`- **New gaps (${d.newGaps.length})**: ${d.newGaps.map((k) => `\`${k}\``).join(', ')}`);
  if (d.closedGaps.length)
    lines.push(
      `- **Closed gaps (${d.closedGaps.length})**: ${d.closedGaps.map((k) => `\`${k}\``).join(', ')}`,
    );
  if (d.changedGaps.length)
    lines.push(
      `- **Changed**: ${d.changedGaps.map((c) => `\`${c.key}\` ${fmt(c.from)} → ${fmt(c.to)}`).join(', ')}`,
    );
  if (d.coverageMoves.length)
    lines.push(
      `- **Coverage moves**: ${d.coverageMoves.map((c) => `${c.table} ${c.season} ${pct(c.from)} → ${pct(c.to)}`).join(', ')}`,
    );
  return lines.join('\n');
}

/** Issues shown per table in the scorecard; the rest are counted as `+N more`. */
const SCORECARD_ISSUES = 3;

function scorecard(result: AuditResult): string {
  const worst = worstSeverity(result.gaps);
  const rows = tablesBySeverity(result).map((t, i) => [
    String(i + 1),
    t.layer,
    t.configured ? t.table : `${t.table} (unconfigured)`,
    `**${STATUS_ICON[t.status]}**`,
    worst.get(t.table) ?? '—',
    fmt(t.rows),
    fmt(t.files),
    escape(cutList(t.issues, SCORECARD_ISSUES).join('; ')) || '—',
  ]);
  return [
    '## Scorecard',
    '',
    'Tables with the most serious gap first; severities are explained in docs/data-audit-json.md.',
    '',
    markdownTable([['#', 'Layer', 'Table', 'Status', 'Severity', 'Rows', 'Files', 'Issues'], ...rows], {
      align: ['r', 'l', 'l', 'l', 'l', 'r', 'r', 'l'],
    }),
  ].join('\n');
}

function coverageMatrix(coverage: readonly CoverageRow[]): string {
  if (coverage.length === 0) return '';
  const tables = [...new Set(coverage.map((c) => c.table))];
  const seasons = [...new Set(coverage.map((c) => c.season))].sort((a, b) => a - b);
  const cell = (table: string, season: number) => {
    const c = coverage.find((x) => x.table === table && x.season === season);
    if (!c) return 'n/a';
    if (c.parentIds === 0) return 'no games';
    return c.missing === 0 ? `✅ ${pct(c.ratio)}` : `${pct(c.ratio)} (${fmt(c.missing)} missing)`;
  };
  const parent = coverage[0]!.parent;
  return [
    `## Coverage against ${parent}`,
    '',
    `Share of ${parent} games with rows in each table (games known to have no data count as covered). n/a: before the table's first season.`,
    '',
    markdownTable(
      [['Season', ...tables], ...seasons.map((s) => [String(s), ...tables.map((t) => cell(t, s))])],
      { align: ['l', ...tables.map(() => 'r' as const)] },
    ),
  ].join('\n');
}

function gapsSection(gaps: readonly Gap[]): string {
  if (gaps.length === 0) return '## Gaps\n\nNone. Every table and season checked out.';
  return [
    '## Gaps',
    '',
    `${fmt(gaps.length)} gap${gaps.length === 1 ? '' : 's'} (${severityCounts(gaps)}), the most serious first. ` +
      'A fillable gap closes when its issue gets the label `fill`, or by its command (`--dry-run` shows what it would fetch).',
    '',
    markdownTable(
      [
        ['Severity', 'Gap', 'Count', 'Detail', 'What to do'],
        ...gaps.map((g) => [
          g.severity ?? '—',
          `\`${g.key}\``,
          fmt(g.count),
          escape(gapDetail(g)),
          remedy(g),
        ]),
      ],
      { align: ['l', 'l', 'r', 'l', 'l'] },
    ),
  ].join('\n');
}

/** A gap's detail, with a sample of its ids when it has any (all of them are in data_audit.json). */
function gapDetail(gap: Gap): string {
  if (gap.ids.length === 0) return gap.detail;
  const ids = cutList(gap.ids.map(String), SAMPLE_IDS);
  return `${gap.detail}. Ids: ${ids.join(', ')}${gap.ids.length > SAMPLE_IDS ? ' (all in data_audit.json)' : ''}`;
}

function tableDetail(tables: readonly TableAudit[]): string {
  const out = ['## Table detail'];
  for (const t of tables) {
    out.push(
      '',
      `### silver/${t.table}`,
      '',
      `**Status**: ${t.status} · **Rows**: ${fmt(t.rows)} · **Files**: ${fmt(t.files)} · **Columns**: ${t.columns}${t.configured ? '' : ' · not in config.yaml'}`,
    );
    const seasons = Object.entries(t.bySeason);
    if (seasons.length > 0) {
      out.push(
        '',
        markdownTable(
          [
            ['Season', 'Rows', 'Files', 'Duplicates'],
            ...seasons.map(([s, v]) => [s, fmt(v.rows), fmt(v.files), fmt(v.duplicates)]),
          ],
          { align: ['l', 'r', 'r', 'r'] },
        ),
      );
    }
    const nulls = Object.entries(t.nullPct);
    if (nulls.length > 0) out.push('', `Null %: ${nulls.map(([c, p]) => `\`${c}\` ${p}%`).join(', ')}`);
  }
  return out.join('\n');
}

function layoutFindings(result: AuditResult): string {
  const kinds = new Set([
    'mixed_partition_layout',
    'unexpected_partition',
    'catalog_missing_partition',
    'catalog_stale_partition',
    'catalog_partition_keys',
    'unreadable_file',
    'schema_drift',
    'duplicates',
  ]);
  const findings = result.gaps.filter((g) => kinds.has(g.kind));
  if (findings.length === 0 && result.notes.length === 0) return '';
  const out = ['## Findings in detail', ''];
  for (const g of findings) {
    const items =
      g.files ??
      g.partitions?.map((p) => p.join('/')) ??
      g.keys?.map((k) => `${k.key}\` in \`${k.files.join('`, `')}`) ??
      [];
    out.push(`- \`${g.key}\`: ${escape(g.detail)}`);
    for (const item of items.slice(0, LISTED_ITEMS)) out.push(`  - \`${item}\``);
    if (items.length > LISTED_ITEMS)
      out.push(`  - +${fmt(items.length - LISTED_ITEMS)} more (all in data_audit.json)`);
    // The engine keeps the first 20 duplicated keys only: say how many duplicate rows the list leaves out.
    if (g.keys && g.keys.length < g.count)
      out.push(`  - +up to ${fmt(g.count - g.keys.length)} more duplicate rows whose keys are not listed`);
  }
  for (const n of result.notes) out.push(`- ${escape(n)}`);
  return out.join('\n');
}

/** Keeps a detail from breaking a table cell or smuggling markup into the report. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
}

/** Which kind of audit ran and what it cost: the line the report and the job summary share. */
export function runLine(run: NonNullable<AuditResult['run']>): string {
  const candidates =
    run.candidatesRead > 0 ? `, ${fmt(run.candidatesRead)} duplicate candidates re-read` : '';
  return (
    `**${run.kind === 'full' ? 'Full' : 'Incremental'} audit** (${run.reason}): read ${fmt(run.filesRead)} of ` +
    `${fmt(run.filesListed)} listed files${candidates}; ${fmt(run.gets)} GETs, ${fmt(run.bytesRead)} bytes`
  );
}
