import {
  asObject,
  labelNames,
  noContent,
  notFound,
  oneOf,
  ok,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from './http.js';
import type { Reply } from './http.js';
import {
  addComment,
  canPush,
  checkBody,
  createIssue,
  issueOr404,
  setIssueState,
  setLabels,
} from './issue-ops.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import type { IssueRecord } from './state.js';

const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}';
const STATE_REASONS = ['completed', 'not_planned', 'reopened', 'duplicate'] as const;

const issueNumber = (ctx: RequestContext) => issueOr404(ctx.state, Number(ctx.params.issue_number));

/**
 * `GET /issues` lists pull requests too (each with a `pull_request` key) — GitHub's long-standing quirk that
 * callers must filter out. `labels` is a comma list that must all match, case-insensitively.
 */
function listIssues({ state, views, query }: RequestContext): Reply {
  const wanted = oneOf(query, 'state', ['open', 'closed', 'all'], 'open');
  const sort = oneOf(query, 'sort', ['created', 'updated', 'comments'], 'created');
  const direction = oneOf(query, 'direction', ['asc', 'desc'], 'desc');
  const labels = (query.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '');
  const creator = query.get('creator')?.toLowerCase();
  const since = query.get('since');
  const items = [...state.issues.values()].filter(
    (i) =>
      (wanted === 'all' || i.state === wanted) &&
      labels.every((l) => i.labels.some((have) => have.toLowerCase() === l)) &&
      (creator === undefined || i.user.toLowerCase() === creator) &&
      (since === null || i.updatedAt >= since),
  );
  const key = (i: IssueRecord): [string | number, number] =>
    sort === 'comments'
      ? [i.comments.length, i.number]
      : [sort === 'updated' ? i.updatedAt : i.createdAt, i.number];
  items.sort((a, b) => {
    const [ka, na] = key(a);
    const [kb, nb] = key(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : na - nb;
    return direction === 'asc' ? order : -order;
  });
  return paginate(items, query, `${views.listApi}/issues`, (i) => views.issue(i));
}

/** Labels on a new issue are kept only for users with push access; GitHub drops them silently for anyone else. */
function openIssue({ state, views, actor, body }: RequestContext): Reply {
  const input = asObject(body);
  const title = input.title;
  const issue = createIssue(state, actor, {
    title: typeof title === 'number' ? String(title) : requiredString(input, 'title'),
    body: optionalString(input, 'body'),
    labels: input.labels !== undefined && canPush(actor) ? labelNames(input.labels) : [],
  });
  return ok(views.issue(issue, true), 201, { location: `${views.repoApi}/issues/${issue.number}` });
}

function updateIssue(ctx: RequestContext): Reply {
  const { state, views, actor } = ctx;
  const issue = issueNumber(ctx);
  const input = asObject(ctx.body);
  const title = optionalString(input, 'title');
  const body = optionalString(input, 'body');
  checkBody(body, issue.pull ? 'PullRequest' : 'Issue');
  const wantedState = input.state === undefined ? undefined : requiredString(input, 'state');
  if (wantedState !== undefined && wantedState !== 'open' && wantedState !== 'closed') {
    throw validationFailed([{ resource: 'Issue', code: 'invalid', field: 'state' }]);
  }
  const reason = input.state_reason == null ? undefined : requiredString(input, 'state_reason');
  if (reason !== undefined && !(STATE_REASONS as readonly string[]).includes(reason)) {
    throw validationFailed([{ resource: 'Issue', code: 'invalid', field: 'state_reason' }]);
  }
  if (typeof title === 'string') issue.title = title;
  if (body !== undefined) issue.body = body;
  if (input.labels !== undefined && canPush(actor)) setLabels(state, issue, labelNames(input.labels), actor);
  if (wantedState) setIssueState(state, issue, wantedState, reason as IssueRecord['stateReason'], actor);
  issue.updatedAt = state.now();
  return ok(views.issue(issue, true));
}

function listComments(ctx: RequestContext): Reply {
  const issue = issueNumber(ctx);
  const { views, query } = ctx;
  return paginate(issue.comments, query, `${views.listApi}/issues/${issue.number}/comments`, views.comment);
}

function commentOn(ctx: RequestContext): Reply {
  const issue = issueNumber(ctx);
  const comment = addComment(ctx.state, issue, ctx.actor, requiredString(asObject(ctx.body), 'body'));
  return ok(ctx.views.comment(comment), 201, {
    location: `${ctx.views.repoApi}/issues/comments/${comment.id}`,
  });
}

function commentById(ctx: RequestContext) {
  const comment = ctx.state.comments.get(Number(ctx.params.comment_id));
  if (!comment) throw notFound();
  return comment;
}

function editComment(ctx: RequestContext): Reply {
  const comment = commentById(ctx);
  const body = requiredString(asObject(ctx.body), 'body');
  checkBody(body, 'IssueComment');
  comment.body = body;
  comment.updatedAt = ctx.state.now();
  return ok(ctx.views.comment(comment));
}

function deleteComment(ctx: RequestContext): Reply {
  const comment = commentById(ctx);
  ctx.state.comments.delete(comment.id);
  const issue = ctx.state.issues.get(comment.issueNumber);
  if (issue) issue.comments = issue.comments.filter((c) => c.id !== comment.id);
  return noContent();
}

function listEvents(ctx: RequestContext): Reply {
  const issue = issueNumber(ctx);
  const { views, query } = ctx;
  return paginate(issue.events, query, `${views.listApi}/issues/${issue.number}/events`, views.event);
}

export const issueRoutes: RouteDef[] = [
  route('GET', '/repos/{owner}/{repo}/issues', listIssues),
  route('POST', '/repos/{owner}/{repo}/issues', openIssue),
  route('GET', ISSUE, (ctx) => ok(ctx.views.issue(issueNumber(ctx), true))),
  route('PATCH', ISSUE, updateIssue),
  route('GET', `${ISSUE}/comments`, listComments),
  route('POST', `${ISSUE}/comments`, commentOn),
  route('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx) =>
    ok(ctx.views.comment(commentById(ctx))),
  ),
  route('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', editComment),
  route('DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}', deleteComment),
  route('GET', `${ISSUE}/events`, listEvents),
];
