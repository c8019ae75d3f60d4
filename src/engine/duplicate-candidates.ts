import type { FileFacts } from './query-engine.js';

/** Past this many files whose first key part chains together, all of them are candidates (no pairwise check). */
const PAIRWISE_LIMIT = 2000;

/**
 * The files of a table that may share a key with another file: those whose ranges overlap in every key part (a
 * game written twice under two hashes, a parent id in two files), and numeric-key files that both hold a null
 * key. Every other file's duplicates are its own, remembered in the manifest, so only these need their keys read
 * to count duplicates across files. When files disagree on the key's representation, all are candidates.
 */
export function duplicateCandidates(files: readonly FileFacts[]): Set<string> {
  const keyed = files.filter((f) => f.keys !== undefined && f.rows > 0);
  const numeric = new Set(keyed.map((f) => f.keys!.numeric));
  if (numeric.size > 1) return new Set(keyed.map((f) => f.key));
  const out = new Set<string>();
  const nullKeys = keyed.filter((f) => f.keys!.nullKey);
  if (nullKeys.length > 1) for (const f of nullKeys) out.add(f.key);

  const ranged = keyed
    .filter((f) => f.keys!.ranges !== undefined)
    .map((f) => ({ key: f.key, ranges: f.keys!.ranges! as [Value, Value][] }))
    .sort((a, b) => compare(a.ranges[0]![0], b.ranges[0]![0]));
  // A sweep over the first part's ranges, sorted by start, finds chains; within a chain, pairs are checked whole.
  let chain: Ranged[] = [];
  let end: Value | undefined;
  for (const f of ranged) {
    if (end !== undefined && compare(f.ranges[0]![0], end) <= 0) {
      chain.push(f);
      if (compare(f.ranges[0]![1], end) > 0) end = f.ranges[0]![1];
      continue;
    }
    markOverlaps(chain, out);
    chain = [f];
    end = f.ranges[0]![1];
  }
  markOverlaps(chain, out);
  return out;
}

type Value = number | string;
interface Ranged {
  key: string;
  ranges: [Value, Value][];
}

function markOverlaps(chain: readonly Ranged[], out: Set<string>): void {
  if (chain.length < 2) return;
  if (chain.length > PAIRWISE_LIMIT) {
    for (const f of chain) out.add(f.key);
    return;
  }
  for (let i = 0; i < chain.length; i++)
    for (let j = i + 1; j < chain.length; j++)
      if (overlaps(chain[i]!, chain[j]!)) {
        out.add(chain[i]!.key);
        out.add(chain[j]!.key);
      }
}

function overlaps(a: Ranged, b: Ranged): boolean {
  if (a.ranges.length !== b.ranges.length) return true;
  return a.ranges.every(
    ([lo, hi], k) => compare(lo, b.ranges[k]![1]) <= 0 && compare(b.ranges[k]![0], hi) <= 0,
  );
}

function compare(a: Value, b: Value): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
