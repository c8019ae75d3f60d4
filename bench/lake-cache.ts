// Generated lakes for benchmarks, cached under os.tmpdir() so a second run does not spend minutes writing the
// same files again. A cache entry is keyed by the generator's options and by the source of everything that
// shapes the bytes (generator, synthetic API, row flattening, Parquet writer and its version), and is published
// by renaming a finished directory into place, so an interrupted generation is never reused.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoLake, type DemoLakeManifest, type DemoLakeOptions } from '../src/demo/generate-lake.js';
import { createFsStore } from '../src/lake/fs-store.js';

/** Where benchmark lakes live: outside the repository, reused across runs. */
export const BENCH_CACHE = path.join(os.tmpdir(), 'cbbd-gap-bot-bench');

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Files whose content decides what the generator writes. */
const SHAPING_SOURCES = ['src/demo', 'src/fill', 'src/parquet', 'src/layout'].map((d) => path.join(REPO, d));

/** A generated directory lake: where it is, what the generator says it holds, and whether it came from cache. */
export interface CachedLake {
  root: string;
  manifest: DemoLakeManifest;
  cached: boolean;
  /** Seconds spent generating (0 when reused). */
  generatedSeconds: number;
}

/**
 * The lake `generateDemoLake` writes with `options` (which must not hold an `encode` function), generated once
 * and reused while the options and the generator's sources are unchanged.
 */
export async function cachedLake(
  name: string,
  options: Omit<DemoLakeOptions, 'encode'>,
): Promise<CachedLake> {
  const dir = path.join(BENCH_CACHE, `${name}-${fingerprint(options)}`);
  const manifestFile = path.join(dir, 'bench-manifest.json');
  const root = path.join(dir, 'lake');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as DemoLakeManifest;
    return { root, manifest, cached: true, generatedSeconds: 0 };
  }
  await mkdir(BENCH_CACHE, { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const t0 = performance.now();
  const manifest = await generateDemoLake(createFsStore(path.join(building, 'lake')), options);
  await rm(path.join(building, 'lake', '.cbbd-tmp'), { recursive: true, force: true });
  await writeFile(path.join(building, 'bench-manifest.json'), JSON.stringify(manifest));
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  // Lakes of the same name from older sources are never read again: drop them (finished ones only).
  const current = path.basename(dir);
  for (const entry of readdirSync(BENCH_CACHE))
    if (entry !== current && new RegExp(`^${name}-[0-9a-f]{12}$`).test(entry))
      await rm(path.join(BENCH_CACHE, entry), { recursive: true, force: true });
  return { root, manifest, cached: false, generatedSeconds: (performance.now() - t0) / 1000 };
}

function fingerprint(options: object): string {
  const hash = createHash('sha256').update(JSON.stringify(options));
  for (const dir of SHAPING_SOURCES) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      if (!file.endsWith('.ts')) continue;
      hash.update(file).update(readFileSync(path.join(dir, file)));
    }
  }
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  for (const pkg of ['hyparquet', 'hyparquet-writer'])
    hash.update(`${pkg}@${lock.packages[`node_modules/${pkg}`]?.version ?? '?'}`);
  return hash.digest('hex').slice(0, 12);
}

/** Total bytes and files under a directory (the lake's size as storage sees it). */
export function directorySize(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}
