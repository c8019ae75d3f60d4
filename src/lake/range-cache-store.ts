import type { ObjectStore } from './object-store.js';

/**
 * A store that serves a ranged get from bytes it already fetched for the same key. The scan makes one per file:
 * the footer read of a small file (lineups, substitutions: 4 KB) takes the whole file, and its key column is then
 * answered from memory instead of a second request. Everything but `get` passes through.
 */
export function createRangeCacheStore(inner: ObjectStore): ObjectStore {
  const fetched = new Map<string, { start: number; bytes: Uint8Array }[]>();
  return {
    ...inner,
    async get(key, range) {
      if (range) {
        for (const f of fetched.get(key) ?? []) {
          if (range.start >= f.start && range.end <= f.start + f.bytes.byteLength) {
            return f.bytes.subarray(range.start - f.start, range.end - f.start);
          }
        }
      }
      const bytes = await inner.get(key, range);
      fetched.set(key, [...(fetched.get(key) ?? []), { start: range?.start ?? 0, bytes }]);
      return bytes;
    },
  };
}
