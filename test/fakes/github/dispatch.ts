import { faultReply, primaryRateLimitReply, type FaultKind, type FaultSchedule } from './faults.js';
import { DOCS, HttpError, notFound, type Reply } from './http.js';
import type { RateLimits } from './rate-limit.js';
import { matchRoute, pathSegments, type Match, type RouteDef } from './router.js';
import type { RepoState, UserRecord } from './state.js';
import type { Views } from './views.js';

export interface Incoming {
  method: string;
  url: URL;
  authorization: string | undefined;
  body: string;
}

/** A reply plus what the request log records about it. */
export interface Answer extends Reply {
  user?: string;
  route?: string;
  fault?: FaultKind;
  /** True when a route handler ran (the request was authenticated, not faulted, and routed). */
  handled: boolean;
}

export interface Dispatcher {
  answer(incoming: Incoming): Answer;
}

interface Deps {
  state: RepoState;
  views: Views;
  routes: readonly RouteDef[];
  rates: RateLimits;
  faults: FaultSchedule;
}

/** GitHub takes `token <t>` and `Bearer <t>`, the scheme in any case. */
function tokenOf(authorization: string | undefined): string | undefined {
  return /^(?:token|bearer)\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** Who GitHub names in a primary rate limit message: an installation for bots, a user otherwise. */
const quotaOwner = (user: UserRecord) => `${user.type === 'Bot' ? 'installation' : 'user'} ID ${user.id}`;

/**
 * Decides the answer to one request, in GitHub's order: authentication, the primary quota, injected faults,
 * routing, the repository check, then the handler. Everything here is synchronous, so a request applies atomically.
 */
export function createDispatcher({ state, views, routes, rates, faults }: Deps): Dispatcher {
  const errorAnswer = (e: HttpError, extra: Partial<Answer> = {}): Answer => ({
    status: e.status,
    body: e.toBody(),
    handled: false,
    ...extra,
  });

  const authenticate = (authorization: string | undefined): UserRecord | HttpError => {
    if (authorization === undefined) return new HttpError(401, 'Requires authentication');
    const login = state.tokens.get(tokenOf(authorization) ?? '');
    const user = login === undefined ? undefined : state.users.get(login.toLowerCase());
    return user ?? new HttpError(401, 'Bad credentials');
  };

  /** Link headers address the repository as `/repositories/{id}`; route those as `/repos/{owner}/{repo}`. */
  const locate = (method: string, pathname: string): Match | undefined => {
    const segments = pathSegments(pathname);
    if (segments[0] === 'repositories' && segments[1] !== undefined) {
      if (segments[1] !== String(state.id)) return undefined;
      segments.splice(0, 2, 'repos', state.owner, state.name);
    }
    return matchRoute(routes, method, segments);
  };

  const isThisRepo = (params: Record<string, string>) =>
    params.owner === undefined ||
    (params.owner.toLowerCase() === state.owner.toLowerCase() &&
      params.repo?.toLowerCase() === state.name.toLowerCase());

  const run = (match: Match, actor: UserRecord, incoming: Incoming): Answer => {
    const base = { user: actor.login, route: match.name };
    if (!isThisRepo(match.params)) return errorAnswer(notFound(), base);
    let body: unknown;
    try {
      body = incoming.body === '' ? undefined : JSON.parse(incoming.body);
    } catch {
      return errorAnswer(new HttpError(400, 'Problems parsing JSON'), base);
    }
    try {
      const reply = match.def.handler({
        state,
        views,
        actor,
        params: match.params,
        query: incoming.url.searchParams,
        body,
      });
      return { ...reply, ...base, handled: true };
    } catch (e) {
      if (e instanceof HttpError) return { ...errorAnswer(e, base), handled: true };
      throw e;
    }
  };

  return {
    answer(incoming) {
      const actor = authenticate(incoming.authorization);
      if (actor instanceof HttpError) return errorAnswer(actor);
      const user = actor.login;
      if (incoming.method === 'GET' && incoming.url.pathname === '/rate_limit') {
        // Asking for the quota does not spend it.
        const core = rates.window(user);
        return { status: 200, body: { resources: { core }, rate: core }, user, handled: true };
      }
      if (rates.window(user).remaining === 0) {
        return {
          ...primaryRateLimitReply(quotaOwner(actor), rates.window(user).reset),
          user,
          handled: false,
        };
      }
      rates.charge(user);
      const match = locate(incoming.method, incoming.url.pathname);
      const fault = faults.next({
        method: incoming.method,
        path: incoming.url.pathname,
        route: match?.name,
        user,
      });
      if (fault) {
        const reply = faultReply(fault, quotaOwner(actor), rates.window(user).reset);
        return { ...reply, user, fault: fault.kind, handled: false, ...(match ? { route: match.name } : {}) };
      }
      if (!match) return errorAnswer(new HttpError(404, 'Not Found', {}, DOCS), { user });
      return run(match, actor, incoming);
    },
  };
}
