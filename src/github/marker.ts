import { GAP_KINDS, type Gap, type GapKind } from '../audit/types.js';

/** What a gap issue's hidden marker names: enough to match the issue to its gap and to plan a fill from it. */
export interface GapMarker {
  key: string;
  kind: GapKind;
  table: string;
  season?: number;
  endpoint?: string;
}

/** The hidden line on a refusal comment, so a second `fill` label by the same person is not refused twice. */
export interface RefusalMarker {
  user: string;
  reason: string;
}

const GAP_TAG = 'cbbd-gap-bot';
const REFUSAL_TAG = 'cbbd-gap-bot:refusal';

/** GitHub keeps at most 65,536 characters of a body; a marker further on is not ours. */
const MAX_SCAN = 65_536;
/** Our payloads are a few hundred characters; a longer one is not ours, and is not worth parsing. */
const MAX_PAYLOAD = 8_192;
/** Malformed look-alikes examined before giving up, so a body full of them costs little. */
const MAX_CANDIDATES = 100;
const MAX_FIELD = 256;

/** The hidden marker of a gap issue: `<!-- cbbd-gap-bot {"key":…,"kind":…,"table":…,"season":…,"endpoint":…} -->`. */
export function renderMarker(gap: Pick<Gap, 'key' | 'kind' | 'table' | 'season' | 'endpoint'>): string {
  return renderHidden(GAP_TAG, {
    key: gap.key,
    kind: gap.kind,
    table: gap.table,
    ...(gap.season === undefined ? {} : { season: gap.season }),
    ...(gap.endpoint === undefined ? {} : { endpoint: gap.endpoint }),
  });
}

/**
 * The first well-formed gap marker in a body, or undefined. Malformed look-alikes (not JSON, wrong types, an
 * unknown kind, nested or unterminated comments) are skipped; later markers are ignored, because the bot writes
 * its own as the first line. Only the first 65,536 characters are read. Never throws.
 */
export function parseMarker(body: unknown): GapMarker | undefined {
  return findHidden(body, GAP_TAG, asGapMarker);
}

/** The hidden line a refusal comment carries: who was refused, and why. */
export function renderRefusalMarker(refusal: RefusalMarker): string {
  return renderHidden(REFUSAL_TAG, { user: refusal.user, reason: refusal.reason });
}

/** The refusal marker of a comment, or undefined; the same rules as `parseMarker`. */
export function parseRefusalMarker(body: unknown): RefusalMarker | undefined {
  return findHidden(body, REFUSAL_TAG, (v) =>
    isRecord(v) && isText(v.user) && isText(v.reason) ? { user: v.user, reason: v.reason } : undefined,
  );
}

/**
 * `<` and `>` are written as `\u003c` and `\u003e` (JSON.parse reads them back), so no value can close the
 * comment early (`-->`, `--!>`) or open another one.
 */
function renderHidden(tag: string, payload: object): string {
  const json = JSON.stringify(payload).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<!-- ${tag} ${json} -->`;
}

function findHidden<T>(body: unknown, tag: string, accept: (value: unknown) => T | undefined): T | undefined {
  if (typeof body !== 'string') return undefined;
  const text = body.length > MAX_SCAN ? body.slice(0, MAX_SCAN) : body;
  const open = `<!-- ${tag} `;
  let from = 0;
  for (let seen = 0; seen < MAX_CANDIDATES; seen++) {
    const start = text.indexOf(open, from);
    if (start < 0) return undefined;
    from = start + open.length;
    const end = text.indexOf('-->', from);
    // No terminator after this opening means none after any later one either.
    if (end < 0) return undefined;
    if (end - from > MAX_PAYLOAD) continue;
    const value = accept(parseJson(text.slice(from, end)));
    if (value !== undefined) return value;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asGapMarker(v: unknown): GapMarker | undefined {
  if (!isRecord(v)) return undefined;
  const { key, kind, table, season, endpoint } = v;
  if (!isText(key) || !isText(table) || !(GAP_KINDS as readonly unknown[]).includes(kind)) return undefined;
  if (season !== undefined && !isSeason(season)) return undefined;
  if (endpoint !== undefined && !isText(endpoint)) return undefined;
  return {
    key,
    kind: kind as GapKind,
    table,
    ...(season === undefined ? {} : { season }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSeason(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1900 && v <= 9999;
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD;
}
