import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  assertSafeKey,
  NotFoundError,
  type ObjectInfo,
  type ObjectStore,
  type PutResult,
} from './object-store.js';

/**
 * An S3 bucket (and optional prefix) as the lake. Listings page through `ListObjectsV2` 1,000 keys at a time;
 * create-only puts send `If-None-Match: *`, which S3 answers with 412 when the key exists. The client's logger
 * middleware is taken out: with the SDK's default no-op logger it still copies every answer to mask sensitive
 * fields, a quarter of the CPU an incremental audit spends on a listing of 1,000 keys.
 */
export function createS3Store(client: S3Client, bucket: string, prefix = ''): ObjectStore {
  client.middlewareStack.remove('loggerMiddleware');
  const root = prefix.replace(/^\/+|\/+$/g, '');
  const full = (key: string) => {
    assertSafeKey(key);
    return root ? `${root}/${key}` : key;
  };
  const fullPrefix = (p: string) => (root ? `${root}/${p}` : p);
  const strip = (key: string) => (root ? key.slice(root.length + 1) : key);

  return {
    uri: `s3://${bucket}${root ? `/${root}` : ''}`,

    async *list(p) {
      const pages = paginateListObjectsV2(
        { client, pageSize: 1000 },
        { Bucket: bucket, Prefix: fullPrefix(p) },
      );
      for await (const page of pages) {
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          yield {
            key: strip(o.Key),
            size: o.Size ?? 0,
            ...(o.LastModified ? { lastModified: o.LastModified } : {}),
            ...(o.ETag ? { etag: o.ETag } : {}),
          };
        }
      }
    },

    async listChildren(p) {
      const prefixes: string[] = [];
      const objects: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: fullPrefix(p),
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
        for (const cp of page.CommonPrefixes ?? []) if (cp.Prefix) prefixes.push(strip(cp.Prefix));
        for (const o of page.Contents ?? [])
          if (o.Key) objects.push({ key: strip(o.Key), size: o.Size ?? 0 });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return { prefixes, objects };
    },

    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: full(key) }));
        return {
          key,
          size: out.ContentLength ?? 0,
          ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async get(key, range) {
      if (range && range.end <= range.start) return new Uint8Array(0);
      // The SDK retries a GET that fails before its answer, not a body cut short after the headers (a reset, a
      // dropped connection): such a body is asked for again here. A GET changes nothing, so repeating it is safe.
      for (let attempt = 1; ; attempt++) {
        let out;
        try {
          out = await client.send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: full(key),
              ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
            }),
          );
        } catch (e) {
          if (isNotFound(e)) throw new NotFoundError(key);
          throw e;
        }
        if (!out.Body) return new Uint8Array(0);
        try {
          return await out.Body.transformToByteArray();
        } catch (e) {
          if (attempt >= BODY_ATTEMPTS) throw e;
        }
      }
    },

    async putIfAbsent(key, body, contentType): Promise<PutResult> {
      // S3 answers 409 ConditionalRequestConflict while another conditional write to the key is in flight;
      // asking again then gets the real answer (201 or 412).
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: full(key),
              Body: body,
              IfNoneMatch: '*',
              ...(contentType ? { ContentType: contentType } : {}),
            }),
          );
          return 'created';
        } catch (e) {
          const status = httpStatus(e);
          if (status === 412) return 'exists';
          if (status === 409 && attempt < 5) {
            await sleep(100 * attempt);
            continue;
          }
          throw e;
        }
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: full(key) }));
    },
  };
}

/** Reads of one GET's body, the first included, before its failure is passed on. */
const BODY_ATTEMPTS = 3;

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string } | undefined)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || httpStatus(e) === 404;
}
