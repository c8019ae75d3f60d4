import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/schema.js';
import type { QueryEngine } from '../engine/query-engine.js';
import { createDuckDbEngine } from '../engine/duckdb-engine.js';
import { createScanEngine } from '../engine/scan-engine.js';
import type { Catalog } from '../catalog/catalog.js';
import { createLocalCatalog } from '../catalog/local-catalog.js';
import { createFsStore } from '../lake/fs-store.js';
import type { LakeLocation } from '../lake/lake-uri.js';
import type { ObjectStore } from '../lake/object-store.js';
import { createS3Store } from '../lake/s3-store.js';
import { UsageError } from '../util/errors.js';

/**
 * The composition root: the one place that chooses adapters — S3 or disk for the lake, scan, DuckDB or Athena
 * for queries — and builds the AWS clients. Commands receive ports from here and nothing else picks one.
 */

export type EngineName = 'scan' | 'duckdb';
export type Env = Record<string, string | undefined>;

/** True when the SDK will talk to a local endpoint (s3rver, dynalite, a fake): those want path-style S3. */
function hasEndpointOverride(env: Env, service: string): boolean {
  return Boolean(env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL);
}

/** An S3 client for the config's region; `AWS_ENDPOINT_URL[_S3]` (read by the SDK itself) switches to path-style. */
export function createS3Client(config: Config, env: Env): S3Client {
  return new S3Client({
    region: env.AWS_REGION ?? config.region,
    forcePathStyle: hasEndpointOverride(env, 'S3'),
  });
}

/** The lake's object store. */
export function openLake(location: LakeLocation, config: Config, env: Env): ObjectStore {
  return location.kind === 's3'
    ? createS3Store(createS3Client(config, env), location.bucket, location.prefix)
    : createFsStore(location.root);
}

/** The query engine the audit runs on. DuckDB's native module is loaded only when it is chosen. */
export async function openEngine(
  name: EngineName,
  store: ObjectStore,
  location: LakeLocation,
  config: Config,
): Promise<QueryEngine> {
  switch (name) {
    case 'scan':
      return createScanEngine(store, { concurrency: config.audit.read_concurrency });
    case 'duckdb':
      if (location.kind !== 'file') {
        throw new UsageError(
          '--engine duckdb: reads a file lake (a directory); for s3:// use --engine scan or athena',
        );
      }
      return createDuckDbEngine(location.root);
    default:
      throw new UsageError(`--engine ${name}: unknown engine`);
  }
}

/** The catalog: Glue for an S3 lake, `_catalog/` inside a file lake. */
export function openCatalog(location: LakeLocation): Catalog {
  if (location.kind === 'file') return createLocalCatalog(location.root);
  throw new UsageError('the Glue catalog is not wired yet');
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
