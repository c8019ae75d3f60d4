import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { AuditResult } from '../../src/audit/types.js';
import { generateDemoLake } from '../../src/demo/generate-lake.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { writeParquet, type ColumnType } from '../../src/parquet/write.js';

/** One edit the pipeline (or a disk) makes to a lake between two audits. */
export type LakeEdit =
  | { kind: 'add'; pick: number }
  | { kind: 'change'; pick: number; from: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'corrupt'; pick: number }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'repeat'; pick: number }
  | { kind: 'partition'; pick: number };

/** Random edits; `pick` and `from` choose files by index modulo the lake's current files. */
export const lakeEdit: fc.Arbitrary<LakeEdit> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('change' as const), pick: fc.nat(), from: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('corrupt' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('partition' as const), pick: fc.nat() }),
);

/** The silver Parquet keys of a directory lake, sorted. */
export async function silverKeys(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, 'silver'), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * Moves a share of the lake's child-table files into `reserve/` (outside the lake): an `add` edit puts one back,
 * as the pipeline adds a game. Returns the reserved keys.
 */
export async function reserveFiles(root: string, reserve: string, every: number): Promise<string[]> {
  const keys = (await silverKeys(root)).filter((k) => /fct_(plays|substitutions|lineups)\//.test(k));
  const out = keys.filter((_, i) => i % every === 0);
  for (const key of out) {
    await mkdir(path.dirname(path.join(reserve, key)), { recursive: true });
    await rename(path.join(root, key), path.join(reserve, key));
  }
  return out;
}

/**
 * Applies `edits` to a directory lake, replacing files by writing a new one and renaming it over the old (a new
 * object, as an S3 overwrite gives a new ETag). Returns the keys written and still present: what an incremental
 * audit must read.
 */
export async function applyEdits(
  root: string,
  reserve: { dir: string; keys: string[] },
  edits: readonly LakeEdit[],
): Promise<Set<string>> {
  const touched = new Set<string>();
  let n = 0;
  const put = async (key: string, bytes: Uint8Array) => {
    const file = path.join(root, key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(root, `.edit-${n++}`);
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    touched.add(key);
  };
  for (const edit of edits) {
    const keys = await silverKeys(root);
    const key = keys[edit.pick % keys.length]!;
    const bytes = () => readFile(path.join(root, key));
    switch (edit.kind) {
      case 'add': {
        const back = reserve.keys.find((k) => !keys.includes(k));
        if (back) await put(back, await readFile(path.join(reserve.dir, back)));
        break;
      }
      case 'change': {
        const table = key.split('/')[1]!;
        const same = keys.filter((k) => k.split('/')[1] === table && k !== key);
        if (same.length > 0) await put(key, await readFile(path.join(root, same[edit.from % same.length]!)));
        break;
      }
      case 'delete':
        await rm(path.join(root, key));
        touched.delete(key);
        break;
      case 'corrupt':
        await put(key, (await bytes()).subarray(0, 40));
        break;
      case 'duplicate':
        await put(key.replace(/part-[0-9a-f]{8}/, `part-${hex8(edit.pick)}`), await bytes());
        break;
      case 'repeat': {
        const doubled = await withRowsTwice(await bytes());
        if (doubled) await put(key, doubled);
        break;
      }
      case 'partition': {
        const season = /season=(\d{4})/.exec(key)?.[1];
        if (season)
          await put(
            `${key.split('/season=')[0]}/season=${season}/date=${season}-04-30/part-${hex8(edit.pick)}.parquet`,
            await bytes(),
          );
        break;
      }
    }
  }
  return touched;
}

/** The file rewritten with every row twice (duplicates of its own), or undefined when it is no readable Parquet. */
async function withRowsTwice(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(file);
  } catch {
    return undefined;
  }
  const columns = metadata.schema.slice(1).map((e) => ({ name: e.name, type: columnType(e.type) }));
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  return writeParquet(columns, [...rows, ...rows]);
}

function columnType(type: string | undefined): ColumnType {
  return type === 'INT64' || type === 'INT32' || type === 'DOUBLE' || type === 'BOOLEAN' ? type : 'STRING';
}

function hex8(n: number): string {
  return ((n * 2654435761) >>> 0).toString(16).padStart(8, '0');
}

/** A copy of a directory lake, for one property run. */
export async function copyLake(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

/** What must be equal between two audits of one lake: everything but the time and the run's own cost. */
export function lakeFacts(result: AuditResult): unknown {
  const { generatedAt: _g, run: _r, ...rest } = result;
  return rest;
}

/**
 * A demo lake at `<work>/base` (`gamesPerSeason` games of 8–16 plays a season) with every `every`-th silver file
 * held back under `<work>/reserve`, for the `add` edits to bring in later.
 */
export async function editableLake(
  work: string,
  seasons: number[],
  gamesPerSeason: number,
  every: number,
): Promise<{ base: string; reserve: { dir: string; keys: string[] } }> {
  const base = path.join(work, 'base');
  await generateDemoLake(createFsStore(base), { seasons, gamesPerSeason, playsPerGame: [8, 16] });
  const dir = path.join(work, 'reserve');
  return { base, reserve: { dir, keys: await reserveFiles(base, dir, every) } };
}
