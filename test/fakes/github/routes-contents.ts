import { entryType, type EntryMode } from './git-objects.js';
import { HttpError, asObject, invalidRequest, notFound, ok, optionalString, requiredString } from './http.js';
import type { Reply } from './http.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import { commitView, defaultSignature, wrappedBase64 } from './routes-git.js';
import { branchSha, resolveCommit, type RepoState } from './state.js';
import type { Views } from './views.js';

const CONTENTS = '/repos/{owner}/{repo}/contents/{path*}';
const DOCS = 'https://docs.github.com/rest/repos/contents#get-repository-content';

/** Above 1 MiB the contents API stops inlining: `content` is empty and `encoding` is "none". */
const INLINE_LIMIT = 1024 * 1024;

const KINDS: Record<string, string> = { blob: 'file', tree: 'dir', commit: 'submodule' };

function entryView(
  state: RepoState,
  views: Views,
  ref: string,
  path: string,
  entry: { mode: EntryMode; sha: string },
) {
  const type = entryType(entry.mode);
  const object = state.git.get(entry.sha);
  const size = object?.type === 'blob' ? object.content.length : 0;
  const url = `${views.repoApi}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${views.repoApi}/git/${type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`;
  const htmlUrl = `${views.html}/${type === 'tree' ? 'tree' : 'blob'}/${ref}/${path}`;
  return {
    type: entry.mode === '120000' ? 'symlink' : KINDS[type],
    size,
    name: path.split('/').pop() ?? path,
    path,
    sha: entry.sha,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url:
      type === 'blob'
        ? `https://raw.githubusercontent.com/${state.owner}/${state.name}/${ref}/${path}`
        : null,
    _links: { self: url, git: gitUrl, html: htmlUrl },
  };
}

function fileView(
  state: RepoState,
  views: Views,
  ref: string,
  path: string,
  entry: { mode: EntryMode; sha: string },
) {
  const object = state.git.get(entry.sha);
  const content = object?.type === 'blob' ? object.content : Buffer.alloc(0);
  const inline = content.length <= INLINE_LIMIT;
  return {
    ...entryView(state, views, ref, path, entry),
    content: inline ? wrappedBase64(content) : '',
    encoding: inline ? 'base64' : 'none',
  };
}

/** A file answers as one object with base64 content; a directory answers as an array of its entries. */
function getContents({ state, views, params, query }: RequestContext): Reply {
  const ref = query.get('ref') || state.defaultBranch;
  const commitSha = resolveCommit(state, ref);
  const commit = commitSha ? state.git.commit(commitSha) : undefined;
  if (!commit) throw notFound(`No commit found for the ref ${ref}`, DOCS);
  const path = (params.path ?? '').replace(/^\/+|\/+$/g, '');
  const entry =
    path === '' ? { mode: '040000' as const, sha: commit.tree } : state.git.lookup(commit.tree, path);
  if (!entry) throw notFound('Not Found', DOCS);
  if (entryType(entry.mode) !== 'tree') return ok(fileView(state, views, ref, path, entry));
  return ok(
    state.git
      .walk(entry.sha, false)
      .map((e) => entryView(state, views, ref, path === '' ? e.path : `${path}/${e.path}`, e)),
  );
}

/**
 * Creates or updates one file with one commit on a branch. Updating needs the current blob `sha`: without it GitHub
 * answers 422, with a stale one 409.
 */
function putContents({ state, views, actor, params, body }: RequestContext): Reply {
  const input = asObject(body);
  const path = (params.path ?? '').replace(/^\/+|\/+$/g, '');
  if (path === '') throw notFound();
  const message = requiredString(input, 'message');
  const content = Buffer.from(requiredString(input, 'content'), 'base64');
  const branch = optionalString(input, 'branch') ?? state.defaultBranch;
  const tip = branchSha(state, branch);
  const parent = tip ? state.git.commit(tip) : undefined;
  if (!tip || !parent) throw notFound(`Branch ${branch} not found`, DOCS);
  const existing = state.git.lookup(parent.tree, path);
  const sha = optionalString(input, 'sha');
  if (existing && sha == null) throw invalidRequest(`"sha" wasn't supplied.`, DOCS);
  if (existing && sha !== existing.sha) throw new HttpError(409, `${path} does not match ${sha}`, {}, DOCS);

  const blob = state.git.put({ type: 'blob', content });
  const tree = state.git.writeTree(parent.tree, [{ path, mode: '100644', sha: blob }]);
  const author = defaultSignature(state, actor);
  const commit = { type: 'commit' as const, tree, parents: [tip], author, committer: author, message };
  const commitSha = state.git.put(commit);
  state.refs.set(`refs/heads/${branch}`, commitSha);
  return ok(
    {
      content: entryView(state, views, branch, path, { mode: '100644', sha: blob }),
      commit: commitView(views, commitSha, commit),
    },
    existing ? 200 : 201,
  );
}

export const contentRoutes: RouteDef[] = [
  route('GET', CONTENTS, getContents),
  route('PUT', CONTENTS, putContents),
];
