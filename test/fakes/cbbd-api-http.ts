import type { GameEndpointRecords } from '../../src/source/api-records.js';

/**
 * The fake CBBD API's routing and canned answers, each mirroring what CFBD/cbb-api (Express + tsoa) sends, so the
 * bot's client meets the same bodies, headers and content types it meets in production.
 */

export type GameEndpoint = keyof GameEndpointRecords;
/** cbb-api's bulk routes: `/plays/team`, `/plays/date`, `/substitutions/team`. */
export type BulkEndpoint = 'plays_team' | 'plays_date' | 'substitutions_team';
export type DataEndpoint = GameEndpoint | BulkEndpoint | 'games';
/** `other` is any request no route matched (Express answers those with its HTML 404). */
export type Endpoint = DataEndpoint | 'other';

/** tsoa's `details` of a 400: one entry per parameter that failed validation. */
export type FieldErrors = Record<string, { message: string; value: string }>;

/** A request one of the data routes matched, with its parameters parsed, or the reason they were refused. */
export interface DataRoute {
  endpoint: DataEndpoint;
  gameId?: number;
  season?: number;
  /** `team` of a `/…/team` route, as sent (the server lower-cases it to compare). */
  team?: string;
  /** `date` of `/plays/date`, midnight UTC as tsoa parses `YYYY-MM-DD`. */
  date?: Date;
  utcOffset?: number;
  invalid?: FieldErrors;
}

/** A planned HTTP answer; `body` is sent as is. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const MESSAGES = {
  /** cbb-api's auth.ts, for a missing header or one `/Bearer (?<token>.+)/` does not match. */
  missingBearer:
    'Unauthorized. Did you forget to add "Bearer " before your key? Go to CollegeBasketballData.com to register for your free API key. See the CBBD API documentation for more information.',
  unknownKey: 'Unauthorized',
  /** quotas.ts checkCallQuotas: no Retry-After, because waiting does not help until the month rolls over. */
  quota: 'Monthly call quota exceeded.',
  /** concurrency.ts: the only 429 the app sends with a Retry-After. */
  concurrency: 'Too many concurrent requests for this endpoint.',
  /** A throttle in front of the app: neither the quota text nor a Retry-After. */
  throttled: 'Too many requests',
  /** errors.ts in production hides the stack. */
  serverError: 'Internal Server Error',
  validation: 'Validation Failed',
} as const;

const GAME_ROUTES: readonly [RegExp, GameEndpoint][] = [
  [/^\/plays\/game\/([^/]+)\/?$/i, 'plays_game'],
  [/^\/substitutions\/game\/([^/]+)\/?$/i, 'substitutions_game'],
  [/^\/lineups\/game\/([^/]+)\/?$/i, 'lineups_game'],
];
const GAMES_ROUTE = /^\/games\/?$/i;
const TEAM_ROUTES: readonly [RegExp, BulkEndpoint][] = [
  [/^\/plays\/team\/?$/i, 'plays_team'],
  [/^\/substitutions\/team\/?$/i, 'substitutions_team'],
];
const DATE_ROUTE = /^\/plays\/date\/?$/i;
/** validator.js `isInt` as tsoa's `@isInt` calls it: signs and leading zeros pass, `1.5` and `1e3` do not. */
const INTEGER = /^[-+]?[0-9]+$/;

/**
 * Matches a request to a data route the way Express does (GET only, HEAD served by GET routes, case-insensitive,
 * optional trailing slash); undefined means Express's 404.
 */
export function matchRoute(method: string | undefined, url: string | undefined): DataRoute | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const { pathname, searchParams } = new URL(url ?? '/', 'http://fake.invalid');
  for (const [pattern, endpoint] of GAME_ROUTES) {
    const raw = pattern.exec(pathname)?.[1];
    if (raw !== undefined) return withInteger({ endpoint }, 'gameId', decodeParam(raw));
  }
  for (const [pattern, endpoint] of TEAM_ROUTES)
    if (pattern.test(pathname)) return teamRoute(endpoint, searchParams);
  if (DATE_ROUTE.test(pathname)) return dateRoute(searchParams);
  if (!GAMES_ROUTE.test(pathname)) return undefined;
  const season = searchParams.get('season');
  return season === null ? { endpoint: 'games' } : withInteger({ endpoint: 'games' }, 'season', season);
}

