import type { ObjectStore } from './object-store.js';

/** What a store was asked to do, for benchmarks and for tests that assert on I/O cost. */
export interface StoreCounters {
  lists: number;
  listedKeys: number;
  heads: number;
  gets: number;
  bytesRead: number;
  puts: number;
  bytesWritten: number;
  deletes: number;
}

/** Wraps a store and counts every call and byte through it. */
export function createCountingStore(inner: ObjectStore): ObjectStore & { counters: StoreCounters } {
  const counters: StoreCounters = {
    lists: 0,
    listedKeys: 0,
    heads: 0,
    gets: 0,
    bytesRead: 0,
    puts: 0,
    bytesWritten: 0,
    deletes: 0,
  };
  return {
    counters,
    uri: inner.uri,
    async *list(prefix) {
      counters.lists++;
      for await (const o of inner.list(prefix)) {
        counters.listedKeys++;
        yield o;
      }
    },
    async listChildren(prefix) {
      counters.lists++;
      return inner.listChildren(prefix);
    },
    async head(key) {
      counters.heads++;
      return inner.head(key);
    },
    async get(key, range) {
      counters.gets++;
      const out = await inner.get(key, range);
      counters.bytesRead += out.byteLength;
      return out;
    },
    async putIfAbsent(key, body, contentType) {
      counters.puts++;
      const result = await inner.putIfAbsent(key, body, contentType);
      if (result === 'created') counters.bytesWritten += body.byteLength;
      return result;
    },
    async delete(key) {
      counters.deletes++;
      return inner.delete(key);
    },
  };
}
