import type { Reply } from './http.js';
import type { RepoState, UserRecord } from './state.js';
import type { Views } from './views.js';

/** Everything a route handler sees: handlers are synchronous, so each request applies atomically. */
export interface RequestContext {
  state: RepoState;
  views: Views;
  actor: UserRecord;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (ctx: RequestContext) => Reply;

/**
 * A route in Octokit's notation. `{name}` takes one path segment; `{name+}` takes the rest of the path and `{name*}`
 * the rest or nothing, because Octokit sends `heads/feature/x` and `reports/a.md` as one `%2F`-encoded segment while
 * other clients send real slashes.
 */
export interface RouteDef {
  method: string;
  template: string;
  handler: Handler;
}

export const route = (method: string, template: string, handler: Handler): RouteDef => ({
  method,
  template,
  handler,
});

export interface Match {
  def: RouteDef;
  /** The route as Octokit names it, `POST /repos/{owner}/{repo}/issues`. */
  name: string;
  params: Record<string, string>;
}

/** The first route whose method and template match the decoded path segments. */
export function matchRoute(
  routes: readonly RouteDef[],
  method: string,
  segments: readonly string[],
): Match | undefined {
  for (const def of routes) {
    if (def.method !== method) continue;
    const params = matchTemplate(def.template, segments);
    if (params) return { def, params, name: `${def.method} ${def.template.replace(/[+*]\}/g, '}')}` };
  }
  return undefined;
}

function matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/').slice(1);
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const rest = /^\{(\w+)([+*])\}$/.exec(part);
    if (rest) {
      const tail = segments.slice(i).filter((s, j, all) => s !== '' || j < all.length - 1);
      if (rest[2] === '+' && tail.length === 0) return undefined;
      params[rest[1] as string] = tail.join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const param = /^\{(\w+)\}$/.exec(part);
    if (param) {
      if (segment === '') return undefined;
      params[param[1] as string] = segment;
    } else if (part !== segment) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

/** Splits a raw pathname into decoded segments; `%2F` inside a segment stays inside it. */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
