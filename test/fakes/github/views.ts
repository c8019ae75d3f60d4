import type {
  CommentRecord,
  EventRecord,
  IssueRecord,
  LabelRecord,
  RepoRole,
  RepoState,
  UserRecord,
} from './state.js';
import { branchSha, userFor } from './state.js';

const WEB = 'https://github.com';

/** Legacy permission for a role: GitHub folds maintain into write and triage into read. */
export function legacyPermission(role: RepoRole | undefined): 'admin' | 'write' | 'read' | 'none' {
  if (role === 'admin') return 'admin';
  if (role === 'maintain' || role === 'write') return 'write';
  if (role === 'triage' || role === 'read') return 'read';
  return 'none';
}

const RANK: Record<RepoRole, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export function permissionsHash(role: RepoRole | undefined) {
  const rank = role ? RANK[role] : 0;
  return { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 };
}

const nodeId = (prefix: string, id: number) => `${prefix}_${Buffer.from(`0:${id}`).toString('base64url')}`;

/** The JSON shapes GitHub answers with, built from the records; `api` is the fake's own base URL. */
export function createViews(state: RepoState, api: string) {
  const repoApi = `${api}/repos/${state.owner}/${state.name}`;
  const html = `${WEB}/${state.owner}/${state.name}`;
  /** GitHub's `Link` headers address the repository by id, not by name: `/repositories/123/issues?page=2`. */
  const listApi = `${api}/repositories/${state.id}`;

  const user = (u: UserRecord) => ({
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Bot' ? 'BOT' : 'U', u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${api}/users/${encodeURIComponent(u.login)}`,
    html_url: u.type === 'Bot' ? `${WEB}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${WEB}/${u.login}`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  });
  const userByLogin = (login: string) => user(userFor(state, login));

  const owner = () => ({
    ...user({ login: state.owner, id: 9_000_001, type: 'User', role: undefined }),
    node_id: nodeId('O', 9_000_001),
    html_url: `${WEB}/${state.owner}`,
    type: 'Organization',
  });

  const repo = (caller?: UserRecord) => ({
    id: state.id,
    node_id: nodeId('R', state.id),
    name: state.name,
    full_name: `${state.owner}/${state.name}`,
    private: state.private,
    visibility: state.private ? 'private' : 'public',
    owner: owner(),
    html_url: html,
    description: null,
    fork: false,
    url: repoApi,
    created_at: state.createdAt,
    default_branch: state.defaultBranch,
    has_issues: true,
    archived: false,
    disabled: false,
    open_issues_count: [...state.issues.values()].filter((i) => i.state === 'open').length,
    ...(caller ? { permissions: permissionsHash(caller.role) } : {}),
  });

  const label = (l: LabelRecord) => ({
    id: l.id,
    node_id: nodeId('LA', l.id),
    url: `${repoApi}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: false,
    description: l.description,
  });
  const labelByName = (name: string) => {
    const l = state.labels.get(name.toLowerCase());
    return label(l ?? { id: 0, name, color: 'ededed', description: null });
  };

  const association = (login: string) => {
    if (login.toLowerCase() === state.owner.toLowerCase()) return 'OWNER';
    return userFor(state, login).role ? 'COLLABORATOR' : 'NONE';
  };

  const issue = (i: IssueRecord, detail = false) => ({
    url: `${repoApi}/issues/${i.number}`,
    repository_url: repoApi,
    labels_url: `${repoApi}/issues/${i.number}/labels{/name}`,
    comments_url: `${repoApi}/issues/${i.number}/comments`,
    events_url: `${repoApi}/issues/${i.number}/events`,
    html_url: `${html}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    id: i.id,
    node_id: nodeId(i.pull ? 'PR' : 'I', i.id),
    number: i.number,
    title: i.title,
    user: userByLogin(i.user),
    labels: i.labels.map(labelByName),
    state: i.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: i.comments.length,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    author_association: association(i.user),
    active_lock_reason: null,
    body: i.body,
    state_reason: i.stateReason,
    ...(i.pull
      ? {
          draft: i.pull.draft,
          pull_request: {
            url: `${repoApi}/pulls/${i.number}`,
            html_url: `${html}/pull/${i.number}`,
            diff_url: `${html}/pull/${i.number}.diff`,
            patch_url: `${html}/pull/${i.number}.patch`,
            merged_at: null,
          },
        }
      : {}),
    ...(detail ? { closed_by: i.closedBy ? userByLogin(i.closedBy) : null } : {}),
  });

  const branchEnd = (ownerLogin: string, ref: string, sha: string) => ({
    label: `${ownerLogin}:${ref}`,
    ref,
    sha,
    user: owner(),
    repo: repo(),
  });

  const pull = (i: IssueRecord, detail = false) => {
    const p = i.pull;
    if (!p) throw new Error(`#${i.number} is an issue, not a pull request`);
    // An open pull request follows its branch; a closed one (or one whose branch is gone) keeps the last tip.
    const headSha = i.state === 'open' ? (branchSha(state, p.head) ?? p.headSha) : p.headSha;
    const baseSha = branchSha(state, p.base) ?? '';
    return {
      url: `${repoApi}/pulls/${i.number}`,
      id: i.id,
      node_id: nodeId('PR', i.id),
      html_url: `${html}/pull/${i.number}`,
      diff_url: `${html}/pull/${i.number}.diff`,
      patch_url: `${html}/pull/${i.number}.patch`,
      issue_url: `${repoApi}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      locked: false,
      title: i.title,
      user: userByLogin(i.user),
      body: i.body,
      labels: i.labels.map(labelByName),
      milestone: null,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branchEnd(p.headOwner, p.head, headSha),
      base: branchEnd(state.owner, p.base, baseSha),
      author_association: association(i.user),
      auto_merge: null,
      draft: p.draft,
      ...(detail
        ? {
            merged: false,
            mergeable: null,
            mergeable_state: 'unknown',
            merged_by: null,
            comments: i.comments.length,
            review_comments: 0,
            maintainer_can_modify: false,
          }
        : {}),
    };
  };

  const comment = (c: CommentRecord) => ({
    url: `${repoApi}/issues/comments/${c.id}`,
    html_url: `${html}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${repoApi}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId('IC', c.id),
    user: userByLogin(c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: association(c.user),
    body: c.body,
  });

  const event = (e: EventRecord) => ({
    id: e.id,
    node_id: nodeId(e.event === 'labeled' ? 'LE' : e.event === 'unlabeled' ? 'UNLE' : 'CE', e.id),
    url: `${repoApi}/issues/events/${e.id}`,
    actor: userByLogin(e.actor),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.createdAt,
    performed_via_github_app: null,
    ...(e.label ? { label: e.label } : {}),
  });

  return {
    api,
    repoApi,
    listApi,
    html,
    user,
    repo,
    label,
    labelNamed: labelByName,
    issue,
    pull,
    comment,
    event,
  };
}

export type Views = ReturnType<typeof createViews>;
