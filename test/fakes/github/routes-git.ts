import {
  ENTRY_MODES,
  GitDataError,
  entryType,
  type CommitObject,
  type EntryMode,
  type GitSignature,
  type TreeChange,
} from './git-objects.js';
import {
  asObject,
  invalidRequest,
  notFound,
  ok,
  optionalString,
  requiredString,
  unprocessable,
} from './http.js';
import type { Reply } from './http.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import { resolveCommit, type RepoState, type UserRecord } from './state.js';
import type { Views } from './views.js';

const GIT = '/repos/{owner}/{repo}/git';

/** Base64 the way GitHub's Ruby answers it (`Base64.encode64`): lines of 60 characters, each ending in a newline. */
export function wrappedBase64(content: Buffer): string {
  return (content.toString('base64').match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

export function commitView(views: Views, sha: string, c: CommitObject) {
  return {
    sha,
    node_id: `C_${Buffer.from(sha, 'hex').toString('base64url')}`,
    url: `${views.repoApi}/git/commits/${sha}`,
    html_url: `${views.html}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${views.repoApi}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${views.repoApi}/git/commits/${p}`,
      html_url: `${views.html}/commit/${p}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

function treeView(state: RepoState, views: Views, sha: string, recursive: boolean) {
  return {
    sha,
    url: `${views.repoApi}/git/trees/${sha}`,
    tree: state.git.walk(sha, recursive).map((e) => ({
      ...e,
      url: `${views.repoApi}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
    })),
    truncated: false,
  };
}

function signature(value: unknown, field: string, fallback: GitSignature): GitSignature {
  if (value === undefined || value === null) return fallback;
  const o = asObject(value);
  const date = optionalString(o, 'date');
  const parsed = date ? Date.parse(date) : NaN;
  if (date && Number.isNaN(parsed))
    throw invalidRequest(`For '${field}/date', "${date}" is not a date-time.`);
  return {
    name: requiredString(o, 'name'),
    email: requiredString(o, 'email'),
    date: date ? new Date(parsed).toISOString().replace(/\.\d{3}Z$/, 'Z') : fallback.date,
  };
}

/** Without an author, GitHub signs commits as the token's user with their noreply address. */
export function defaultSignature(state: RepoState, actor: UserRecord): GitSignature {
  return {
    name: actor.login,
    email: `${actor.id}+${actor.login}@users.noreply.github.com`,
    date: state.now(),
  };
}

function createCommit({ state, views, actor, body }: RequestContext): Reply {
  const input = asObject(body);
  const message = requiredString(input, 'message');
  const tree = requiredString(input, 'tree');
  const parents = input.parents === undefined ? [] : input.parents;
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string')) {
    throw invalidRequest(`For 'properties/parents', ${JSON.stringify(parents)} is not an array of strings.`);
  }
  if (state.git.get(tree)?.type !== 'tree') throw unprocessable('Tree SHA does not exist');
  if (parents.some((p: string) => !state.git.commit(p))) {
    throw unprocessable('Parent SHA does not exist or is not a commit object');
  }
  const author = signature(input.author, 'author', defaultSignature(state, actor));
  const committer = signature(input.committer, 'committer', author);
  const commit: CommitObject = {
    type: 'commit',
    tree,
    parents: parents as string[],
    author,
    committer,
    message,
  };
  const sha = state.git.put(commit);
  return ok(commitView(views, sha, commit), 201, { location: `${views.repoApi}/git/commits/${sha}` });
}

function getCommit({ state, views, params }: RequestContext): Reply {
  const sha = params.commit_sha ?? '';
  const commit = state.git.commit(sha);
  if (!commit) throw notFound();
  return ok(commitView(views, sha, commit));
}

function treeChange(state: RepoState, raw: unknown): TreeChange {
  const entry = asObject(raw);
  const path = requiredString(entry, 'path');
  const mode = requiredString(entry, 'mode');
  if (!ENTRY_MODES.includes(mode)) throw unprocessable(`tree.mode "${mode}" is not a valid file mode`);
  const type = optionalString(entry, 'type');
  if (type && type !== entryType(mode as EntryMode))
    throw unprocessable(`tree.type ${type} does not match mode ${mode}`);
  const content = optionalString(entry, 'content');
  const sha = entry.sha;
  if (content != null && sha !== undefined)
    throw unprocessable('Must supply either tree.sha or tree.content, not both');
  if (content != null) {
    return {
      path,
      mode: mode as EntryMode,
      sha: state.git.put({ type: 'blob', content: Buffer.from(content) }),
    };
  }
  if (sha !== null && typeof sha !== 'string')
    throw unprocessable('Must supply either tree.sha or tree.content');
  return { path, mode: mode as EntryMode, sha };
}

function createTree({ state, views, body }: RequestContext): Reply {
  const input = asObject(body);
  if (!Array.isArray(input.tree)) throw invalidRequest(`"tree" wasn't supplied.`);
  const base = optionalString(input, 'base_tree') ?? undefined;
  try {
    const changes = input.tree.map((entry: unknown) => treeChange(state, entry));
    const sha = state.git.writeTree(base, changes);
    return ok(treeView(state, views, sha, false), 201, { location: `${views.repoApi}/git/trees/${sha}` });
  } catch (e) {
    if (e instanceof GitDataError) throw unprocessable(e.message);
    throw e;
  }
}

/** `tree_sha` may also be a commit SHA or a branch name; GitHub peels either to its tree. */
function getTree({ state, views, params, query }: RequestContext): Reply {
  const wanted = params.tree_sha ?? '';
  const object = state.git.get(wanted);
  const commit = object?.type === 'commit' ? object : state.git.commit(resolveCommit(state, wanted) ?? '');
  const sha = object?.type === 'tree' ? wanted : commit?.tree;
  if (!sha) throw notFound();
  const recursive = query.has('recursive') && !['0', 'false', ''].includes(query.get('recursive') ?? '');
  return ok(treeView(state, views, sha, recursive));
}

function createBlob({ state, views, body }: RequestContext): Reply {
  const input = asObject(body);
  const content = requiredString(input, 'content');
  const encoding = optionalString(input, 'encoding') ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'base64') {
    throw unprocessable(`encoding must be one of utf-8, base64; got ${encoding}`);
  }
  const sha = state.git.put({
    type: 'blob',
    content: Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'),
  });
  return ok({ url: `${views.repoApi}/git/blobs/${sha}`, sha }, 201, {
    location: `${views.repoApi}/git/blobs/${sha}`,
  });
}

function getBlob({ state, views, params }: RequestContext): Reply {
  const sha = params.file_sha ?? '';
  const blob = state.git.get(sha);
  if (blob?.type !== 'blob') throw notFound();
  return ok({
    sha,
    node_id: `B_${Buffer.from(sha, 'hex').toString('base64url')}`,
    size: blob.content.length,
    url: `${views.repoApi}/git/blobs/${sha}`,
    content: wrappedBase64(blob.content),
    encoding: 'base64',
  });
}

export const gitObjectRoutes: RouteDef[] = [
  route('POST', `${GIT}/commits`, createCommit),
  route('GET', `${GIT}/commits/{commit_sha}`, getCommit),
  route('POST', `${GIT}/trees`, createTree),
  route('GET', `${GIT}/trees/{tree_sha}`, getTree),
  route('POST', `${GIT}/blobs`, createBlob),
  route('GET', `${GIT}/blobs/{file_sha}`, getBlob),
];
