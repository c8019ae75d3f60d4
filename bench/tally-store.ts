// Sorts a reader's gets by what they fetched: a Parquet file's tail (where the footer is), the rest of a footer
// longer than the first guess, column chunks, or whole objects. Sizes come from the listing the audit takes first.
import type { ObjectStore } from '../src/lake/object-store.js';

interface Bucket {
  gets: number;
  bytes: number;
}

/** What went through the store, by kind of read. */
export interface Tally {
  gets: number;
  bytes: number;
  /** Gets on `.parquet` keys, and how many distinct `.parquet` keys were read. */
  parquetGets: number;
  parquetFiles: number;
  tail: Bucket;
  footerRest: Bucket;
  chunks: Bucket;
  whole: Bucket;
  /** Per table: files read, their total size, the exact size of their footers, and what was read of them. */
  tables: Record<string, TableTally>;
}

/** What the reader fetched of one table's Parquet files. */
export interface TableTally {
  files: number;
  fileBytes: number;
  /** The footers' own size (metadata + length + magic), from each file's last 8 bytes. */
  footerBytes: number;
  tailBytes: number;
  chunkBytes: number;
  bytesRead: number;
}

/** Wraps a store; `tally()` says what was read through it so far. */
export function createTallyStore(inner: ObjectStore): { store: ObjectStore; tally(): Tally } {
  const sizes = new Map<string, number>();
  const tailStart = new Map<string, number>();
  const footerLength = new Map<string, number>();
  const readOf = new Map<string, { tail: number; other: number }>();
  const empty = (): Bucket => ({ gets: 0, bytes: 0 });
  const t = { tail: empty(), footerRest: empty(), chunks: empty(), whole: empty(), parquetGets: 0 };
  const add = (b: Bucket, n: number) => {
    b.gets++;
    b.bytes += n;
  };

  const store: ObjectStore = {
    uri: inner.uri,
    async *list(prefix) {
      for await (const o of inner.list(prefix)) {
        sizes.set(o.key, o.size);
        yield o;
      }
    },
    listChildren: (prefix) => inner.listChildren(prefix),
    head: (key) => inner.head(key),
    async get(key, range) {
      const out = await inner.get(key, range);
      const size = sizes.get(key);
      if (key.endsWith('.parquet')) {
        t.parquetGets++;
        const r = readOf.get(key) ?? { tail: 0, other: 0 };
        if (range && size !== undefined && range.end === size) r.tail += out.byteLength;
        else r.other += out.byteLength;
        readOf.set(key, r);
      }
      if (!range) add(t.whole, out.byteLength);
      else if (size !== undefined && range.end === size) {
        add(t.tail, out.byteLength);
        tailStart.set(key, range.start);
        if (out.byteLength >= 8) {
          const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
          footerLength.set(key, view.getUint32(out.byteLength - 8, true) + 8);
        }
      } else if (tailStart.get(key) === range.end) add(t.footerRest, out.byteLength);
      else add(t.chunks, out.byteLength);
      return out;
    },
    putIfAbsent: (key, body, contentType) => inner.putIfAbsent(key, body, contentType),
    delete: (key) => inner.delete(key),
  };

  return {
    store,
    tally() {
      const tables: Record<string, TableTally> = {};
      for (const [key, read] of readOf) {
        const table = key.split('/')[1] ?? '';
        const length = footerLength.get(key);
        const size = sizes.get(key) ?? 0;
        // A cut-short file's "footer length" is whatever its last bytes say: leave it out.
        if (length === undefined || length > size) continue;
        const t = (tables[table] ??= {
          files: 0,
          fileBytes: 0,
          footerBytes: 0,
          tailBytes: 0,
          chunkBytes: 0,
          bytesRead: 0,
        });
        t.files++;
        t.fileBytes += size;
        t.footerBytes += length;
        t.tailBytes += read.tail;
        t.chunkBytes += read.other;
        t.bytesRead += read.tail + read.other;
      }
      const buckets = [t.tail, t.footerRest, t.chunks, t.whole];
      return {
        gets: buckets.reduce((a, b) => a + b.gets, 0),
        bytes: buckets.reduce((a, b) => a + b.bytes, 0),
        parquetGets: t.parquetGets,
        parquetFiles: readOf.size,
        tail: t.tail,
        footerRest: t.footerRest,
        chunks: t.chunks,
        whole: t.whole,
        tables,
      };
    },
  };
}
