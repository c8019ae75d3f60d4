import { NO_SEASON } from './query-engine.js';

/**
 * Counts duplicate keys across a table's files, visiting files in key order: a row is a duplicate when its key
 * was seen before, and it is charged to the season it sits in. Single integer keys (fct_plays' `id`) go into
 * typed arrays sorted once at the end, which keeps 2.4 million ids in about 40 MB instead of a Set's 100+.
 */
export interface KeyTracker {
  add(season: number | undefined, keys: ArrayLike<unknown>): void;
  duplicatesBySeason(): Map<number, number>;
  /** Up to `DUPLICATE_SAMPLE` duplicated key values per season, as text; complete once `duplicatesBySeason` ran. */
  duplicateKeys(): Map<number, string[]>;
}

/** How many duplicated keys a `duplicates` gap names. */
export const DUPLICATE_SAMPLE = 20;

function sample(out: Map<number, string[]>, season: number, key: string): void {
  const list = out.get(season) ?? [];
  if (list.length < DUPLICATE_SAMPLE && !list.includes(key)) out.set(season, [...list, key]);
}

/** A tracker for keys that are plain numbers; only valid when files arrive in ascending season order. */
export function createNumericKeyTracker(): KeyTracker {
  const bySeason = new Map<number, { values: Float64Array<ArrayBufferLike>; length: number }>();
  const keys = new Map<number, string[]>();
  return {
    add(season, keys) {
      const s = season ?? NO_SEASON;
      let bucket = bySeason.get(s);
      if (!bucket) {
        bucket = { values: new Float64Array(Math.max(1024, keys.length)), length: 0 };
        bySeason.set(s, bucket);
      }
      if (bucket.length + keys.length > bucket.values.length) {
        const grown = new Float64Array(Math.max(bucket.values.length * 2, bucket.length + keys.length));
        grown.set(bucket.values.subarray(0, bucket.length));
        bucket.values = grown;
      }
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        // A null key part is its own value, as in SQL's PARTITION BY: NaN marks it and compares equal below.
        bucket.values[bucket.length++] = typeof k === 'number' ? k : NaN;
      }
    },
    duplicatesBySeason() {
      const out = new Map<number, number>();
      let seen: Float64Array<ArrayBufferLike> = new Float64Array(0);
      let seenNull = false;
      for (const season of [...bySeason.keys()].sort((a, b) => a - b)) {
        const bucket = bySeason.get(season)!;
        const sorted = bucket.values.subarray(0, bucket.length).sort();
        let duplicates = 0;
        const distinct: number[] = [];
        let i = 0;
        let j = 0;
        for (; i < sorted.length; i++) {
          const v = sorted[i]!;
          if (Number.isNaN(v)) {
            if (seenNull) {
              duplicates++;
              sample(keys, season, 'null');
            }
            seenNull = true;
            continue;
          }
          if (i > 0 && sorted[i - 1] === v) {
            duplicates++;
            sample(keys, season, String(v));
            continue;
          }
          while (j < seen.length && seen[j]! < v) j++;
          if (j < seen.length && seen[j] === v) {
            duplicates++;
            sample(keys, season, String(v));
          } else distinct.push(v);
        }
        if (duplicates > 0) out.set(season, duplicates);
        seen = mergeSorted(seen, distinct);
        bucket.values = new Float64Array(0);
      }
      return out;
    },
    duplicateKeys: () => keys,
  };
}

/** A tracker for any key, as strings in a set; files must arrive in key order. */
export function createStringKeyTracker(): KeyTracker {
  const seen = new Set<string>();
  const out = new Map<number, number>();
  const samples = new Map<number, string[]>();
  return {
    add(season, keys) {
      for (let i = 0; i < keys.length; i++) {
        const k = String(keys[i]);
        if (seen.has(k)) {
          const s = season ?? NO_SEASON;
          out.set(s, (out.get(s) ?? 0) + 1);
          sample(samples, s, k);
        } else seen.add(k);
      }
    },
    duplicatesBySeason: () => out,
    duplicateKeys: () => samples,
  };
}

function mergeSorted(a: Float64Array<ArrayBufferLike>, b: number[]): Float64Array<ArrayBufferLike> {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
