import {
  asObject,
  labelNames,
  noContent,
  notFound,
  ok,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from './http.js';
import type { Reply } from './http.js';
import { addLabels, ensureLabel, issueOr404, removeLabel, setLabels } from './issue-ops.js';
import { route, type RequestContext, type RouteDef } from './router.js';

const LABELS = '/repos/{owner}/{repo}/labels';
const ISSUE_LABELS = '/repos/{owner}/{repo}/issues/{issue_number}/labels';

const issueOf = (ctx: RequestContext) => issueOr404(ctx.state, Number(ctx.params.issue_number));

/** The label endpoints take `{ labels: [...] }` or, for compatibility, a bare array. */
const requestedLabels = (body: unknown) => labelNames(Array.isArray(body) ? body : asObject(body).labels);

function labelsOnIssue(ctx: RequestContext): Reply {
  return ok(issueOf(ctx).labels.map(ctx.views.labelNamed));
}

function createLabel({ state, views, body }: RequestContext): Reply {
  const input = asObject(body);
  const name = requiredString(input, 'name');
  const color = (optionalString(input, 'color') ?? 'ededed').replace(/^#/, '');
  if (!/^[0-9a-fA-F]{6}$/.test(color))
    throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }]);
  if (state.labels.has(name.toLowerCase())) {
    throw validationFailed(
      [{ resource: 'Label', code: 'already_exists', field: 'name' }],
      'https://docs.github.com/rest/issues/labels#create-a-label',
    );
  }
  const label = ensureLabel(state, name);
  label.color = color.toLowerCase();
  label.description = optionalString(input, 'description') ?? null;
  return ok(views.label(label), 201, { location: views.label(label).url });
}

function labelByName(ctx: RequestContext) {
  const label = ctx.state.labels.get((ctx.params.name ?? '').toLowerCase());
  if (!label) throw notFound('Not Found', 'https://docs.github.com/rest/issues/labels#get-a-label');
  return label;
}

function deleteLabel(ctx: RequestContext): Reply {
  const label = labelByName(ctx);
  for (const issue of ctx.state.issues.values()) {
    issue.labels = issue.labels.filter((l) => l.toLowerCase() !== label.name.toLowerCase());
  }
  ctx.state.labels.delete(label.name.toLowerCase());
  return noContent();
}

function addToIssue(ctx: RequestContext): Reply {
  addLabels(ctx.state, issueOf(ctx), requestedLabels(ctx.body), ctx.actor);
  return labelsOnIssue(ctx);
}

function replaceOnIssue(ctx: RequestContext): Reply {
  setLabels(ctx.state, issueOf(ctx), requestedLabels(ctx.body), ctx.actor);
  return labelsOnIssue(ctx);
}

/** Removing a label the issue does not carry is a 404 with its own message, not a no-op. */
function removeFromIssue(ctx: RequestContext): Reply {
  if (!removeLabel(ctx.state, issueOf(ctx), ctx.params.name ?? '', ctx.actor)) {
    throw notFound(
      'Label does not exist',
      'https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue',
    );
  }
  return labelsOnIssue(ctx);
}

function clearIssue(ctx: RequestContext): Reply {
  setLabels(ctx.state, issueOf(ctx), [], ctx.actor);
  return noContent();
}

export const labelRoutes: RouteDef[] = [
  route('GET', LABELS, (ctx) =>
    paginate([...ctx.state.labels.values()], ctx.query, `${ctx.views.listApi}/labels`, ctx.views.label),
  ),
  route('POST', LABELS, createLabel),
  route('GET', `${LABELS}/{name}`, (ctx) => ok(ctx.views.label(labelByName(ctx)))),
  route('DELETE', `${LABELS}/{name}`, deleteLabel),
  route('GET', ISSUE_LABELS, labelsOnIssue),
  route('POST', ISSUE_LABELS, addToIssue),
  route('PUT', ISSUE_LABELS, replaceOnIssue),
  route('DELETE', ISSUE_LABELS, clearIssue),
  route('DELETE', `${ISSUE_LABELS}/{name}`, removeFromIssue),
];
