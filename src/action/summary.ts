import { callsText } from '../fill/call-plan.js';
import { budgetText } from '../fill/fill-run.js';
import type { NightlyOutcome } from '../commands/nightly.js';
import type { FillOutcome } from '../commands/fill.js';
import type { FillCheckOutcome, FillRequestOutcome } from '../commands/fill-request.js';
import { describeBudget } from '../github/write-budget.js';
import type { FinalizeOutcome } from '../commands/finalize.js';
import type { RepairReport } from '../repair/apply.js';
import { repairText } from '../commands/repair.js';
import { markdownTable } from 'markdown-table';
import { fmt } from '../util/format.js';
import { runLine } from '../report/markdown.js';

/** A job summary in Markdown, and the annotations a maintainer must see. */
export interface Summary {
  markdown: string;
  warnings: { title: string; message: string }[];
}

/** Audit: scorecard and gaps, what happened to issues and the report; a warning per failing table. */
export function auditSummary(n: NightlyOutcome): Summary {
  const r = n.result;
  const lines = [
    `## Data audit — ${r.lake}`,
    '',
    markdownTable([
      ['Table', 'Status', 'Rows', 'Issues'],
      ...r.tables.map((t) => [t.table, t.status, fmt(t.rows), t.issues.slice(0, 3).join('; ') || '—']),
    ]),
    '',
    `**${r.gaps.length} gaps**${r.diff ? ` (${r.diff.newGaps.length} new, ${r.diff.closedGaps.length} closed since ${r.diff.previousGeneratedAt})` : ''}`,
    '',
    ...r.gaps.slice(0, 50).map((g) => `- \`${g.key}\`: ${g.detail.replace(/\n/g, ' ').slice(0, 300)}`),
  ];
  if (r.run) lines.push('', runLine(r.run));
  if (n.issues) {
    const i = n.issues;
    const deferred = Object.entries(i.deferredWork).map(([work, count]) => `${count} ${work}`);
    lines.push(
      '',
      `Issues: ${i.created.length} opened, ${i.updated.length} updated, ${i.closed.length} closed, ${i.reopened.length} reopened, ${i.unchanged} unchanged; deferred to the next night: ${deferred.length > 0 ? deferred.join(', ') : 'none'}`,
    );
  }
  if (n.report) lines.push('', `Report: ${reportLine(n.report)}`);
  if (n.budget) lines.push('', `GitHub writes: ${describeBudget(n.budget)}`);
  return {
    markdown: lines.join('\n'),
    warnings: r.tables
      .filter((t) => t.status === 'FAIL')
      .map((t) => ({ title: `Data audit: ${t.table} FAIL`, message: `${t.table}: ${t.issues.join('; ')}` })),
  };
}

function reportLine(report: NonNullable<NightlyOutcome['report']>): string {
  if (report.deferred) return 'deferred to the next night (over the run’s GitHub write budget)';
  if (report.changed) return `committed${report.pr ? `, pull request #${report.pr.number}` : ''}`;
  if (report.pr) return `unchanged; pull request #${report.pr.number} opened for it`;
  return 'unchanged, nothing published';
}

