import type { IssueRecord, RepoState } from './state.js';
import { branchSha, resolveCommit } from './state.js';

/** An issue (or pull request) as a test reads it: plain data, detached from the fake's state. */
export interface IssueSnapshot {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: IssueRecord['stateReason'];
  labels: string[];
  author: string;
  isPullRequest: boolean;
  comments: { id: number; author: string; body: string }[];
  events: { event: string; actor: string; label?: string }[];
  closedBy: string | null;
}

export interface PullSnapshot {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  author: string;
  head: string;
  base: string;
  headSha: string;
  draft: boolean;
}

export function issueSnapshot(i: IssueRecord): IssueSnapshot {
  return {
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    stateReason: i.stateReason,
    labels: [...i.labels],
    author: i.user,
    isPullRequest: i.pull !== undefined,
    comments: i.comments.map((c) => ({ id: c.id, author: c.user, body: c.body })),
    events: i.events.map((e) => ({
      event: e.event,
      actor: e.actor,
      ...(e.label ? { label: e.label.name } : {}),
    })),
    closedBy: i.closedBy,
  };
}

export function pullSnapshot(
  state: RepoState,
  i: IssueRecord & { pull: NonNullable<IssueRecord['pull']> },
): PullSnapshot {
  return {
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    author: i.user,
    head: i.pull.head,
    base: i.pull.base,
    headSha: i.state === 'open' ? (branchSha(state, i.pull.head) ?? i.pull.headSha) : i.pull.headSha,
    draft: i.pull.draft,
  };
}

/** Every file at a ref (branch, `refs/...` name or commit SHA) as UTF-8 text; undefined for an unknown ref. */
export function filesAt(state: RepoState, ref: string): Record<string, string> | undefined {
  const commit = state.git.commit(resolveCommit(state, ref) ?? '');
  if (!commit) return undefined;
  const files: Record<string, string> = {};
  for (const entry of state.git.walk(commit.tree, true)) {
    const blob = state.git.get(entry.sha);
    if (blob?.type === 'blob') files[entry.path] = blob.content.toString('utf8');
  }
  return files;
}

/** One file at a ref as UTF-8 text; undefined when the ref or the file is absent. */
export function fileAt(state: RepoState, ref: string, path: string): string | undefined {
  const commit = state.git.commit(resolveCommit(state, ref) ?? '');
  const entry = commit ? state.git.lookup(commit.tree, path) : undefined;
  const blob = entry ? state.git.get(entry.sha) : undefined;
  return blob?.type === 'blob' ? blob.content.toString('utf8') : undefined;
}
