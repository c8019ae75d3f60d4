import { createHash } from 'node:crypto';

/** File modes as the REST API spells them (git itself writes trees as `40000`, the API as `040000`). */
export type EntryMode = '100644' | '100755' | '040000' | '160000' | '120000';
export type EntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  name: string;
  mode: EntryMode;
  sha: string;
}

export interface GitSignature {
  name: string;
  email: string;
  /** ISO 8601 in UTC, seconds precision, as GitHub answers it. */
  date: string;
}

export type GitObject =
  | { type: 'blob'; content: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | {
      type: 'commit';
      tree: string;
      parents: string[];
      author: GitSignature;
      committer: GitSignature;
      message: string;
    };

export type CommitObject = Extract<GitObject, { type: 'commit' }>;

/** One change to a tree: a path set to an existing object, or removed when `sha` is null. */
export interface TreeChange {
  path: string;
  mode: EntryMode;
  sha: string | null;
}

/** A path inside a tree, as `GET /git/trees/{sha}?recursive=1` lists it. */
export interface WalkedEntry {
  path: string;
  mode: EntryMode;
  type: EntryType;
  sha: string;
  size?: number;
}

/** Thrown for a tree or commit that names a missing or wrong-typed object; the routes answer 422 with it. */
export class GitDataError extends Error {
  override name = 'GitDataError';
}

export const ENTRY_MODES: readonly string[] = ['100644', '100755', '040000', '160000', '120000'];

export function entryType(mode: EntryMode): EntryType {
  if (mode === '040000') return 'tree';
  if (mode === '160000') return 'commit';
  return 'blob';
}

/** The content-addressed object database of one repository, with the tree surgery the Git Data API needs. */
export interface GitStore {
  put(object: GitObject): string;
  get(sha: string): GitObject | undefined;
  commit(sha: string): CommitObject | undefined;
  /** Writes a tree from `base` (or empty) with `changes` applied, nested paths creating subtrees. */
  writeTree(base: string | undefined, changes: readonly TreeChange[]): string;
  /** The entry at `path` inside a tree; the tree itself for the empty path. */
  lookup(treeSha: string, path: string): { mode: EntryMode; sha: string } | undefined;
  walk(treeSha: string, recursive: boolean): WalkedEntry[];
  /** True when `ancestor` is `descendant` or reachable through its parents. */
  isAncestor(ancestor: string, descendant: string): boolean;
}

/**
 * Objects hash exactly as git hashes them (`sha1("<type> <size>\0" + body)`), so a SHA from the fake equals the
 * one `git hash-object` would print for the same content.
 */
export function hashObject(object: GitObject): string {
  const body = serialize(object);
  const header = Buffer.from(`${object.type} ${body.length}\0`);
  return createHash('sha1').update(header).update(body).digest('hex');
}

function serialize(object: GitObject): Buffer {
  switch (object.type) {
    case 'blob':
      return object.content;
    case 'tree':
      return Buffer.concat(
        sortEntries(object.entries).flatMap((e) => [
          Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, 'hex'),
        ]),
      );
    case 'commit': {
      const lines = [`tree ${object.tree}`, ...object.parents.map((p) => `parent ${p}`)];
      lines.push(`author ${signatureLine(object.author)}`, `committer ${signatureLine(object.committer)}`);
      return Buffer.from(`${lines.join('\n')}\n\n${object.message}`);
    }
  }
}

function signatureLine(s: GitSignature): string {
  return `${s.name} <${s.email}> ${Math.floor(Date.parse(s.date) / 1000)} +0000`;
}

/** Git orders tree entries by name bytes, comparing a subtree's name as if it ended in `/`. */
export function sortEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(e.mode === '040000' ? `${e.name}/` : e.name);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
}
type Node = { kind: 'leaf'; mode: EntryMode; sha: string } | DirNode;

