import type { Gap } from '../audit/types.js';
import { fillCommand, remedy } from '../report/fill-hint.js';
import { renderMarker } from './marker.js';
import { fmt, plural } from '../util/format.js';

/** An issue as the bot wants it: the same gap always renders to the same title, body and labels. */
export interface IssueContent {
  title: string;
  body: string;
  labels: string[];
}

export interface IssueBodyOptions {
  /** Default `data-gap`. */
  auditLabel?: string;
  /** Where the full report lives, for the pointer under a cut list. Default `reports/data_audit.md`. */
  reportPath?: string;
  /** Default `reports/data_audit.json`. */
  jsonPath?: string;
}

/** GitHub refuses bodies over 65,536 characters; lists are cut so a body stays well under that. */
export const MAX_ISSUE_BODY = 50_000;
const MAX_DETAIL = 2_000;
const MAX_TITLE = 256;
const MAX_LABEL = 50;

/** What a child table holds, in the words of a title ("25 games without play-by-play"). */
const CHILD_NOUN: Record<string, string> = {
  fct_plays: 'play-by-play',
  fct_substitutions: 'substitutions',
  fct_lineups: 'lineups',
};

/** What is wrong, in a few words, per kind: the tail of the title and the first line of the body. */
export function gapSummary(gap: Gap): string {
  const n = gap.count;
  switch (gap.kind) {
    case 'missing_children':
      return `${plural(n, 'game')} without ${CHILD_NOUN[gap.table] ?? `${gap.table} rows`}`;
    case 'missing_season':
      return 'no rows for the season';
    case 'empty_table':
      return 'the table is empty';
    case 'duplicates':
      return plural(n, 'duplicate row');
    case 'volume_anomaly':
      return "rows under half of the neighbouring seasons' mean";
    case 'unreadable_file':
      return plural(n, 'unreadable file');
    case 'mixed_partition_layout':
      return `${plural(n, 'file')} in another partition layout`;
    case 'unexpected_partition':
      return `${plural(n, 'file')} under a season= partition`;
    case 'catalog_missing_partition':
      return `${plural(n, 'partition')} missing from the catalog`;
    case 'catalog_stale_partition':
      return `${plural(n, 'catalog partition')} without data`;
    case 'catalog_partition_keys':
      return 'catalog partition keys differ from the paths';
    case 'schema_drift':
      return `${plural(n, 'file')} with another column type or shape`;
  }
}

/** `Data gap: fct_plays 2024 — 25 games without play-by-play`. */
export function issueTitle(gap: Gap): string {
  const where = gap.season === undefined ? gap.table : `${gap.table} ${gap.season}`;
  return `Data gap: ${where} — ${gapSummary(gap)}`.slice(0, MAX_TITLE);
}

/** `data-gap`, `table:<name>` and, when the gap has one, `season:<YYYY>`. */
export function issueLabels(gap: Gap, auditLabel = 'data-gap'): string[] {
  const labels = [auditLabel, `table:${gap.table}`.slice(0, MAX_LABEL)];
  if (gap.season !== undefined) labels.push(`season:${gap.season}`);
  return labels;
}

/** Title, body and labels of a gap's issue. No timestamps: an unchanged gap renders byte for byte the same. */
export function renderIssue(gap: Gap, options: IssueBodyOptions = {}): IssueContent {
  return {
    title: issueTitle(gap),
    body: issueBody(gap, options),
    labels: issueLabels(gap, options.auditLabel),
  };
}

/**
 * The body: the hidden marker, what is wrong, the facts, the ids (or files, or partitions) — all of them when they
 * fit, else as many as fit and a pointer to the report — and how to close the gap.
 */
