import { describe, expect, it } from 'vitest';
import type { Gap } from '../../src/audit/types.js';
import { renderIssue } from '../../src/github/issue-body.js';
import { planIssueSync, type BotIssue } from '../../src/github/issue-plan.js';
import { parseMarker } from '../../src/github/marker.js';
import { missingChildren } from './helpers.js';

const PLAYS = missingChildren('fct_plays', 2024, 25);
const LINEUPS = missingChildren('fct_lineups', 2024, 4);

/** An issue as the bot would have opened it for `gap`, in the given state. */
function issueFor(
  gap: Gap,
  number: number,
  state: 'open' | 'closed' = 'open',
  stateReason: string | null = null,
): BotIssue {
  const content = renderIssue(gap);
  return {
    number,
    url: `https://github.com/o/r/issues/${number}`,
    ...content,
    state,
    stateReason,
    marker: parseMarker(content.body)!,
  };
}

const plan = (issues: BotIssue[], gaps: Gap[], maxNewIssues = 10) =>
  planIssueSync(issues, gaps, { maxNewIssues });
const numbers = (issues: { number: number }[]) => issues.map((i) => i.number);

describe('planIssueSync', () => {
  it('changes nothing when every gap has its issue as rendered', () => {
    const p = plan([issueFor(PLAYS, 1), issueFor(LINEUPS, 2)], [PLAYS, LINEUPS]);
    expect(numbers(p.unchanged)).toEqual([1, 2]);
    expect(
      [p.create, p.update, p.reopen, p.close, p.duplicates, p.deferred].every((a) => a.length === 0),
    ).toBe(true);
  });

  it('ignores a change of line endings that GitHub’s web form makes', () => {
    const edited = { ...issueFor(PLAYS, 1), body: `${renderIssue(PLAYS).body.replace(/\n/g, '\r\n')}  ` };
    expect(numbers(plan([edited], [PLAYS]).unchanged)).toEqual([1]);
  });

  it('closes the kept issue and its duplicates when a raced gap goes away', () => {
    const p = plan([issueFor(PLAYS, 3), issueFor(PLAYS, 1), issueFor(PLAYS, 2)], []);
    expect(numbers(p.close)).toEqual([1]);
    expect(p.duplicates.map((d) => [d.issue.number, d.keep.number])).toEqual([
      [2, 1],
      [3, 1],
    ]);
  });

  it('reopens the newest closed issue, never one closed as a duplicate', () => {
    const p = plan(
      [issueFor(PLAYS, 1, 'closed', 'completed'), issueFor(PLAYS, 5, 'closed', 'duplicate')],
      [PLAYS],
    );
    expect(p.reopen.map((r) => [r.issue.number, r.patch])).toEqual([[1, {}]]);
    expect(p.create).toEqual([]);
  });

  it('reopens the newest of several closed issues, in whatever order they are listed', () => {
    const closed = [issueFor(PLAYS, 7, 'closed', 'completed'), issueFor(PLAYS, 2, 'closed', 'completed')];
    for (const listed of [closed, [...closed].reverse()]) {
      const p = plan([...listed, issueFor(PLAYS, 4, 'closed', 'completed')], [PLAYS]);
      expect(numbers(p.reopen.map((r) => r.issue))).toEqual([7]);
    }
  });

  it('leaves a gap closed when its newest issue was closed as not planned, whatever older ones say', () => {
    const p = plan(
      [issueFor(PLAYS, 2, 'closed', 'completed'), issueFor(PLAYS, 6, 'closed', 'not_planned')],
      [PLAYS],
    );
    expect(numbers(p.declined)).toEqual([6]);
    expect(p.reopen).toEqual([]);
  });

  it('prefers an open issue to any closed one', () => {
    const p = plan([issueFor(PLAYS, 1, 'closed', 'completed'), issueFor(PLAYS, 4)], [PLAYS]);
    expect(numbers(p.unchanged)).toEqual([4]);
    expect(p.reopen).toEqual([]);
  });

  it('treats the same key twice in the audit as one gap, and counts the cap in new issues only', () => {
    const gaps = [PLAYS, PLAYS, LINEUPS, missingChildren('fct_plays', 2023, 1)];
    const p = plan([issueFor(LINEUPS, 9, 'closed', 'completed')], gaps, 1);
    expect(p.create.map((c) => c.gap.key)).toEqual([PLAYS.key]);
    expect(numbers(p.reopen.map((r) => r.issue))).toEqual([9]);
    expect(p.deferred.map((g) => g.key)).toEqual(['missing_children:fct_plays:2023']);
  });
});

describe('planIssueSync within the audit’s scope', () => {
  const LAYOUT: Gap = {
    key: 'mixed_partition_layout:fct_games',
    kind: 'mixed_partition_layout',
    table: 'fct_games',
    count: 1,
    ids: [],
    detail: 'two layouts',
  };
  const issues = () => [issueFor(PLAYS, 1), issueFor(LAYOUT, 2)];

  it('an audit of other seasons closes neither a 2024 issue nor a season-less one', () => {
    const p = planIssueSync(issues(), [], {
      maxNewIssues: 10,
      scope: { seasons: [2016, 2017], full: false },
    });
    expect(p.close).toEqual([]);
  });

  it('an audit of 2024 alone closes the 2024 issue, not the season-less one, and opens no season-less issue', () => {
    const p = planIssueSync(issues(), [LAYOUT], {
      maxNewIssues: 10,
      scope: { seasons: [2024], full: false },
    });
    expect(numbers(p.close)).toEqual([1]);
    expect(numbers(p.unchanged)).toEqual([]);
    const fresh = planIssueSync([], [LAYOUT, LINEUPS], {
      maxNewIssues: 10,
      scope: { seasons: [2024], full: false },
    });
    expect(fresh.create.map((c) => c.gap.key)).toEqual([LINEUPS.key]);
  });

  it('an audit of the full range closes both', () => {
    const p = planIssueSync(issues(), [], { maxNewIssues: 10, scope: { seasons: [2024], full: true } });
    expect(numbers(p.close)).toEqual([1, 2]);
  });
});
