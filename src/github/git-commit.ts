import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Octokit } from '@octokit/rest';
import { unless404 } from './http-status.js';
import type { WriteBudget } from './write-budget.js';

export interface CommitFilesOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The commit the new one goes on top of. */
  parent: string;
  /** Path → UTF-8 text. */
  files: Record<string, string>;
  message: string;
  /** Charged for each blob, the tree and the commit. */
  budget: WriteBudget;
}

/** Most writes `commitFiles` makes for `fileCount` files: a blob each, a tree, a commit. */
export const commitWrites = (fileCount: number): number => fileCount + 2;

/** The SHA git gives a blob: sha1 of `blob <bytes>\0<content>`. */
export function gitBlobSha(text: string): string {
  const content = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * One commit on top of `parent` that writes `files`, through the Git Data API: a blob for each file that differs
 * from the parent's, a tree on the parent's tree, a commit. Undefined, with no write, when every file is already
 * as given.
 */
export async function commitFiles(o: CommitFilesOptions): Promise<{ sha: string } | undefined> {
  const { octokit, owner, repo } = o;
  const existing = await blobShasAt(o);
  const changed = Object.entries(o.files).filter(([path, text]) => existing.get(path) !== gitBlobSha(text));
  if (changed.length === 0) return undefined;
  const { data: parent } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: o.parent });
  const tree = [];
  for (const [path, text] of changed) {
    o.budget.consume('git');
    const { data: blob } = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: Buffer.from(text, 'utf8').toString('base64'),
      encoding: 'base64',
    });
    tree.push({ path, mode: '100644' as const, type: 'blob' as const, sha: blob.sha });
  }
  o.budget.consume('git');
  const { data: newTree } = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: parent.tree.sha,
    tree,
  });
  o.budget.consume('git');
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: o.message,
    tree: newTree.sha,
    parents: [o.parent],
  });
  return { sha: commit.sha };
}

/** The blob SHAs the parent holds at the files' paths, one directory listing per directory. */
async function blobShasAt(o: CommitFilesOptions): Promise<Map<string, string>> {
  const shas = new Map<string, string>();
  const dirs = new Set(Object.keys(o.files).map((p) => posix.dirname(p)));
  for (const dir of dirs) {
    const listing = await unless404(
      o.octokit.rest.repos.getContent({
        owner: o.owner,
        repo: o.repo,
        path: dir === '.' ? '' : dir,
        ref: o.parent,
      }),
    );
    if (!listing || !Array.isArray(listing.data)) continue;
    for (const entry of listing.data) if (entry.type === 'file') shas.set(entry.path, entry.sha);
  }
  return shas;
}
