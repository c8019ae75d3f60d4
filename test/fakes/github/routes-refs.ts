import { asObject, noContent, notFound, ok, optionalBoolean, requiredString, unprocessable } from './http.js';
import type { Reply } from './http.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import type { Views } from './views.js';

const GIT = '/repos/{owner}/{repo}/git';

/** git-check-ref-format, plus GitHub's rule that the name starts with `refs/` and holds at least two slashes. */
function isValidRefName(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) return false;
  if (/(\.\.|@\{|\/\/|[\s~^:?*[\\])/.test(ref)) return false;
  if ([...ref].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  return !ref.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
}

function refView(views: Views, name: string, sha: string) {
  return {
    ref: name,
    node_id: `REF_${Buffer.from(name).toString('base64url')}`,
    url: `${views.repoApi}/git/${name}`,
    object: { sha, type: 'commit', url: `${views.repoApi}/git/commits/${sha}` },
  };
}

function getRef({ state, views, params }: RequestContext): Reply {
  const name = `refs/${params.ref}`;
  const sha = state.refs.get(name);
  if (!sha) throw notFound('Not Found', 'https://docs.github.com/rest/git/refs#get-a-reference');
  return ok(refView(views, name, sha));
}

function matchingRefs({ state, views, params }: RequestContext) {
  const prefix = `refs/${params.ref ?? ''}`;
  return [...state.refs.entries()]
    .filter(([name]) => name.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, sha]) => refView(views, name, sha));
}

/**
 * The legacy plural form answers an exact match as one object and a prefix as an array; the singular `git/ref/`
 * and `git/matching-refs/` replaced it, but clients still call it.
 */
function legacyRefs(ctx: RequestContext): Reply {
  const exact = ctx.state.refs.get(`refs/${ctx.params.ref}`);
  if (exact && ctx.params.ref) return ok(refView(ctx.views, `refs/${ctx.params.ref}`, exact));
  const matches = matchingRefs(ctx);
  if (matches.length === 0) throw notFound();
  return ok(matches);
}

function createRef({ state, views, body }: RequestContext): Reply {
  const input = asObject(body);
  const ref = requiredString(input, 'ref');
  const sha = requiredString(input, 'sha');
  if (!isValidRefName(ref)) throw unprocessable(`${ref} is not a valid ref name.`);
  if (state.refs.has(ref)) throw unprocessable('Reference already exists');
  if (!state.git.commit(sha)) throw unprocessable('Object does not exist');
  // git cannot hold `refs/heads/a` and `refs/heads/a/b` together (one would be a file, the other a directory).
  for (const existing of state.refs.keys()) {
    if (existing.startsWith(`${ref}/`) || ref.startsWith(`${existing}/`))
      throw unprocessable('Reference update failed');
  }
  state.refs.set(ref, sha);
  return ok(refView(views, ref, sha), 201, { location: `${views.repoApi}/git/${ref}` });
}

/**
 * PATCH takes the ref without `refs/` (`heads/x`); sending `refs/heads/x` makes GitHub look for `refs/refs/heads/x`
 * and answer "Reference does not exist". Without `force`, the new commit must descend from the current tip.
 */
function updateRef({ state, views, params, body }: RequestContext): Reply {
  const input = asObject(body);
  const sha = requiredString(input, 'sha');
  const name = `refs/${params.ref}`;
  const current = state.refs.get(name);
  if (!current) throw unprocessable('Reference does not exist');
  if (!state.git.commit(sha)) throw unprocessable('Object does not exist');
  if (!optionalBoolean(input, 'force') && !state.git.isAncestor(current, sha)) {
    throw unprocessable('Update is not a fast forward');
  }
  state.refs.set(name, sha);
  return ok(refView(views, name, sha));
}

function deleteRef({ state, params }: RequestContext): Reply {
  const name = `refs/${params.ref}`;
  const sha = state.refs.get(name);
  if (!sha) throw unprocessable('Reference does not exist');
  for (const issue of state.issues.values()) {
    if (issue.pull && `refs/heads/${issue.pull.head}` === name) issue.pull.headSha = sha;
  }
  state.refs.delete(name);
  return noContent();
}

export const refRoutes: RouteDef[] = [
  route('GET', `${GIT}/ref/{ref+}`, getRef),
  route('GET', `${GIT}/matching-refs/{ref*}`, (ctx) => ok(matchingRefs(ctx))),
  route('GET', `${GIT}/refs/{ref*}`, legacyRefs),
  route('POST', `${GIT}/refs`, createRef),
  route('PATCH', `${GIT}/refs/{ref+}`, updateRef),
  route('DELETE', `${GIT}/refs/{ref+}`, deleteRef),
];