/** `/plays/team`, `/substitutions/team`: `season` (an integer) and `team` are both required by tsoa. */
function teamRoute(endpoint: BulkEndpoint, params: URLSearchParams): DataRoute {
  const season = params.get('season');
  const team = params.get('team');
  const invalid: FieldErrors = {};
  if (season === null) invalid['season'] = { message: "'season' is required", value: '' };
  if (team === null) invalid['team'] = { message: "'team' is required", value: '' };
  if (Object.keys(invalid).length > 0) return { endpoint, invalid };
  return withInteger({ endpoint, team: team! }, 'season', season!);
}

/** `/plays/date`: `date` required (tsoa's Date: an ISO 8601 date), `utcOffset` an optional number of hours. */
function dateRoute(params: URLSearchParams): DataRoute {
  const text = params.get('date');
  const date = text === null ? undefined : new Date(text);
  if (!date || Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text ?? ''))
    return {
      endpoint: 'plays_date',
      invalid: {
        date: {
          message: text === null ? "'date' is required" : 'invalid ISO 8601 date format',
          value: text ?? '',
        },
      },
    };
  const offset = params.get('utcOffset');
  if (offset === null) return { endpoint: 'plays_date', date };
  if (!Number.isFinite(Number(offset)) || offset.trim() === '')
    return {
      endpoint: 'plays_date',
      invalid: { utcOffset: { message: 'invalid float number', value: offset } },
    };
  return { endpoint: 'plays_date', date, utcOffset: Number(offset) };
}

function withInteger(route: DataRoute, field: 'gameId' | 'season', value: string): DataRoute {
  if (!INTEGER.test(value))
    return { ...route, invalid: { [field]: { message: 'invalid integer number', value } } };
  return { ...route, [field]: Number.parseInt(value, 10) };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A JSON answer as Express's `res.json` sends it. */
export function jsonReply(status: number, value: unknown): Reply {
  return textReply(status, 'application/json; charset=utf-8', JSON.stringify(value));
}

export function textReply(status: number, contentType: string, body: string): Reply {
  return {
    status,
    headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) },
    body,
  };
}

/** A caller-supplied body: JSON if it parses, otherwise served as HTML like a proxy's error page. */
export function rawReply(status: number, body: string): Reply {
  return textReply(
    status,
    isJson(body) ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    body,
  );
}

function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** Express's finalhandler 404: HTML, not JSON, and sent before authentication, so no key is needed to get one. */
export function notFoundReply(method: string | undefined, url: string | undefined): Reply {
  const pathname = new URL(url ?? '/', 'http://fake.invalid').pathname;
  const body =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n' +
    `<pre>${escapeHtml(`Cannot ${method ?? 'GET'} ${pathname}`)}</pre>\n</body>\n</html>\n`;
  const reply = textReply(404, 'text/html; charset=utf-8', body);
  reply.headers['Content-Security-Policy'] = "default-src 'none'";
  reply.headers['X-Content-Type-Options'] = 'nosniff';
  return reply;
}

/** A gateway's own error page (502/503/504 come from in front of the app): HTML, and no X-CallLimit-Remaining. */
export function gatewayReply(status: number): Reply {
  const title = `${status} ${GATEWAY_TITLES[status] ?? 'Error'}`;
  return textReply(
    status,
    'text/html; charset=utf-8',
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  );
}

const GATEWAY_TITLES: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The escape-html package finalhandler uses. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The token of an `Authorization` header, matched as cbb-api does: unanchored `/Bearer (?<token>.+)/`. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /Bearer (?<token>.+)/.exec(header)?.groups?.['token'];
}
