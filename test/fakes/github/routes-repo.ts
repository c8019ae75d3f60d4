import { HttpError, noContent, notFound, ok } from './http.js';
import type { Reply } from './http.js';
import { route, type RequestContext, type RouteDef } from './router.js';
import { legacyPermission, permissionsHash } from './views.js';

const COLLABORATOR = '/repos/{owner}/{repo}/collaborators/{username}';

/**
 * `permission` is the legacy value (maintain reads as "write", triage as "read"); `role_name` holds the real role.
 * Someone with no role can read a public repository; on a private one GitHub answers 404, as for a stranger.
 */
function permission({ state, views, params }: RequestContext): Reply {
  const user = state.users.get((params.username ?? '').toLowerCase());
  if (!user || (!user.role && state.private)) {
    throw notFound(
      'Not Found',
      'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user',
    );
  }
  const role = user.role ?? 'read';
  // A custom role answers with its own name; `permission` and the permissions hash show the role it is based on.
  const roleName = user.customRole ?? role;
  return ok({
    permission: legacyPermission(role),
    role_name: roleName,
    user: { ...views.user(user), permissions: permissionsHash(role), role_name: roleName },
  });
}

function isCollaborator({ state, params }: RequestContext): Reply {
  const user = state.users.get((params.username ?? '').toLowerCase());
  if (!user?.role) throw notFound();
  return noContent();
}

/** An installation token (a workflow's `GITHUB_TOKEN`) has no user behind it, and GitHub says so. */
function authenticatedUser({ views, actor }: RequestContext): Reply {
  if (actor.type === 'Bot') {
    throw new HttpError(
      403,
      'Resource not accessible by integration',
      {},
      'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    );
  }
  return ok(views.user(actor));
}

export const repoRoutes: RouteDef[] = [
  route('GET', '/repos/{owner}/{repo}', ({ views, actor }) => ok(views.repo(actor))),
  route('GET', `${COLLABORATOR}/permission`, permission),
  route('GET', COLLABORATOR, isCollaborator),
  route('GET', '/user', authenticatedUser),
];
