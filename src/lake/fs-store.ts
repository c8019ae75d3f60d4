import { randomUUID } from 'node:crypto';
import { promises as fs, type Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assertSafeKey,
  NotFoundError,
  type ChildListing,
  type ObjectInfo,
  type ObjectStore,
  type PutResult,
} from './object-store.js';

/** Where in-flight writes wait before they are linked into place; listings never show it. */
const TMP_DIR = '.cbbd-tmp';

/**
 * A directory that mirrors S3 keys as paths. Create-only puts write a temporary file and `link()` it into place:
 * the link fails if the key exists, and readers never see a partial file.
 */
export function createFsStore(root: string): ObjectStore {
  const abs = path.resolve(root);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(abs, ...key.split('/'));
  };
  const toInfo = (
    key: string,
    st: { size: number; mtime: Date; mtimeMs: number; ino: number },
  ): ObjectInfo => ({
    key,
    size: st.size,
    lastModified: st.mtime,
    etag: `${st.ino}-${st.mtimeMs}`,
  });

  return {
    uri: pathToFileURL(abs).href,

    async *list(prefix) {
      // Walk from the deepest directory the prefix names, then filter by the full prefix, in key order as S3 does.
      const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const keys: ObjectInfo[] = [];
      await walk(abs, dirPart, keys);
      keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const info of keys) if (info.key.startsWith(prefix)) yield info;
    },

    async listChildren(prefix) {
      const dir = prefix === '' ? abs : path.join(abs, ...prefix.replace(/\/$/, '').split('/'));
      const out: ChildListing = { prefixes: [], objects: [] };
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
        throw e;
      }
      const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (entry.name === TMP_DIR) continue;
        if (entry.isDirectory()) out.prefixes.push(`${base}${entry.name}/`);
        else if (entry.isFile())
          out.objects.push(toInfo(`${base}${entry.name}`, await fs.stat(path.join(dir, entry.name))));
      }
      return out;
    },

    async head(key) {
      try {
        const st = await fs.stat(fileOf(key));
        return st.isFile() ? toInfo(key, st) : undefined;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
          return undefined;
        throw e;
      }
    },

    async get(key, range) {
      const file = fileOf(key);
      let handle: FileHandle;
      try {
        handle = await fs.open(file, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(key);
        throw e;
      }
      try {
        if (!range) return new Uint8Array(await handle.readFile());
        const length = Math.max(0, range.end - range.start);
        const buf = new Uint8Array(length);
        const { bytesRead } = await handle.read(buf, 0, length, range.start);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },

    async putIfAbsent(key, body): Promise<PutResult> {
      const file = fileOf(key);
      const tmpDir = path.join(abs, TMP_DIR);
      await fs.mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, randomUUID());
      await fs.writeFile(tmp, body, { flag: 'wx' });
      try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.link(tmp, file);
        return 'created';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw e;
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },

    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };

  async function walk(dirAbs: string, rel: string, out: ObjectInfo[]): Promise<void> {
    const dir = rel === '' ? dirAbs : path.join(dirAbs, ...rel.split('/'));
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    // A directory's entries and subdirectories side by side (the file system's threads do the work); `list`
    // sorts the keys after.
    await Promise.all(
      entries.map(async (entry) => {
        if (rel === '' && entry.name === TMP_DIR) return;
        const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(dirAbs, key, out);
        else if (entry.isFile()) out.push(toInfo(key, await fs.stat(path.join(dir, entry.name))));
      }),
    );
  }
}