export function issueBody(gap: Gap, options: IssueBodyOptions = {}): string {
  const head = [
    renderMarker(gap),
    `**${gap.table}${gap.season === undefined ? '' : `, season ${gap.season}`}: ${gapSummary(gap)}.**`,
    truncate(gap.detail, MAX_DETAIL),
    factsTable(gap),
  ].join('\n\n');
  const tail = [howToClose(gap), FOOTER].join('\n\n');
  const list = listOf(gap);
  if (!list) return `${head}\n\n${tail}\n`;
  const budget = MAX_ISSUE_BODY - head.length - tail.length - 1_000;
  return `${head}\n\n${renderList(gap, list, budget, options)}\n\n${tail}\n`;
}

function factsTable(gap: Gap): string {
  const cell = (v: string | number | undefined, code = false) =>
    v === undefined ? '—' : code ? `\`${v}\`` : String(v);
  return [
    '| Severity | Kind | Table | Season | Endpoint | Count |',
    '|---|---|---|---|---|---|',
    `| ${cell(gap.severity)} | ${cell(gap.kind, true)} | ${cell(gap.table, true)} | ${cell(gap.season)} | ${cell(gap.endpoint, true)} | ${fmt(gap.count)} |`,
  ].join('\n');
}

/** What the body lists: ids ten to a line (easy to copy), paths and partitions one to a line. */
function listOf(gap: Gap): { heading: string; items: string[]; perLine: number } | undefined {
  if (gap.ids.length > 0) return { heading: 'Game ids', items: gap.ids.map(String), perLine: 10 };
  if (gap.files?.length) return { heading: 'Files', items: gap.files, perLine: 1 };
  if (gap.keys?.length)
    return {
      heading: 'Duplicated keys',
      items: gap.keys.map((k) => `${k.key} in ${k.files.join(', ')}`),
      perLine: 1,
    };
  if (gap.partitions?.length)
    return { heading: 'Partitions', items: gap.partitions.map((p) => p.join('/')), perLine: 1 };
  return undefined;
}

function renderList(
  gap: Gap,
  list: { heading: string; items: string[]; perLine: number },
  budget: number,
  options: IssueBodyOptions,
): string {
  const shown: string[] = [];
  let used = 0;
  for (const item of list.items) {
    if (used + item.length + 2 > budget) break;
    shown.push(item);
    used += item.length + 2;
  }
  const rows: string[] = [];
  for (let i = 0; i < shown.length; i += list.perLine) rows.push(shown.slice(i, i + list.perLine).join(', '));
  const lines = [
    `### ${list.heading} (${fmt(list.items.length)})`,
    '',
    fenced(rows.join(list.perLine > 1 ? ',\n' : '\n')),
  ];
  if (shown.length < list.items.length) {
    lines.push(
      '',
      `Showing the first ${fmt(shown.length)} of ${fmt(list.items.length)}. The complete list is in ` +
        `\`${options.jsonPath ?? 'reports/data_audit.json'}\` (the gap with key \`${gap.key}\`); ` +
        `\`${options.reportPath ?? 'reports/data_audit.md'}\` has the summary.`,
    );
  }
  return lines.join('\n');
}

function howToClose(gap: Gap): string {
  const command = fillCommand(gap);
  if (command) {
    return [
      '### How to fill it',
      '',
      'Add the label `fill` to this issue: for someone with write access, that starts a fill of exactly these ' +
        'games, and the result is posted here. Or, from a machine with the lake’s credentials:',
      '',
      fenced(command, 'sh'),
    ].join('\n');
  }
  return [
    '### What it needs',
    '',
    `A fill cannot close this kind of gap: ${remedy(gap)}. ` +
      'The issue closes by itself once the audit no longer finds the gap.',
  ].join('\n');
}

const FOOTER =
  '<sub>Kept in step with the nightly audit by cbbd-gap-bot: updated while the gap stays, closed when the audit ' +
  'no longer finds it, reopened if it comes back. The hidden first line ties this issue to its gap.</sub>';

/** A code block whose fence is longer than any backtick run inside it, so no path can close it early. */
function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
