/** What a route answers; the server adds the headers every GitHub answer carries. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const DOCS = 'https://docs.github.com/rest';

/**
 * An error answer. GitHub's error bodies carry `message`, `documentation_url` and, since 2024, the status again as a
 * string (`"status": "404"`).
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly documentationUrl: string = DOCS,
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return {
      message: this.message,
      ...this.extra,
      documentation_url: this.documentationUrl,
      status: String(this.status),
    };
  }
}

export const notFound = (message = 'Not Found', doc = DOCS) => new HttpError(404, message, {}, doc);

/** 422 with a bare message, as the Git Data endpoints answer ("Reference already exists"). */
export const unprocessable = (message: string, doc = DOCS) => new HttpError(422, message, {}, doc);

/** 422 "Validation Failed" with GitHub's `errors` array. */
export const validationFailed = (errors: Record<string, unknown>[], doc = DOCS) =>
  new HttpError(422, 'Validation Failed', { errors }, doc);

/** GitHub's schema-validation answer for a missing or mistyped request field. */
export const invalidRequest = (detail: string, doc = DOCS) =>
  new HttpError(422, `Invalid request.\n\n${detail}`, {}, doc);

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

export const noContent = (): Reply => ({ status: 204 });

/** The request body as an object, or 422 like GitHub's schema check when it is something else. */
export function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(`For 'links/0/schema', ${JSON.stringify(body)} is not an object.`);
  }
  return body as Record<string, unknown>;
}

export function requiredString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) throw invalidRequest(`"${key}" wasn't supplied.`);
  if (typeof v !== 'string')
    throw invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

/** A string field that may be absent (undefined) or explicitly null. */
export function optionalString(o: Record<string, unknown>, key: string): string | null | undefined {
  const v = o[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string')
    throw invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

export function optionalBoolean(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not a boolean.`);
  return v;
}

/** Label lists come as names or as `{ name }` objects; GitHub takes both. */
export function labelNames(v: unknown, key = 'labels'): string[] {
  if (!Array.isArray(v))
    throw invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not an array.`);
  return v.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string') {
      return (item as { name: string }).name;
    }
    throw invalidRequest(`For 'items', ${JSON.stringify(item)} is not a string or an object with a name.`);
  });
}

/** `per_page` defaults to 30 and is capped at 100; a bad or missing `page` is page 1. */
export function pageParams(query: URLSearchParams): { page: number; perPage: number } {
  const perPageRaw = Number.parseInt(query.get('per_page') ?? '', 10);
  const pageRaw = Number.parseInt(query.get('page') ?? '', 10);
  return {
    perPage: Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 30,
    page: Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1,
  };
}

/**
 * One page of `items`, rendered, and GitHub's RFC 5988 `Link` header: rels in GitHub's order (prev, next, last,
 * first), each URL the list URL with the request's query and `page` replaced. No header when all fits on one page.
 */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  listUrl: string,
  render: (item: T) => unknown,
): Reply {
  const { page, perPage } = pageParams(query);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage).map(render);
  if (last === 1 && page === 1) return ok(body);
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(n));
    return `<${listUrl}?${q.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return ok(body, 200, { link: links.join(', ') });
}

/** Reads an enumerated query parameter, 422 for a value GitHub would refuse. */
export function oneOf<T extends string>(
  query: URLSearchParams,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = query.get(key);
  if (v === null || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalidRequest(`For '${key}', ${JSON.stringify(v)} is not one of ${allowed.join(', ')}.`);
  }
  return v as T;
}
