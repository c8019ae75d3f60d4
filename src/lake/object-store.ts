/** What a listing or a head says about one object. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
  /**
   * Changes when the object is rewritten: S3's ETag; on disk, the inode and modification time (an in-place rewrite
   * of the same size within the file system's timestamp granularity goes unseen: `audit --full` then).
   */
  etag?: string;
}

/** One level of a listing by delimiter: the "directories" and the objects directly under a prefix. */
export interface ChildListing {
  prefixes: string[];
  objects: ObjectInfo[];
}

/** The result of a create-only put: `exists` means the key was already there and nothing was written. */
export type PutResult = 'created' | 'exists';

/**
 * The lake's storage, S3 or a directory. Keys are relative to the lake root (`silver/fct_games/…`) and use `/`.
 * Writes are create-only: an existing object is never overwritten.
 */
export interface ObjectStore {
  /** The lake as a URI: `s3://bucket/prefix` or `file:///abs/dir`. */
  readonly uri: string;
  /** Every object under `prefix`, at any depth, in key order; pages are fetched as the caller iterates. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** The immediate children of `prefix` (which should end in `/`), by delimiter `/`. */
  listChildren(prefix: string): Promise<ChildListing>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** The whole object, or bytes `[start, end)` of it. Throws `NotFoundError` when the key is absent. */
  get(key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  /** Creates `key` only if absent; never replaces an existing object. */
  putIfAbsent(key: string, body: Uint8Array, contentType?: string): Promise<PutResult>;
  /** Removes `key`. Only `repair --confirm-delete` calls this. */
  delete(key: string): Promise<void>;
}

/** The key asked for is not in the store. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(readonly key: string) {
    super(`no object at ${key}`);
  }
}

/** Joins key parts with single slashes. */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

/** Refuses keys that could escape the lake root on disk or confuse S3 prefixes. */
export function assertSafeKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.includes('\\') || key.includes('\0')) {
    throw new Error(`unsafe object key "${key}"`);
  }
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.' || segment === '') throw new Error(`unsafe object key "${key}"`);
  }
}
