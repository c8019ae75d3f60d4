/**
 * Failures of the services a run reads (S3 or the lake directory, Glue or the local catalog, DynamoDB, Athena)
 * turned into `RunFailedError` (exit 4) with the service, the bucket or table, and the likely remedy, so "no AWS
 * credentials" is never read as "gaps found" and never shows as a bare SDK message.
 */

import type { Catalog } from '../catalog/catalog.js';
import type { ObjectStore } from '../lake/object-store.js';
import { errorMessage, RunFailedError } from '../util/errors.js';

/** What failed: the service (`S3`, `Glue`, `DynamoDB`, `Athena`, `the lake directory`) and its bucket or table. */
export interface FailedService {
  service: string;
  resource: string;
}

/** The error as a `RunFailedError` naming the service, the resource, the step, and the likely remedy. */
export function runFailure(e: unknown, where: FailedService, step: string): RunFailedError {
  if (e instanceof RunFailedError) return e;
  return new RunFailedError(
    `${where.service} ${where.resource}: ${step}: ${errorMessage(e)}; likely remedy: ${remedyFor(e, where)}`,
    { cause: e },
  );
}

/** Text that fits the error's name, code or HTTP status; AWS SDK errors are told apart by name, never by import. */
export function remedyFor(e: unknown, where: FailedService): string {
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = err?.name ?? '';
  const code = err?.code ?? (err as { cause?: { code?: string } } | undefined)?.cause?.code ?? '';
  const status = err?.$metadata?.httpStatusCode;
  const text = errorMessage(e);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(text))
    return 'no AWS credentials were found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in a workflow, aws-actions/configure-aws-credentials), or audit a local copy with --lake ./dir';
  if (
    /ExpiredToken|InvalidAccessKeyId|SignatureDoesNotMatch|UnrecognizedClient|InvalidClientTokenId/.test(name)
  )
    return 'the AWS credentials were refused: renew them or check which account they belong to';
  if (/AccessDenied/.test(name) || status === 403 || code === 'EACCES' || code === 'EPERM')
    return `the credentials may not read ${where.resource}: grant read access to it (see docs/aws.md)`;
  if (name === 'NoSuchBucket') return `no such bucket: check --lake and the bucket in config.yaml`;
  if (/ResourceNotFound|EntityNotFound/.test(name))
    return `${where.resource} does not exist: check its name in config.yaml (or the --checkpoints / --lake flag)`;
  if (
    /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code) ||
    /TimeoutError|NetworkingError/.test(name) ||
    /fetch failed|socket hang up/i.test(text)
  )
    return `could not reach ${where.service}: check the network, AWS_REGION and any AWS_ENDPOINT_URL_* override`;
  if ((status !== undefined && status >= 500) || /Throttl|SlowDown|TooManyRequests/.test(name))
    return `${where.service} failed or throttled after the SDK's retries: run again later`;
  return `run again; if it fails the same way, check ${where.resource} and the credentials`;
}

/** The lake's listings with their failures described (reads of single objects keep their own handling). */
export function withLakeErrors(store: ObjectStore, where: FailedService): ObjectStore {
  return {
    ...store,
    uri: store.uri,
    async *list(prefix) {
      try {
        yield* store.list(prefix);
      } catch (e) {
        throw runFailure(e, where, `list ${prefix}`);
      }
    },
    async listChildren(prefix) {
      try {
        return await store.listChildren(prefix);
      } catch (e) {
        throw runFailure(e, where, `list ${prefix}`);
      }
    },
  };
}

/** The catalog's reads with their failures described; writes report failures in their `BatchResult`. */
export function withCatalogErrors(catalog: Catalog, where: FailedService): Catalog {
  return {
    ...catalog,
    kind: catalog.kind,
    async getTable(database, name) {
      try {
        return await catalog.getTable(database, name);
      } catch (e) {
        throw runFailure(e, where, `get table ${database}.${name}`);
      }
    },
    async *listPartitions(table) {
      try {
        yield* catalog.listPartitions(table);
      } catch (e) {
        throw runFailure(e, where, `list partitions of ${table.database}.${table.name}`);
      }
    },
    createPartitions: catalog.createPartitions.bind(catalog),
    deletePartitions: catalog.deletePartitions.bind(catalog),
  };
}
