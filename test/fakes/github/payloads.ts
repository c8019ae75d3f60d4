import type { IssueRecord, RepoState, UserRecord } from './state.js';
import { userFor } from './state.js';
import type { Views } from './views.js';

/**
 * The event payloads GitHub hands a workflow run (`GITHUB_EVENT_PATH`), built from the fake's own state so the
 * issue, label, repository and people in them are the ones the API then answers about. Shapes follow GitHub's
 * webhook schemas (`@octokit/openapi-webhooks`); test/contract validates them there.
 */
export function createPayloads(state: RepoState, views: Views) {
  const api = views.api;
  /** The URLs a webhook's user carries beyond the REST user's. */
  const userUrls = (login: string) => {
    const at = `${api}/users/${encodeURIComponent(login)}`;
    return {
      followers_url: `${at}/followers`,
      following_url: `${at}/following{/other_user}`,
      gists_url: `${at}/gists{/gist_id}`,
      starred_url: `${at}/starred{/owner}{/repo}`,
      subscriptions_url: `${at}/subscriptions`,
      organizations_url: `${at}/orgs`,
      repos_url: `${at}/repos`,
      events_url: `${at}/events{/privacy}`,
      received_events_url: `${at}/received_events`,
    };
  };
  const user = (u: UserRecord) => ({ ...views.user(u), ...userUrls(u.login) });
  const organization = () => {
    const at = `${api}/orgs/${state.owner}`;
    return {
      login: state.owner,
      id: 9_000_001,
      node_id: views.repo().owner.node_id,
      url: at,
      repos_url: `${at}/repos`,
      events_url: `${at}/events`,
      hooks_url: `${at}/hooks`,
      issues_url: `${at}/issues`,
      members_url: `${at}/members{/member}`,
      public_members_url: `${at}/public_members{/member}`,
      avatar_url: views.repo().owner.avatar_url,
      description: null,
    };
  };
  const repository = () => {
    const r = views.repo();
    const at = views.repoApi;
    const templated = (path: string, param: string) => `${at}/${path}{/${param}}`;
    return {
      ...r,
      owner: { ...r.owner, ...userUrls(state.owner) },
      archive_url: `${at}/{archive_format}{/ref}`,
      assignees_url: templated('assignees', 'user'),
      blobs_url: templated('git/blobs', 'sha'),
      branches_url: templated('branches', 'branch'),
      collaborators_url: templated('collaborators', 'collaborator'),
      comments_url: templated('comments', 'number'),
      commits_url: templated('commits', 'sha'),
      compare_url: `${at}/compare/{base}...{head}`,
      contents_url: `${at}/contents/{+path}`,
      contributors_url: `${at}/contributors`,
      deployments_url: `${at}/deployments`,
      downloads_url: `${at}/downloads`,
      events_url: `${at}/events`,
      forks_url: `${at}/forks`,
      git_commits_url: templated('git/commits', 'sha'),
      git_refs_url: templated('git/refs', 'sha'),
      git_tags_url: templated('git/tags', 'sha'),
      hooks_url: `${at}/hooks`,
      issue_comment_url: templated('issues/comments', 'number'),
      issue_events_url: templated('issues/events', 'number'),
      issues_url: templated('issues', 'number'),
      keys_url: templated('keys', 'key_id'),
      labels_url: templated('labels', 'name'),
      languages_url: `${at}/languages`,
      merges_url: `${at}/merges`,
      milestones_url: templated('milestones', 'number'),
      notifications_url: `${at}/notifications{?since,all,participating}`,
      pulls_url: templated('pulls', 'number'),
      releases_url: templated('releases', 'id'),
      stargazers_url: `${at}/stargazers`,
      statuses_url: `${at}/statuses/{sha}`,
      subscribers_url: `${at}/subscribers`,
      subscription_url: `${at}/subscription`,
      tags_url: `${at}/tags`,
      teams_url: `${at}/teams`,
      trees_url: templated('git/trees', 'sha'),
      clone_url: `${views.html}.git`,
      git_url: `${views.html.replace(/^https:/, 'git:')}.git`,
      ssh_url: `git@github.com:${state.owner}/${state.name}.git`,
      svn_url: views.html,
      mirror_url: null,
      homepage: null,
      language: 'Python',
      license: null,
      size: 120,
      forks: 0,
      forks_count: 0,
      watchers: 0,
      watchers_count: 0,
      stargazers_count: 0,
      open_issues: r.open_issues_count,
      has_downloads: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      is_template: false,
      allow_forking: false,
      web_commit_signoff_required: false,
      topics: [],
      pushed_at: state.now(),
      updated_at: state.now(),
    };
  };
  const issue = (i: IssueRecord) => ({
    ...views.issue(i),
    user: user(userFor(state, i.user)),
    timeline_url: `${views.repoApi}/issues/${i.number}/timeline`,
    performed_via_github_app: null,
    reactions: {
      url: `${views.repoApi}/issues/${i.number}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  });
  const common = (sender: UserRecord) => ({
    repository: repository(),
    organization: organization(),
    sender: user(sender),
  });

  return {
    /** `issues` with action `labeled`: what fill.yml's `issues: types: [labeled]` receives. */
    issuesLabeled(i: IssueRecord, label: string, sender: UserRecord) {
      return {
        action: 'labeled' as const,
        issue: issue(i),
        label: views.labelNamed(label),
        ...common(sender),
      };
    },
    /** `workflow_dispatch`: the inputs as strings and booleans, the ref and the workflow file. */
    workflowDispatch(workflow: string, inputs: Record<string, string | boolean>, sender: UserRecord) {
      return {
        inputs,
        ref: `refs/heads/${state.defaultBranch}`,
        workflow,
        ...common(sender),
      };
    },
    /** `schedule`: no webhook exists for it; the runner writes the cron line, the workflow and the repository. */
    schedule(workflow: string, cron: string) {
      return { schedule: cron, workflow, repository: repository(), organization: organization() };
    },
  };
}

export type Payloads = ReturnType<typeof createPayloads>;
