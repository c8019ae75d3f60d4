import { describe, expect, it } from 'vitest';
import { createWriteBudget } from '../../src/github/write-budget.js';
import {
  fillResultComment,
  finalizeFill,
  reportCancelledFill,
  type FillResults,
} from '../../src/github/finalize.js';
import { renderIssue } from '../../src/github/issue-body.js';
import type { FakeGitHub } from '../fakes/github/server.js';
import { BOT, botClient, fakeGitHubs, missingChildren, repoOf } from './helpers.js';

const fake = fakeGitHubs();
const RUN = 'https://github.com/cbbd-org/cbbd-lake/actions/runs/77';

/** A bot gap issue (#1) that a maintainer labelled `fill`. */
async function labelledIssue(): Promise<FakeGitHub> {
  const f = await fake();
  const { octokit } = botClient(f);
  await octokit.rest.issues.create({ ...repoOf(f), ...renderIssue(missingChildren('fct_plays', 2024, 25)) });
  f.labelAs('walt', 1, 'fill');
  f.resetLog();
  return f;
}

async function finalize(f: FakeGitHub, results: FillResults, gapStillOpen: boolean) {
  const { octokit, logger } = botClient(f);
  return finalizeFill({
    octokit,
    ...repoOf(f),
    issueNumber: 1,
    results,
    gapStillOpen,
    fillLabel: 'fill',
    budget: createWriteBudget(),
    logger,
  });
}

describe('finalizeFill', () => {
  it('comments the counts and the run, removes the label and closes the issue when the gap is gone', async () => {
    const f = await labelledIssue();
    const result = await finalize(f, { filled: 22, empty: 3, failed: 0, failedIds: [], runUrl: RUN }, false);
    expect(result.closed).toBe(true);
    expect(result.commentUrl).toMatch(/issues\/1#issuecomment-\d+$/);
    const issue = f.issue(1);
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed', closedBy: BOT });
    expect(issue.labels).not.toContain('fill');
    expect(issue.comments.map((c) => c.body)).toEqual([
      '**Fill finished**: 22 filled, 3 empty (the API has no data for them; they will not be fetched again), 0 failed.\n\n' +
        `[The run](${RUN}) has the details.\n\n` +
        'The re-audit no longer finds this gap: closing.',
    ]);
    expect(f.writes()).toBe(3);
  });

  it('names up to 50 failed ids and leaves the issue open while the gap remains', async () => {
    const f = await labelledIssue();
    const failedIds = Array.from({ length: 120 }, (_, i) => 500_000 + i);
    await finalize(f, { filled: 5, empty: 0, failed: 120, failedIds, runUrl: RUN }, true);
    const issue = f.issue(1);
    expect(issue.state).toBe('open');
    expect(issue.labels).toEqual(['data-gap', 'table:fct_plays', 'season:2024']);
    const body = issue.comments[0]?.body ?? '';
    expect(body).toContain('500000, 500001');
    expect(body).toContain('500049, and 70 more.');
    expect(body).not.toContain('500050');
    expect(body).toContain('add `fill` again to retry what is left');
    expect(f.writes()).toBe(2);
  });

  it('goes on when someone removed the label during the run', async () => {
    const f = await labelledIssue();
    const { octokit } = botClient(f);
    await octokit.rest.issues.removeLabel({ ...repoOf(f), issue_number: 1, name: 'fill' });
    await expect(finalize(f, { filled: 1, empty: 0, failed: 0, failedIds: [] }, false)).resolves.toEqual({
      commentUrl: expect.any(String),
      closed: true,
    });
    expect(f.issue(1).state).toBe('closed');
  });

  it('on a cancelled run comments that it was cancelled, keeps the label and leaves the issue open', async () => {
    const f = await labelledIssue();
    const { octokit, logger } = botClient(f);
    const budget = createWriteBudget();
    await reportCancelledFill({
      octokit,
      ...repoOf(f),
      issueNumber: 1,
      results: { filled: 4, empty: 1, failed: 0, failedIds: [], runUrl: RUN },
      legs: 2,
      fillLabel: 'fill',
      budget,
      logger,
    });
    const issue = f.issue(1);
    expect(issue).toMatchObject({ state: 'open' });
    expect(issue.labels).toContain('fill');
    expect(issue.comments.map((c) => c.body)).toEqual([
      '**Fill cancelled**: the run was cancelled before it finished. 2 legs reported 4 filled, 1 empty and 0 ' +
        'failed; games already written are checkpointed and will not be fetched again.\n\n' +
        `[The run](${RUN}) has the details.\n\n` +
        'The issue keeps `fill` and stays open. To go on, remove `fill` and add it again.',
    ]);
    expect([f.writes(), budget.used()]).toEqual([1, 1]);
  });

  it('words a run without a link', () => {
    expect(fillResultComment({ filled: 0, empty: 0, failed: 1, failedIds: [7] }, true)).toBe(
      '**Fill finished**: 0 filled, 0 empty (the API has no data for them; they will not be fetched again), 1 failed.\n\n' +
        'Failed game ids: 7.\n\n' +
        'The re-audit still finds this gap; add `fill` again to retry what is left.',
    );
  });
});
