import type { FillOutcome } from '../commands/fill.js';
import { callsText } from '../fill/call-plan.js';
import type { FillPlan } from '../fill/plan.js';
import { budgetText, waitingText } from '../fill/fill-run.js';
import type { FillProgress } from '../fill/run-fill.js';
import { ExitCode } from '../util/errors.js';
import { plural } from '../util/format.js';

/**
 * Progress of a fill: on a terminal one live line (done, empty, failed, rate, ETA) rewritten in place; in a log
 * (Actions, a file) a line every 50 games, so logs stay readable.
 */
export function progressReporter(
  write: (text: string) => void,
  tty: boolean,
  now: () => number = Date.now,
): (p: FillProgress) => void {
  const started = now();
  let lastLogged = 0;
  return (p) => {
    if (p.waiting) {
      const line = waitingText(p.waiting);
      write(tty ? `\r${line}` : `${line}\n`);
      return;
    }
    const finished = p.done + p.empty + p.failed + p.skipped;
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = finished / seconds;
    const eta = rate > 0 ? Math.ceil((p.total - finished) / rate) : 0;
    const line = `${finished}/${p.total} games: ${p.done} done, ${p.empty} empty, ${p.failed} failed, ${p.skipped} skipped · ${rate.toFixed(2)}/s · ETA ${eta}s`;
    if (tty) write(`\r${line}${finished === p.total ? '\n' : ''}`);
    else if (finished - lastLogged >= 50 || finished === p.total) {
      lastLogged = finished;
      write(`${line}\n`);
    }
  };
}

/** The end-of-fill summary: counts, calls spent, quota left, failed ids and why. */
export function fillSummaryText(o: FillOutcome): string {
  const lines = [`fill ${o.endpoint} shard ${o.shard}, seasons ${o.seasons.join(',')}:`];
  lines.push(
    `  ${o.discovered} missing games in this shard, ${o.alreadyDone} already checkpointed done or empty, ${o.targets.length} to fetch`,
  );
  lines.push(
    `  in ${o.calls.calls.total} calls (${callsText(o.calls)}; one per game: ${o.calls.perGameCalls}), ` +
      `largest answer expected ${formatBytes(o.calls.largestAnswerBytes)}`,
  );
  for (const u of o.unplaceable) lines.push(`  not placed: game ${u.gameId}: ${u.reason}`);
  for (const b of o.blocked) lines.push(`  skipped: game ${b.gameId}: ${b.reason}`);
  if (o.dryRun) {
    lines.push('  dry run: no API call, nothing written. Would fetch:');
    const bySeason = new Map<number, number[]>();
    for (const t of o.targets) bySeason.set(t.season, [...(bySeason.get(t.season) ?? []), t.gameId]);
    for (const [season, ids] of bySeason)
      lines.push(
        `    ${season}: ${ids.length} games: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}`,
      );
    return `${lines.join('\n')}\n`;
  }
  const r = o.result;
  if (!r) return `${lines.join('\n')}\n  nothing to do\n`;
  for (const s of r.seasons)
    if (!s.ran) lines.push(`  season ${s.season}: shard held by ${s.heldBy}; left to that run`);
  lines.push(
    `  done ${r.done.length}, empty ${r.empty.length}, failed ${r.failed.length}, skipped ${r.skipped.length}, left ${r.left}`,
  );
  lines.push(
    `  API: ${r.usage.calls} calls (${r.usage.charged} charged, ${r.usage.retries} retries), at most ${r.usage.maxInFlight} in flight` +
      (r.usage.quotaRemaining !== undefined ? `, ${r.usage.quotaRemaining} calls left this month` : ''),
  );
  if (r.budget) lines.push(`  API budget: ${budgetText(r.budget)}`);
  for (const f of r.failed.slice(0, 50)) lines.push(`  failed ${f.gameId}: ${f.reason}`);
  if (r.failed.length > 50) lines.push(`  … ${r.failed.length - 50} more failed (see --json)`);
  if (o.catalog) {
    lines.push(
      `  catalog: ${o.catalog.registered} new partition(s) registered${o.catalog.failed.length ? `, ${o.catalog.failed.length} FAILED` : ''}`,
    );
    for (const f of o.catalog.failed) lines.push(`    ${f.table} ${f.values.join('/')}: ${f.reason}`);
  }
  if (r.stoppedBy) lines.push(`  STOPPED: ${r.stopMessage}; ${r.left} game(s) left for the next run`);
  return `${lines.join('\n')}\n`;
}

/** 3 when the quota stopped the fill, 2 when the key was refused, 1 when games failed, else 0. */
export function fillExitCode(o: FillOutcome): number {
  const r = o.result;
  if (!r) return ExitCode.ok;
  if (r.stoppedBy === 'quota') return ExitCode.quotaExhausted;
  if (r.stoppedBy === 'api-key') return ExitCode.usage;
  if (r.stoppedBy === 'error') return ExitCode.gapsOrFailures;
  return r.failed.length > 0 || (o.catalog?.failed.length ?? 0) > 0 ? ExitCode.gapsOrFailures : ExitCode.ok;
}

/** The plan as a table for a terminal. */
export function planText(plans: readonly FillPlan[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(
      `${p.endpoint}: ${p.games} games, ${p.calls} calls, ${p.legs.length} legs, ${p.maxParallel} at once, about ${formatDuration(p.wallSeconds)}`,
    );
    lines.push(
      `  calls: ${callsText({ calls: { ...p.callsByKind, total: p.calls } })} (one per game: ${p.perGameCalls}); ` +
        `largest answer expected ${formatBytes(p.largestAnswerBytes)}`,
    );
    for (const l of p.legs)
      lines.push(
        `  ${l.season} shard ${l.shard}: ${plural(l.games, 'game')} in ${plural(l.calls, 'call')} at ${l.rate}/s, ${l.concurrency} in flight, ${formatDuration(l.seconds)}`,
      );
    if (p.quota)
      lines.push(
        `  quota: ${p.quota.remaining} calls left, ${p.quota.held} held by ${p.quota.holders} running fill(s), ` +
          `${p.quota.reserve} kept in reserve; this plan takes ${p.calls}, ${p.quota.after} left after: ` +
          (p.quota.fits
            ? 'fits'
            : 'DOES NOT FIT: fill fewer seasons, wait for the running fills, or for the monthly reset'),
      );
    else
      lines.push(
        '  quota: unknown: no fill of this key has seen the count this month (pass --quota-remaining N to check it)',
      );
    for (const n of p.notes) lines.push(`  note: ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