/** Check: whether a fill may start, and what it fills. */
export function checkSummary(c: FillCheckOutcome): Summary {
  return {
    markdown: c.allowed
      ? `## Fill request\n\nAllowed: ${c.endpoint} ${c.seasons}${c.issueNumber ? ` (issue #${c.issueNumber})` : ''}`
      : `## Fill request\n\nNot started: ${c.skipped ?? 'refused'}`,
    warnings: [],
  };
}

/** Plan: the legs, or why there are none. */
export function planSummary(p: FillRequestOutcome): Summary {
  if (p.legs === 0)
    return { markdown: `## Fill plan\n\nNothing to run: ${p.skipped ?? 'no legs'}`, warnings: [] };
  const rows = p.plans.flatMap((plan) =>
    plan.legs.map((l) => [
      l.endpoint,
      String(l.season),
      l.shard,
      String(l.games),
      String(l.calls),
      `${l.rate}/s`,
      String(l.concurrency),
      `${l.seconds}s`,
    ]),
  );
  return {
    markdown: [
      `## Fill plan: ${p.endpoint} ${p.seasons}`,
      '',
      markdownTable([
        ['Endpoint', 'Season', 'Shard', 'Games', 'Calls', 'Rate', 'In flight', 'Time'],
        ...rows,
      ]),
      '',
      ...p.plans.map(
        (plan) =>
          `${plan.endpoint}: ${plan.calls} calls of the monthly quota (${callsText({ calls: { ...plan.callsByKind, total: plan.calls } })}); one per game would take ${plan.perGameCalls}.`,
      ),
    ].join('\n'),
    warnings: [],
  };
}

/** Fill: the shard's table of counts, and a warning when it stopped or games failed. */
export function fillSummary(o: FillOutcome): Summary {
  const r = o.result;
  const row = [
    o.endpoint,
    o.seasons.join(','),
    o.shard,
    String(o.targets.length),
    String(r?.done.length ?? 0),
    String(r?.empty.length ?? 0),
    String(r?.failed.length ?? 0),
    String(r?.left ?? 0),
    String(r?.usage.calls ?? 0),
  ];
  const warnings: Summary['warnings'] = [];
  if (r?.stoppedBy)
    warnings.push({ title: `Fill stopped: ${r.stoppedBy}`, message: r.stopMessage ?? r.stoppedBy });
  if (r && r.failed.length > 0)
    warnings.push({
      title: `${r.failed.length} games failed`,
      message: r.failed
        .slice(0, 20)
        .map((f) => `${f.gameId}: ${f.reason}`)
        .join('; '),
    });
  return {
    markdown: [
      `## Fill ${o.dryRun ? '(dry run) ' : ''}${o.endpoint} shard ${o.shard}`,
      '',
      markdownTable([
        ['Endpoint', 'Seasons', 'Shard', 'To fetch', 'Done', 'Empty', 'Failed', 'Left', 'Calls'],
        row,
      ]),
      ...(r?.budget ? ['', `API budget: ${budgetText(r.budget)}.`] : []),
    ].join('\n'),
    warnings,
  };
}

/** Finalize: the totals and whether the gap closed. */
export function finalizeSummary(f: FinalizeOutcome): Summary {
  if (f.cancelled)
    return {
      markdown: `## Fill cancelled\n\n${f.legs} legs reported: ${f.filled} filled, ${f.empty} empty, ${f.failed} failed. No re-audit; the issue keeps its label.`,
      warnings: [],
    };
  return {
    markdown: `## Fill result\n\n${f.legs} legs: ${f.filled} filled, ${f.empty} empty, ${f.failed} failed. ${f.gapStillOpen ? `${f.remaining} games still missing.` : 'The gap is closed.'}${f.closed ? ' Issue closed.' : ''}`,
    warnings:
      f.failed > 0
        ? [{ title: `${f.failed} games failed`, message: f.failedIds.slice(0, 50).join(', ') }]
        : [],
  };
}

/** Repair: the report as a code block. */
export function repairSummary(r: RepairReport): Summary {
  return {
    markdown: `## Repair\n\n\`\`\`\n${repairText(r)}\`\`\``,
    warnings: r.ok ? [] : [{ title: 'Repair: some steps failed', message: repairText(r) }],
  };
}

/** What each exit code of a failed step means, for its job summary (README's table). */
const FAILURE_MEANING: Record<number, string> = {
  1: 'the step failed',
  2: 'a usage or config error: fix the input, config key or lake URI it names',
  3: "the API's monthly quota is spent",
  4: 'the run failed: the lake, catalog or checkpoints could not be reached or read; nothing was reported as complete or as gaps',
};

/** The job summary of a step that ended by an error: its exit code, what that means, and the message. */
export function failureSummary(code: number, message: string): string {
  return `## cbbd-gap-bot failed (exit ${code})\n\n${FAILURE_MEANING[code] ?? FAILURE_MEANING[1]}.\n\n\`\`\`\n${message}\n\`\`\`\n`;
}