/** Creates an empty object database. */
export function createGitStore(): GitStore {
  const objects = new Map<string, GitObject>();

  const put = (object: GitObject): string => {
    const sha = hashObject(object);
    objects.set(sha, object);
    return sha;
  };
  const tree = (sha: string) => {
    const o = objects.get(sha);
    return o?.type === 'tree' ? o : undefined;
  };

  const expand = (sha: string): DirNode => {
    const t = tree(sha);
    if (!t) throw new GitDataError(`base_tree ${sha} is not a valid tree`);
    return {
      kind: 'dir',
      entries: new Map(
        t.entries.map((e): [string, Node] => [e.name, { kind: 'leaf', mode: e.mode, sha: e.sha }]),
      ),
    };
  };

  const checkTarget = (change: TreeChange & { sha: string }) => {
    const want = entryType(change.mode);
    if (want === 'commit') return;
    if (objects.get(change.sha)?.type !== want) {
      throw new GitDataError(`tree.sha ${change.sha} is not a valid ${want}`);
    }
  };

  const apply = (root: DirNode, change: TreeChange) => {
    const parts = change.path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new GitDataError('tree.path contains a malformed path component');
    }
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.entries.get(part);
      if (next?.kind === 'leaf') next = next.mode === '040000' ? expand(next.sha) : undefined;
      if (!next) {
        if (change.sha === null) return;
        next = { kind: 'dir', entries: new Map() };
      }
      dir.entries.set(part, next);
      dir = next;
    }
    const name = parts[parts.length - 1] as string;
    if (change.sha === null) {
      dir.entries.delete(name);
      return;
    }
    checkTarget({ ...change, sha: change.sha });
    dir.entries.set(name, { kind: 'leaf', mode: change.mode, sha: change.sha });
  };

  /** Writes a directory node bottom-up; an emptied subtree disappears, as git cannot hold an empty directory. */
  const write = (dir: DirNode): string | undefined => {
    const entries: TreeEntry[] = [];
    for (const [name, node] of dir.entries) {
      if (node.kind === 'leaf') entries.push({ name, mode: node.mode, sha: node.sha });
      else {
        const sha = write(node);
        if (sha) entries.push({ name, mode: '040000', sha });
      }
    }
    return entries.length === 0 ? undefined : put({ type: 'tree', entries: sortEntries(entries) });
  };

  const lookup = (treeSha: string, path: string) => {
    let current: { mode: EntryMode; sha: string } = { mode: '040000', sha: treeSha };
    for (const part of path.split('/').filter((p) => p !== '')) {
      const entry = tree(current.sha)?.entries.find((e) => e.name === part);
      if (!entry) return undefined;
      current = entry;
    }
    return current;
  };

  const walk = (treeSha: string, recursive: boolean, prefix = ''): WalkedEntry[] =>
    (tree(treeSha)?.entries ?? []).flatMap((e) => {
      const type = entryType(e.mode);
      const path = prefix + e.name;
      const blob = objects.get(e.sha);
      const here: WalkedEntry = { path, mode: e.mode, type, sha: e.sha };
      if (blob?.type === 'blob') here.size = blob.content.length;
      return type === 'tree' && recursive ? [here, ...walk(e.sha, true, `${path}/`)] : [here];
    });

  const isAncestor = (ancestor: string, descendant: string): boolean => {
    const seen = new Set<string>();
    const queue = [descendant];
    for (let sha = queue.shift(); sha !== undefined; sha = queue.shift()) {
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      const c = objects.get(sha);
      if (c?.type === 'commit') queue.push(...c.parents);
    }
    return false;
  };

  return {
    put,
    get: (sha) => objects.get(sha),
    commit: (sha) => {
      const o = objects.get(sha);
      return o?.type === 'commit' ? o : undefined;
    },
    writeTree(base, changes) {
      const root: DirNode = base === undefined ? { kind: 'dir', entries: new Map() } : expand(base);
      for (const change of changes) apply(root, change);
      return write(root) ?? put({ type: 'tree', entries: [] });
    },
    lookup,
    walk: (treeSha, recursive) => walk(treeSha, recursive),
    isAncestor,
  };
}
