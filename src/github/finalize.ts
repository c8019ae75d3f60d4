import type { Octokit } from '@octokit/rest';
import type { Logger } from '../util/logger.js';
import { unless404 } from './http-status.js';
import { fmt } from '../util/format.js';
import type { WriteBudget } from './write-budget.js';

/** What a fill did, as the fill command reports it. */
export interface FillResults {
  filled: number;
  empty: number;
  failed: number;
  failedIds: readonly number[];
  runUrl?: string;
}

export interface FinalizeFillOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
  results: FillResults;
  /** Whether the re-audit after the fill still finds the gap. */
  gapStillOpen: boolean;
  /** Default `fill`. */
  fillLabel?: string;
  /** Charged for the comment, the label's removal and the close. */
  budget: WriteBudget;
  logger: Logger;
}

/** Failed ids named in the comment; the run's log has all of them. */
const MAX_FAILED_IDS = 50;

/** The result comment: counts, up to 50 failed ids, the run, and what happens to the issue. */
export function fillResultComment(results: FillResults, gapStillOpen: boolean, fillLabel = 'fill'): string {
  const lines = [
    `**Fill finished**: ${fmt(results.filled)} filled, ${fmt(results.empty)} empty (the API has no data for ` +
      `them; they will not be fetched again), ${fmt(results.failed)} failed.`,
  ];
  if (results.failedIds.length > 0) {
    const shown = results.failedIds.slice(0, MAX_FAILED_IDS).join(', ');
    const more =
      results.failedIds.length > MAX_FAILED_IDS
        ? `, and ${fmt(results.failedIds.length - MAX_FAILED_IDS)} more`
        : '';
    lines.push('', `Failed game ids: ${shown}${more}.`);
  }
  if (results.runUrl) lines.push('', `[The run](${results.runUrl}) has the details.`);
  lines.push(
    '',
    gapStillOpen
      ? `The re-audit still finds this gap; add \`${fillLabel}\` again to retry what is left.`
      : 'The re-audit no longer finds this gap: closing.',
  );
  return lines.join('\n');
}

/**
 * The comment on a cancelled run: what the legs that reported did, and that `fill` stays. Games already done are
 * checkpointed, so a new fill goes on where this one stopped.
 */
export function fillCancelledComment(results: FillResults, legs: number, fillLabel = 'fill'): string {
  const lines = [
    `**Fill cancelled**: the run was cancelled before it finished. ${fmt(legs)} leg${legs === 1 ? '' : 's'} ` +
      `reported ${fmt(results.filled)} filled, ${fmt(results.empty)} empty and ${fmt(results.failed)} failed; ` +
      'games already written are checkpointed and will not be fetched again.',
  ];
  if (results.runUrl) lines.push('', `[The run](${results.runUrl}) has the details.`);
  lines.push(
    '',
    `The issue keeps \`${fillLabel}\` and stays open. To go on, remove \`${fillLabel}\` and add it again.`,
  );
  return lines.join('\n');
}

/** Says on the issue that its fill was cancelled; the label and the issue's state are left as they are. */
export async function reportCancelledFill(
  o: Omit<FinalizeFillOptions, 'gapStillOpen'> & { legs: number },
): Promise<{ commentUrl: string }> {
  o.budget.consume('comment');
  const { data: comment } = await o.octokit.rest.issues.createComment({
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    body: fillCancelledComment(o.results, o.legs, o.fillLabel),
  });
  o.logger.info(`fill on #${o.issueNumber} was cancelled: commented, \`${o.fillLabel ?? 'fill'}\` kept`);
  return { commentUrl: comment.html_url };
}

/**
 * Reports a fill on its issue: one comment with the counts and the run, the `fill` label removed (so a new label
 * starts a new fill), and the issue closed as completed when the re-audit no longer finds the gap.
 */
export async function finalizeFill(o: FinalizeFillOptions): Promise<{ commentUrl: string; closed: boolean }> {
  const { octokit, owner, repo, issueNumber } = o;
  const fillLabel = o.fillLabel ?? 'fill';
  const issue = { owner, repo, issue_number: issueNumber };
  o.budget.consume('comment');
  const { data: comment } = await octokit.rest.issues.createComment({
    ...issue,
    body: fillResultComment(o.results, o.gapStillOpen, fillLabel),
  });
  // Absent already when someone removed it during the run.
  o.budget.consume('label');
  await unless404(octokit.rest.issues.removeLabel({ ...issue, name: fillLabel }));
  if (!o.gapStillOpen) {
    o.budget.consume('issue-close');
    await octokit.rest.issues.update({ ...issue, state: 'closed', state_reason: 'completed' });
  }
  o.logger.info(
    `fill on #${issueNumber}: ${o.results.filled} filled, ${o.results.empty} empty, ${o.results.failed} failed` +
      (o.gapStillOpen ? '; the gap remains' : '; issue closed'),
  );
  return { commentUrl: comment.html_url, closed: !o.gapStillOpen };
}
