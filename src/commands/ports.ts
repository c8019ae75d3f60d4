/**
 * The composition root: the one place that chooses adapters — S3 or disk for the lake, scan, DuckDB or Athena
 * for queries — and builds the AWS clients. Commands receive ports from here and nothing else picks one.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/schema.js';
import type { FileFactsCache, QueryEngine } from '../engine/query-engine.js';
import { createDuckDbEngine } from '../engine/duckdb-engine.js';
import { createScanEngine } from '../engine/scan-engine.js';
import type { Catalog } from '../catalog/catalog.js';
import { createGlueCatalog } from '../catalog/glue-catalog.js';
import { createLocalCatalog } from '../catalog/local-catalog.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { createDynamoDbCheckpoints } from '../checkpoint/dynamodb-checkpoints.js';
import { withDescribedErrors } from '../checkpoint/described-errors.js';
import { createFileCheckpoints } from '../checkpoint/file-checkpoints.js';
import { createAthenaEngine } from '../engine/athena-engine.js';
import type { CbbdClient } from '../source/cbbd-client.js';
import { createHttpCbbdClient } from '../source/http-cbbd-client.js';
import type { Logger } from '../util/logger.js';
import { createFsStore } from '../lake/fs-store.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import type { ObjectStore } from '../lake/object-store.js';
import { createS3Store } from '../lake/s3-store.js';
import { UsageError } from '../util/errors.js';
import { requireLake } from './lake-presence.js';
import { withCatalogErrors, withLakeErrors } from './run-failure.js';

/** The audit's query engines, by the name `--engine` takes. */
export type EngineName = 'scan' | 'duckdb' | 'athena';

/** The process environment as the adapters read it (`AWS_ENDPOINT_URL_*`, `CBBD_API_KEY`, `GITHUB_*`). */
export type Env = Record<string, string | undefined>;

/** True when the SDK will talk to a local endpoint (s3rver, dynalite, a fake): those want path-style S3. */
function hasEndpointOverride(env: Env, service: string): boolean {
  return Boolean(env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL);
}

/**
 * What every AWS client gets: the region, and timeouts. The SDK has none by default, so one stalled connection
 * could hold a fill (and its leases) forever; abandoned requests are retried by the SDK's own policy.
 */
function awsClientConfig(config: Config, env: Env) {
  return {
    region: env.AWS_REGION ?? config.region,
    requestHandler: {
      requestTimeout: config.aws.request_timeout_seconds * 1000,
      // Without this the handler only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      connectionTimeout: config.aws.connect_timeout_seconds * 1000,
    },
  };
}

/** An S3 client for the config's region; `AWS_ENDPOINT_URL[_S3]` (read by the SDK itself) switches to path-style. */
export function createS3Client(config: Config, env: Env): S3Client {
  return new S3Client({ ...awsClientConfig(config, env), forcePathStyle: hasEndpointOverride(env, 'S3') });
}

/**
 * The lake's object store; a failed listing is a `RunFailedError` (exit 4) naming the bucket or directory and the
 * likely remedy.
 */
export function openLake(location: LakeLocation, config: Config, env: Env): ObjectStore {
  return location.kind === 's3'
    ? withLakeErrors(createS3Store(createS3Client(config, env), location.bucket, location.prefix), {
        service: 'S3',
        resource: `bucket ${location.bucket}${location.prefix ? ` (prefix ${location.prefix}/)` : ''}`,
      })
    : withLakeErrors(createFsStore(location.root), {
        service: 'the lake',
        resource: `directory ${location.root}`,
      });
}

/**
 * The lake of a command that reads one (audit, plan, fill, repair): opened, and refused as a usage error (exit 2)
 * when nothing is there to read — see `requireLake`.
 */
export async function openExistingLake(
  location: LakeLocation,
  config: Config,
  env: Env,
): Promise<ObjectStore> {
  const store = openLake(location, config, env);
  await requireLake(store, config);
  return store;
}

