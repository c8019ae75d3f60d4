import { createGitStore, type GitStore } from './git-objects.js';

/** Repository roles; the permission endpoint maps them to legacy permissions (maintain → write, triage → read). */
export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** A person or bot the fake knows; with a `token` it can call the API, with a `role` it is a collaborator. */
export interface FakeUserSpec {
  login: string;
  type?: 'User' | 'Bot';
  role?: RepoRole;
  /** A custom repository role's name; `role` is then the role it is based on (its legacy permission shows that). */
  customRole?: string;
  token?: string;
}

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  role: RepoRole | undefined;
  customRole?: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface EventRecord {
  id: number;
  event: 'labeled' | 'unlabeled' | 'closed' | 'reopened';
  actor: string;
  label?: { name: string; color: string };
  createdAt: string;
}

export interface PullRecord {
  headOwner: string;
  head: string;
  base: string;
  /** The head tip when last seen; kept when the branch is deleted, as GitHub keeps it. */
  headSha: string;
  draft: boolean;
}

/** Issues and pull requests share one record and one number sequence, as on GitHub. */
export interface IssueRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  labels: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  comments: CommentRecord[];
  events: EventRecord[];
  pull?: PullRecord;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  /** Keyed by lower-cased login: GitHub logins are case-insensitive. */
  users: Map<string, UserRecord>;
  tokens: Map<string, string>;
  /** Keyed by lower-cased name: label names are case-insensitive. */
  labels: Map<string, LabelRecord>;
  issues: Map<number, IssueRecord>;
  comments: Map<number, CommentRecord>;
  /** Full ref name (`refs/heads/main`) to commit SHA. */
  refs: Map<string, string>;
  git: GitStore;
  /**
   * "Allow GitHub Actions to create and approve pull requests" (Settings → Actions → General). Off, GitHub refuses
   * `POST /pulls` from a workflow's `GITHUB_TOKEN` with 403, whatever the job's `pull-requests: write`.
   */
  actionsCanCreatePullRequests: boolean;
  nextNumber: number;
  nextId(): number;
  /** Now, as GitHub writes timestamps: ISO 8601, UTC, whole seconds. */
  now(): string;
}

/** The login of a workflow's `GITHUB_TOKEN`: the GitHub Actions app's installation. */
export const ACTIONS_BOT = 'github-actions[bot]';

/** The token the default bot user calls with, like the `GITHUB_TOKEN` of a workflow run. */
export const DEFAULT_BOT_TOKEN = 'ghs_fakeGitHubActionsToken0000000000000';
export const DEFAULT_BOT: FakeUserSpec = {
  login: ACTIONS_BOT,
  type: 'Bot',
  role: 'write',
  token: DEFAULT_BOT_TOKEN,
};

/** The commit date of the initial commit, fixed so the initial SHA depends only on the files. */
export const INITIAL_COMMIT_DATE = '2024-01-01T00:00:00Z';

/** Real ids where the fake imitates a real account, so code that checks them sees the real value. */
const KNOWN_IDS: Record<string, number> = { 'github-actions[bot]': 41898282, 'dependabot[bot]': 49699333 };

export interface StateOptions {
  owner: string;
  repo: string;
  private: boolean;
  defaultBranch: string;
  files: Record<string, string>;
  users: readonly FakeUserSpec[];
  actionsCanCreatePullRequests: boolean;
  now: () => Date;
}

export function createRepoState(o: StateOptions): RepoState {
  let lastId = 1000;
  const now = () =>
    o
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const state: RepoState = {
    owner: o.owner,
    name: o.repo,
    id: 700_000_001,
    private: o.private,
    defaultBranch: o.defaultBranch,
    createdAt: INITIAL_COMMIT_DATE,
    users: new Map(),
    tokens: new Map(),
    labels: new Map(),
    issues: new Map(),
    comments: new Map(),
    refs: new Map(),
    git: createGitStore(),
    actionsCanCreatePullRequests: o.actionsCanCreatePullRequests,
    nextNumber: 1,
    nextId: () => ++lastId,
    now,
  };
  for (const spec of o.users) {
    const user = userFor(state, spec.login, spec.type ?? (spec.login.endsWith('[bot]') ? 'Bot' : 'User'));
    user.role = spec.role;
    if (spec.customRole !== undefined) user.customRole = spec.customRole;
    if (spec.token !== undefined) state.tokens.set(spec.token, user.login);
  }
  state.refs.set(`refs/heads/${o.defaultBranch}`, initialCommit(state, o.files));
  return state;
}

/** The user with this login, created on first mention (a person outside the repo who opens an issue, say). */
export function userFor(state: RepoState, login: string, type: 'User' | 'Bot' = 'User'): UserRecord {
  const key = login.toLowerCase();
  let user = state.users.get(key);
  if (!user) {
    user = { login, id: KNOWN_IDS[login] ?? state.nextId(), type, role: undefined };
    state.users.set(key, user);
  }
  return user;
}

function initialCommit(state: RepoState, files: Record<string, string>): string {
  const changes = Object.entries(files).map(([path, text]) => ({
    path,
    mode: '100644' as const,
    sha: state.git.put({ type: 'blob', content: Buffer.from(text) }),
  }));
  const tree = state.git.writeTree(undefined, changes);
  const signature = {
    name: state.owner,
    email: `${state.owner}@users.noreply.github.com`,
    date: INITIAL_COMMIT_DATE,
  };
  return state.git.put({
    type: 'commit',
    tree,
    parents: [],
    author: signature,
    committer: signature,
    message: 'Initial commit',
  });
}

/** Resolves what `?ref=` and the tree endpoints accept: a branch, `heads/x`, `refs/heads/x`, a tag or a commit SHA. */
export function resolveCommit(state: RepoState, ref: string): string | undefined {
  const candidates = ref.startsWith('refs/')
    ? [ref]
    : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`];
  for (const name of candidates) {
    const sha = state.refs.get(name);
    if (sha) return sha;
  }
  return /^[0-9a-f]{40}$/.test(ref) && state.git.commit(ref) ? ref : undefined;
}

export function branchSha(state: RepoState, branch: string): string | undefined {
  return state.refs.get(`refs/heads/${branch}`);
}
