import {
  HttpError,
  asObject,
  notFound,
  oneOf,
  ok,
  optionalBoolean,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from './http.js';
import type { Reply } from './http.js';
import { checkBody, createIssue, setIssueState } from './issue-ops.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import { ACTIONS_BOT, branchSha, type IssueRecord, type RepoState } from './state.js';

const DOCS = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';

const refusal = (message: string) =>
  validationFailed([{ resource: 'PullRequest', code: 'custom', message }], DOCS);
const invalidField = (field: 'head' | 'base') =>
  validationFailed([{ resource: 'PullRequest', field, code: 'invalid' }], DOCS);

function pullOr404(
  state: RepoState,
  number: number,
): IssueRecord & { pull: NonNullable<IssueRecord['pull']> } {
  const issue = state.issues.get(number);
  if (!issue?.pull)
    throw notFound('Not Found', 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request');
  return issue as IssueRecord & { pull: NonNullable<IssueRecord['pull']> };
}

/** `owner:branch` names a branch in owner's repository; a bare branch name means the base repository's owner. */
function parseHead(state: RepoState, head: string): { owner: string; branch: string } {
  const colon = head.indexOf(':');
  return colon < 0
    ? { owner: state.owner, branch: head }
    : { owner: head.slice(0, colon), branch: head.slice(colon + 1) };
}

/**
 * The `head` filter only works as `owner:branch`: GitHub silently ignores a bare branch name and lists every pull
 * request, a trap for callers that then take the first result.
 */
function listPulls({ state, views, query }: RequestContext): Reply {
  const wanted = oneOf(query, 'state', ['open', 'closed', 'all'], 'open');
  const sort = oneOf(query, 'sort', ['created', 'updated', 'popularity', 'long-running'], 'created');
  const direction = oneOf(query, 'direction', ['asc', 'desc'], sort === 'created' ? 'desc' : 'asc');
  const head = query.get('head');
  const headFilter = head?.includes(':') ? parseHead(state, head) : undefined;
  const base = query.get('base');
  const pulls = [...state.issues.values()].filter(
    (i) =>
      i.pull &&
      (wanted === 'all' || i.state === wanted) &&
      (!headFilter ||
        (i.pull.headOwner.toLowerCase() === headFilter.owner.toLowerCase() &&
          i.pull.head === headFilter.branch)) &&
      (!base || i.pull.base === base),
  );
  const key = (i: IssueRecord) => (sort === 'updated' ? i.updatedAt : i.createdAt);
  pulls.sort((a, b) => {
    const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number;
    return direction === 'asc' ? order : -order;
  });
  return paginate(pulls, query, `${views.listApi}/pulls`, (i) => views.pull(i));
}

/** GitHub's answer to a workflow token when the repository does not let Actions open pull requests. */
export const ACTIONS_MAY_NOT_CREATE_PULLS =
  'GitHub Actions is not permitted to create or approve pull requests.';

/**
 * GitHub's refusals, in its order: the repository setting that keeps a workflow's token from opening pull requests
 * (403, checked before the body), unknown base or head branch (field errors), an open pull request for the same
 * head and base ("A pull request already exists for owner:branch."), and a head with nothing the base lacks
 * ("No commits between main and branch").
 */
function openPull({ state, views, actor, body }: RequestContext): Reply {
  if (!state.actionsCanCreatePullRequests && actor.login.toLowerCase() === ACTIONS_BOT)
    throw new HttpError(403, ACTIONS_MAY_NOT_CREATE_PULLS, {}, DOCS);
  const input = asObject(body);
  const title = requiredString(input, 'title');
  const base = requiredString(input, 'base');
  const head = parseHead(state, requiredString(input, 'head'));
  const text = optionalString(input, 'body');
  checkBody(text, 'PullRequest');
  const baseTip = branchSha(state, base);
  if (!baseTip) throw invalidField('base');
  const headTip =
    head.owner.toLowerCase() === state.owner.toLowerCase() ? branchSha(state, head.branch) : undefined;
  if (!headTip) throw invalidField('head');
  const duplicate = [...state.issues.values()].some(
    (i) => i.state === 'open' && i.pull?.head === head.branch && i.pull.base === base,
  );
  if (duplicate) throw refusal(`A pull request already exists for ${head.owner}:${head.branch}.`);
  if (state.git.isAncestor(headTip, baseTip)) throw refusal(`No commits between ${base} and ${head.branch}`);
  const issue = createIssue(state, actor, {
    title,
    body: text,
    pull: {
      headOwner: state.owner,
      head: head.branch,
      base,
      headSha: headTip,
      draft: optionalBoolean(input, 'draft') ?? false,
    },
  });
  return ok(views.pull(issue, true), 201, { location: `${views.repoApi}/pulls/${issue.number}` });
}

function updatePull(ctx: RequestContext): Reply {
  const { state, views, actor } = ctx;
  const pull = pullOr404(state, Number(ctx.params.pull_number));
  const input = asObject(ctx.body);
  const title = optionalString(input, 'title');
  const text = optionalString(input, 'body');
  checkBody(text, 'PullRequest');
  const base = optionalString(input, 'base');
  if (base != null && !branchSha(state, base)) throw invalidField('base');
  const wanted = optionalString(input, 'state');
  if (wanted != null && wanted !== 'open' && wanted !== 'closed') {
    throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'state' }], DOCS);
  }
  if (title != null) pull.title = title;
  if (text !== undefined) pull.body = text;
  if (base != null) pull.pull.base = base;
  if (wanted) setIssueState(state, pull, wanted, undefined, actor);
  pull.updatedAt = state.now();
  return ok(views.pull(pull, true));
}

export const pullRoutes: RouteDef[] = [
  route('GET', '/repos/{owner}/{repo}/pulls', listPulls),
  route('POST', '/repos/{owner}/{repo}/pulls', openPull),
  route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx) =>
    ok(ctx.views.pull(pullOr404(ctx.state, Number(ctx.params.pull_number)), true)),
  ),
  route('PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', updatePull),
];