/** The query engine the audit runs on. DuckDB's native module is loaded only when it is chosen. */
export async function openEngine(
  name: EngineName,
  store: ObjectStore,
  location: LakeLocation,
  config: Config,
  env: Env,
  facts?: FileFactsCache,
): Promise<QueryEngine> {
  switch (name) {
    case 'scan':
      return createScanEngine(store, {
        concurrency: config.audit.read_concurrency,
        ...(facts ? { facts } : {}),
      });
    case 'duckdb':
      if (location.kind !== 'file') {
        throw new UsageError(
          '--engine duckdb: reads a file lake (a directory); for s3:// use --engine scan or athena',
        );
      }
      return createDuckDbEngine(location.root);
    case 'athena':
      if (location.kind !== 's3')
        throw new UsageError(
          '--engine athena: queries the catalog of an s3:// lake; for a directory use scan or duckdb',
        );
      return createAthenaEngine(
        new AthenaClient(awsClientConfig(config, env)),
        openCatalog(location, config, env),
        {
          database: config.catalog.silver_database!,
          workgroup: config.gap_fill.athena_workgroup,
          ...(config.gap_fill.athena_output ? { outputLocation: config.gap_fill.athena_output } : {}),
          lakeUri: store.uri,
          store,
        },
      );
  }
}

/** The catalog: Glue for an S3 lake (`AWS_ENDPOINT_URL_GLUE` honoured by the SDK), `_catalog/` inside a file lake. */
export function openCatalog(location: LakeLocation, config: Config, env: Env): Catalog {
  if (location.kind === 'file')
    return withCatalogErrors(createLocalCatalog(location.root), {
      service: 'the local catalog',
      resource: `in ${path.join(location.root, '_catalog')}`,
    });
  return withCatalogErrors(createGlueCatalog(new GlueClient(awsClientConfig(config, env))), {
    service: 'Glue',
    resource: `catalog of region ${env.AWS_REGION ?? config.region}`,
  });
}

/**
 * The checkpoint store: `dynamodb://table`, `file:///dir` or a directory. Default: the config's DynamoDB table for
 * an S3 lake, `<lake>/_checkpoints` for a file lake.
 */
export function openCheckpoints(
  uri: string | undefined,
  location: LakeLocation,
  config: Config,
  env: Env,
): CheckpointStore {
  const value =
    uri ??
    (location.kind === 's3'
      ? `dynamodb://${config.checkpoints.table}`
      : path.join(location.root, '_checkpoints'));
  if (value.startsWith('dynamodb://')) {
    const table = value.slice('dynamodb://'.length);
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table))
      throw new UsageError(`--checkpoints: "${table}" is not a DynamoDB table name`);
    return withDescribedErrors(
      createDynamoDbCheckpoints(new DynamoDBClient(awsClientConfig(config, env)), table),
      `DynamoDB table ${table}`,
    );
  }
  if (value.startsWith('file://')) {
    try {
      const dir = fileURLToPath(value);
      return withDescribedErrors(createFileCheckpoints(dir), `checkpoints in ${dir}`);
    } catch {
      throw new UsageError(`--checkpoints: "${value}" is not an absolute file:// URI`);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new UsageError(`--checkpoints: "${value}" is neither dynamodb://table nor file:///dir`);
  return withDescribedErrors(
    createFileCheckpoints(path.resolve(value)),
    `checkpoints in ${path.resolve(value)}`,
  );
}

/**
 * The CBBD API client for this process's share of the budget. The key comes from `CBBD_API_KEY`, else
 * `BEARER_TOKEN` (the pipeline accepts both); it is never logged.
 */
export function openApiClient(
  config: Config,
  env: Env,
  share: { rate: number; concurrency: number },
  logger: Logger,
): CbbdClient {
  const apiKey = env.CBBD_API_KEY || env.BEARER_TOKEN;
  if (!apiKey)
    throw new UsageError('no API key: set CBBD_API_KEY (or BEARER_TOKEN) to a CollegeBasketballData key');
  return createHttpCbbdClient({
    baseUrl: env.CBBD_API_URL ?? config.api.base_url,
    apiKey,
    endpoints: config.endpoints,
    rate: share.rate,
    concurrency: share.concurrency,
    timeoutMs: config.api.timeout_seconds * 1000,
    retry: {
      maxAttempts: config.api.retry.max_attempts,
      baseDelayMs: config.api.retry.base_delay_seconds * 1000,
      maxDelayMs: config.api.retry.max_delay_seconds * 1000,
    },
    quotaReserve: config.api.quota_reserve,
    logger,
  });
}

/**
 * Maps a catalog location to a lake key: locations inside the lake (`s3://bucket/prefix/…`, `file:///…`), and
 * for a file copy of an S3 lake, locations in the config's bucket, which a copied catalog still names.
 */
export function locationMapper(store: ObjectStore, config: Config): (location: string) => string | undefined {
  const roots = [`${store.uri}/`, `s3://${config.bucket}/`];
  return (location) => {
    const root = roots.find((r) => location.startsWith(r));
    return root === undefined ? undefined : location.slice(root.length);
  };
}
