import { notFound, validationFailed } from './http.js';
import { branchSha } from './state.js';
import type {
  CommentRecord,
  EventRecord,
  IssueRecord,
  LabelRecord,
  PullRecord,
  RepoState,
  UserRecord,
} from './state.js';

/** GitHub's cap on issue, pull request and comment bodies, counted in characters (code points). */
export const MAX_BODY_CHARS = 65536;

/** The color GitHub gives a label it creates because an issue named it. */
const IMPLICIT_LABEL_COLOR = 'ededed';

/**
 * The two shapes GitHub answers an over-long body with: issues (and pulls) say `custom`/`body`, comments have said
 * `unprocessable`/`data` with a capital "Body" since about 2020.
 */
export function checkBody(
  body: string | null | undefined,
  resource: 'Issue' | 'PullRequest' | 'IssueComment',
): void {
  if (body == null || [...body].length <= MAX_BODY_CHARS) return;
  const error =
    resource === 'IssueComment'
      ? {
          resource,
          code: 'unprocessable',
          field: 'data',
          message: 'Body is too long (maximum is 65536 characters)',
        }
      : {
          resource,
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        };
  throw validationFailed([error]);
}

export function issueOr404(state: RepoState, number: number): IssueRecord {
  const issue = Number.isInteger(number) ? state.issues.get(number) : undefined;
  if (!issue) throw notFound();
  return issue;
}

/** Finds a label case-insensitively, or creates it the way naming it on an issue does. */
export function ensureLabel(state: RepoState, name: string): LabelRecord {
  const existing = state.labels.get(name.toLowerCase());
  if (existing) return existing;
  if (name.trim() === '') {
    throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'name' }]);
  }
  const label = { id: state.nextId(), name, color: IMPLICIT_LABEL_COLOR, description: null };
  state.labels.set(name.toLowerCase(), label);
  return label;
}

function record(state: RepoState, issue: IssueRecord, event: Omit<EventRecord, 'id' | 'createdAt'>): void {
  issue.events.push({ ...event, id: state.nextId(), createdAt: state.now() });
}

function hasLabel(issue: IssueRecord, name: string): boolean {
  return issue.labels.some((l) => l.toLowerCase() === name.toLowerCase());
}

/** Adds labels the issue lacks, each with a `labeled` event by `actor`. */
export function addLabels(
  state: RepoState,
  issue: IssueRecord,
  names: readonly string[],
  actor: UserRecord,
): void {
  for (const name of names) {
    const label = ensureLabel(state, name);
    if (hasLabel(issue, label.name)) continue;
    issue.labels.push(label.name);
    record(state, issue, {
      event: 'labeled',
      actor: actor.login,
      label: { name: label.name, color: label.color },
    });
    issue.updatedAt = state.now();
  }
}

/** Removes one label; false when the issue does not carry it. */
export function removeLabel(state: RepoState, issue: IssueRecord, name: string, actor: UserRecord): boolean {
  const index = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (index < 0) return false;
  const [removed] = issue.labels.splice(index, 1);
  const label = state.labels.get(name.toLowerCase());
  record(state, issue, {
    event: 'unlabeled',
    actor: actor.login,
    label: { name: removed ?? name, color: label?.color ?? IMPLICIT_LABEL_COLOR },
  });
  issue.updatedAt = state.now();
  return true;
}

/** Replaces the label set, recording the difference as `unlabeled` and `labeled` events. */
export function setLabels(
  state: RepoState,
  issue: IssueRecord,
  names: readonly string[],
  actor: UserRecord,
): void {
  const wanted = names.map((n) => ensureLabel(state, n).name);
  for (const current of [...issue.labels]) {
    if (!wanted.some((w) => w.toLowerCase() === current.toLowerCase()))
      removeLabel(state, issue, current, actor);
  }
  addLabels(state, issue, wanted, actor);
}

export function setIssueState(
  state: RepoState,
  issue: IssueRecord,
  to: 'open' | 'closed',
  reason: IssueRecord['stateReason'] | undefined,
  actor: UserRecord,
): void {
  if (to === issue.state) {
    if (to === 'closed' && reason) issue.stateReason = reason;
    return;
  }
  issue.state = to;
  issue.updatedAt = state.now();
  if (to === 'closed') {
    // A closed pull request stops following its branch; freeze the tip it was closed at.
    if (issue.pull) issue.pull.headSha = branchSha(state, issue.pull.head) ?? issue.pull.headSha;
    issue.closedAt = issue.updatedAt;
    issue.closedBy = actor.login;
    issue.stateReason = reason ?? 'completed';
  } else {
    issue.closedAt = null;
    issue.stateReason = 'reopened';
  }
  record(state, issue, { event: to === 'closed' ? 'closed' : 'reopened', actor: actor.login });
}

export interface NewIssue {
  title: string;
  body?: string | null;
  labels?: readonly string[];
  pull?: PullRecord;
}

export function createIssue(state: RepoState, actor: UserRecord, input: NewIssue): IssueRecord {
  if (input.title.trim() === '') {
    throw validationFailed([
      { resource: input.pull ? 'PullRequest' : 'Issue', code: 'missing_field', field: 'title' },
    ]);
  }
  checkBody(input.body, input.pull ? 'PullRequest' : 'Issue');
  const now = state.now();
  const issue: IssueRecord = {
    number: state.nextNumber++,
    id: state.nextId(),
    title: input.title,
    body: input.body ?? null,
    state: 'open',
    stateReason: null,
    labels: [],
    user: actor.login,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    comments: [],
    events: [],
    ...(input.pull ? { pull: input.pull } : {}),
  };
  state.issues.set(issue.number, issue);
  addLabels(state, issue, input.labels ?? [], actor);
  issue.updatedAt = now;
  return issue;
}

export function addComment(
  state: RepoState,
  issue: IssueRecord,
  actor: UserRecord,
  body: string,
): CommentRecord {
  checkBody(body, 'IssueComment');
  const now = state.now();
  const comment = {
    id: state.nextId(),
    issueNumber: issue.number,
    body,
    user: actor.login,
    createdAt: now,
    updatedAt: now,
  };
  issue.comments.push(comment);
  state.comments.set(comment.id, comment);
  issue.updatedAt = now;
  return comment;
}

/** Roles that may set labels on a new issue; for anyone else GitHub drops the labels without an error. */
export function canPush(user: UserRecord): boolean {
  return user.role === 'admin' || user.role === 'maintain' || user.role === 'write';
}
