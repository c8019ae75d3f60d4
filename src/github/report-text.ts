import type { AuditDiff, AuditResult } from '../audit/types.js';
import { statusCounts } from '../report/format.js';
import { fmt, pct } from '../util/format.js';

/** Items listed per line of the body before "and N more": the body stays short and under GitHub's cap. */
const MAX_ITEMS = 30;

/** `15 PASS 4 WARN 3 FAIL`, joined by `separator`. */
function statusLine(result: AuditResult, separator = ' '): string {
  const counts = statusCounts(result);
  return [`${counts.PASS} PASS`, `${counts.WARN} WARN`, `${counts.FAIL} FAIL`].join(separator);
}

/** `Data audit: 23 gaps (2 new, 1 closed) · 15 PASS 4 WARN 3 FAIL`; without a previous audit, no parenthesis. */
export function reportPullTitle(current: AuditResult, diff: AuditDiff | undefined): string {
  const gaps = `${fmt(current.gaps.length)} gap${current.gaps.length === 1 ? '' : 's'}`;
  const moves = diff ? ` (${diff.newGaps.length} new, ${diff.closedGaps.length} closed)` : '';
  return `Data audit: ${gaps}${moves} · ${statusLine(current)}`;
}

/** The pull request's body: what the audit covered, what changed since the last one, and links to the report. */
export function reportPullBody(
  current: AuditResult,
  diff: AuditDiff | undefined,
  links: { markdown: string; json?: string },
): string {
  const lines = [
    `Audit of \`${current.lake}\` (engine \`${current.engine}\`, seasons ${current.seasons[0]}–${current.seasons[1]}), ` +
      `generated ${current.generatedAt}.`,
    '',
    `**${fmt(current.gaps.length)} gaps** · ${statusLine(current, ' · ')}`,
    '',
    ...changeLines(diff),
    '',
    `Full report: [data_audit.md](${links.markdown})` +
      (links.json ? ` · [data_audit.json](${links.json})` : ''),
    '',
    '<sub>Opened by cbbd-gap-bot. Each audit that changes the report rebuilds this branch as one commit on top ' +
      'of the default branch, so this pull request always shows the latest audit.</sub>',
  ];
  return `${lines.join('\n')}\n`;
}

function changeLines(diff: AuditDiff | undefined): string[] {
  if (!diff) return ['No previous `data_audit.json` to compare with: this is the first audit.'];
  const head = `### Since the audit of ${diff.previousGeneratedAt}`;
  const items = [
    list('New gaps', diff.newGaps, (k) => `\`${k}\``),
    list('Closed gaps', diff.closedGaps, (k) => `\`${k}\``),
    list('Changed counts', diff.changedGaps, (c) => `\`${c.key}\` ${fmt(c.from)} → ${fmt(c.to)}`),
    list('Coverage moves', diff.coverageMoves, (c) => `${c.table} ${c.season} ${pct(c.from)} → ${pct(c.to)}`),
  ].filter((l) => l !== undefined);
  return [head, '', ...(items.length > 0 ? items : ['No gap opened, closed or moved.'])];
}

function list<T>(label: string, items: readonly T[], show: (item: T) => string): string | undefined {
  if (items.length === 0) return undefined;
  const shown = items.slice(0, MAX_ITEMS).map(show).join(', ');
  const more = items.length > MAX_ITEMS ? `, and ${fmt(items.length - MAX_ITEMS)} more` : '';
  return `- **${label} (${fmt(items.length)})**: ${shown}${more}`;
}
