/** DynamoDB I/O of the checkpoint adapter: every call through one retry policy, reads consistent and paged. */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type KeysAndAttributes,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** The table an adapter works on, and its clock. */
export interface Table {
  client: DynamoDBClient;
  name: string;
  now: () => number;
}

/** Attribute values: a string, a number, an instant as ISO text. */
export const str = (s: string): AttributeValue => ({ S: s });
export const num = (n: number): AttributeValue => ({ N: String(n) });
export const iso = (at: number): AttributeValue => str(new Date(at).toISOString());

/** Runs a conditional write; `false` when DynamoDB refused the condition. */
export async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await withRetry(write);
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** One row, read consistently (a lease just written must be seen). */
export async function getItem(t: Table, key: Item): Promise<Item | undefined> {
  const out = await withRetry(() =>
    t.client.send(new GetItemCommand({ TableName: t.name, Key: key, ConsistentRead: true })),
  );
  return out.Item;
}

/** One BatchGetItem request of ≤100 keys, asking again (with backoff) for the keys DynamoDB leaves unprocessed. */
export async function batchGet(t: Table, request: KeysAndAttributes): Promise<Item[]> {
  const items: Item[] = [];
  let pending: KeysAndAttributes | undefined = request;
  for (let round = 0; pending?.Keys?.length; round++) {
    if (round > RETRY_ROUNDS)
      throw new Error(
        `BatchGetItem on ${t.name} left ${pending.Keys.length} keys unprocessed after ${round} rounds`,
      );
    if (round > 0) await sleep(backoffMs(round - 1));
    const ask: KeysAndAttributes = pending;
    const out = await withRetry(() =>
      t.client.send(new BatchGetItemCommand({ RequestItems: { [t.name]: ask } })),
    );
    items.push(...(out.Responses?.[t.name] ?? []));
    pending = out.UnprocessedKeys?.[t.name];
  }
  return items;
}

/** Query pages through the adapter's retry (the SDK's paginator would send them without it). */
export async function* queryPages(t: Table, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput> {
  let start: Item | undefined;
  do {
    const page = await withRetry(() =>
      t.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
    );
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/*
 * Retry policy for DynamoDB, on top of the SDK's. The SDK's standard mode makes 3 attempts within about a second.
 * Every game of an endpoint sits under ONE partition key (`gap_fill:<endpoint>`, the pipeline's key schema), so a
 * wide fill matrix can throttle that partition for longer than that; here throttling and 5xx answers get
 * RETRY_ROUNDS more tries with exponential backoff and full jitter (up to 0.2 s, doubling, capped at 10 s), so a
 * hot shard slows down instead of failing games. ConditionalCheckFailedException is never retried: it is the
 * answer to the condition, not an error. Repeating a conditional write is safe: a repeat of a write that landed
 * is refused, and the callers read the row back to recognise their own write.
 */
const RETRY_ROUNDS = 5;
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

export async function withRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await call();
    } catch (e) {
      if (round >= RETRY_ROUNDS || !isRetryable(e)) throw e;
      await sleep(backoffMs(round));
    }
  }
}

function isRetryable(e: unknown): boolean {
  if (e instanceof ConditionalCheckFailedException) return false;
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = err?.$metadata?.httpStatusCode;
  return RETRYABLE.has(err?.name ?? '') || (status !== undefined && status >= 500);
}

function backoffMs(round: number): number {
  return Math.random() * Math.min(10_000, 200 * 2 ** round);
}
