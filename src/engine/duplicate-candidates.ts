import type { FileFacts } from './query-engine.js';

/**
 * The files of a table that may share a key with another file: those whose key ranges overlap (a game written
 * twice under two hashes, a parent id in two files), and numeric-key files that both hold a null key. Every
 * other file's duplicates are its own, remembered in the manifest, so only these need their keys read to count
 * duplicates across files. When files disagree on the key's representation, all are candidates.
 */
export function duplicateCandidates(files: readonly FileFacts[]): Set<string> {
  const keyed = files.filter((f) => f.keys !== undefined && f.rows > 0);
  const numeric = new Set(keyed.map((f) => f.keys!.numeric));
  if (numeric.size > 1) return new Set(keyed.map((f) => f.key));
  const out = new Set<string>();
  const nullKeys = keyed.filter((f) => f.keys!.nullKey);
  if (nullKeys.length > 1) for (const f of nullKeys) out.add(f.key);

  const ranged = keyed
    .filter((f) => f.keys!.min !== undefined)
    .sort((a, b) => compare(a.keys!.min!, b.keys!.min!));
  // A sweep over ranges sorted by their start: a cluster of two or more chained ranges is all candidates.
  let cluster: FileFacts[] = [];
  let end: number | string | undefined;
  const close = () => {
    if (cluster.length > 1) for (const f of cluster) out.add(f.key);
  };
  for (const f of ranged) {
    if (end !== undefined && compare(f.keys!.min!, end) <= 0) {
      cluster.push(f);
      if (compare(f.keys!.max!, end) > 0) end = f.keys!.max!;
      continue;
    }
    close();
    cluster = [f];
    end = f.keys!.max!;
  }
  close();
  return out;
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
