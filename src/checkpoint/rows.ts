import { paramsHash } from '../layout/hash.js';
import { pythonJsonDumps } from '../layout/python-json.js';
import type { GameStatus, ShardRef } from './checkpoint-store.js';

/** The key of an item in the checkpoint table: the partition (`endpoint`) and sort (`parameter_hash`) values. */
export interface RowKey {
  endpoint: string;
  parameter_hash: string;
}

/** The partition all of an endpoint's game rows share: `gap_fill:<endpoint>`. */
export const gamePartition = (endpoint: string): string => `gap_fill:${endpoint}`;

/** A game's row: the pipeline's parameter hash of `{"gameId": N}` under the endpoint's partition. */
export function gameRowKey(endpoint: string, gameId: number): RowKey {
  return { endpoint: gamePartition(endpoint), parameter_hash: paramsHash({ gameId }) };
}

/** A shard lock's row: `gap_fill_lock:<endpoint>`, `season=<S>/shard=<I/N>`. */
export function lockRowKey(shard: ShardRef): RowKey {
  return {
    endpoint: `gap_fill_lock:${shard.endpoint}`,
    parameter_hash: `season=${shard.season}/shard=${shard.shard}`,
  };
}

/** `last_error` is kept to about 1 KB: enough for the API's answer, small next to DynamoDB's 400 KB item limit. */
const ERROR_CHARS = 1000;

/** The payload as the pipeline writes it: Python's `json.dumps` of `{"game_id", "season", "ingested_at"}`. */
export function gamePayload(gameId: number, season: number | undefined, ingestedAt: string | null): string {
  return pythonJsonDumps({ game_id: gameId, season: season ?? null, ingested_at: ingestedAt }, false);
}

/** An error as stored in `last_error`: cut at ERROR_CHARS characters (never inside a surrogate pair). */
export function truncateError(error: string): string {
  const chars = [...error];
  return chars.length <= ERROR_CHARS ? error : `${chars.slice(0, ERROR_CHARS).join('')}…`;
}

/** A row's `payload` text read leniently: the pipeline's rows and the bot's share it; anything unreadable is `{}`. */
export function parsePayload(text: string | undefined): { game_id?: unknown; season?: unknown } {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** No status is a pipeline row: done. A status the bot does not know is never leased either, so also done. */
export function statusFrom(status: string | undefined): GameStatus {
  return status === 'leased' || status === 'empty' || status === 'failed' ? status : 'done';
}

/** The pipeline writes the season as a number; a digit string is read too, anything else is unknown. */
export function seasonOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The partition of an API key's budget holders: `gap_fill_budget:<hash of the key>`. */
export const budgetPartition = (keyHash: string): string => `gap_fill_budget:${keyHash}`;

/** A budget holder's row: one per run, so holders never write each other's rows. */
export function budgetRowKey(keyHash: string, owner: string): RowKey {
  return { endpoint: budgetPartition(keyHash), parameter_hash: `holder=${owner}` };
}

/** The key's quota ledger row, in its holders' partition. */
export function quotaRowKey(keyHash: string): RowKey {
  return { endpoint: budgetPartition(keyHash), parameter_hash: 'quota' };
}

/** Whether a row of a budget partition is a holder's (the other one is the quota ledger). */
export const isHolderRow = (parameterHash: string | undefined): boolean =>
  parameterHash?.startsWith('holder=') ?? false;

/** Live holders (expiry not yet reached at `now`), earliest joined first, owner breaking ties. */
export function liveHolders<H extends { owner: string; joinedAt: number; expiresAt: number }>(
  holders: readonly H[],
  now: number,
): H[] {
  return holders
    .filter((h) => h.expiresAt >= now)
    .sort((a, b) => a.joinedAt - b.joinedAt || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
}
