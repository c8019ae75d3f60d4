import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeManifest, encodeManifest, MANIFEST_SCHEMA_VERSION } from '../../src/audit/manifest.js';
import type { AuditProgress } from '../../src/audit/run-audit.js';
import type { AuditResult } from '../../src/audit/types.js';
import { auditLake } from '../../src/commands/audit.js';
import { generateDemoLake } from '../../src/demo/generate-lake.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig } from '../helpers/lakes.js';
import { applyEdits, copyLake, lakeFacts, silverKeys } from './lake-edits.js';

const config = shippedConfig();
const SEASONS = [2024, 2025];
const DIR = 'meta/cbbd-gap-bot/audit';

async function audit(
  root: string,
  opts: { full?: boolean; day?: number; progress?: (p: AuditProgress) => void; store?: ObjectStore } = {},
) {
  const logger = createMemoryLogger();
  const result: AuditResult = await auditLake(
    {
      config,
      lake: { kind: 'file', root },
      engine: 'scan',
      seasons: SEASONS,
      out: '',
      full: opts.full ?? false,
    },
    {
      logger,
      env: {},
      now: () => new Date(Date.UTC(2026, 10, opts.day ?? 21)),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.store ? { store: opts.store } : {}),
    },
  );
  return { result, warnings: logger.lines.filter((l) => l.level === 'warn').map((l) => l.message) };
}

const manifests = async (root: string) => (await readdir(path.join(root, DIR))).sort();

describe('the audit manifest', () => {
  let work: string;
  let base: string;
  /** A copy of the lake with one manifest of its own (a copied manifest names the lake it was copied from). */
  const audited = async (name: string) => {
    const root = path.join(work, name);
    await copyLake(base, root);
    await audit(root);
    return root;
  };
  const fullFacts = async (root: string) => lakeFacts((await audit(root, { full: true })).result);
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'cbbd-manifest-'));
    base = path.join(work, 'base');
    await generateDemoLake(createFsStore(base), {
      seasons: SEASONS,
      gamesPerSeason: 6,
      playsPerGame: [8, 12],
    });
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('holds one entry per listed file, and a night with no change reads no file and spends no GET on one', async () => {
    const root = await audited('quiet');
    const [name] = await manifests(root);
    const { header, entries } = decodeManifest(await readFile(path.join(root, DIR, name!)));
    expect(header).toMatchObject({ schemaVersion: MANIFEST_SCHEMA_VERSION, lake: createFsStore(root).uri });
    expect([...entries.keys()].sort()).toEqual(await silverKeys(root));
    const { result } = await audit(root);
    expect(result.run).toMatchObject({ kind: 'incremental', filesRead: 0, filesListed: entries.size });
    expect(lakeFacts(result)).toEqual(await fullFacts(root));
  });

  it('counts in its progress the files it reads, not those the manifest answers', async () => {
    const root = await audited('progress');
    const touched = await applyEdits(root, { dir: root, keys: [] }, [
      { kind: 'duplicate', pick: 5 },
      { kind: 'repeat', pick: 40 },
    ]);
    const seen: AuditProgress[] = [];
    const { result } = await audit(root, { day: 22, progress: (p) => seen.push(p) });
    expect(touched.size).toBe(2);
    expect(result.run).toMatchObject({ kind: 'incremental', filesRead: 2 });
    expect(seen).toEqual([
      { read: 1, total: 2 },
      { read: 2, total: 2 },
    ]);
    const quiet: AuditProgress[] = [];
    await audit(root, { day: 23, progress: (p) => quiet.push(p) });
    expect(quiet).toEqual([]);
  });

  it('reads a deadletter record once: a night reads only the records that are new, and still equals a full audit', async () => {
    const root = await audited('deadletters');
    const deadletterGets = async (day: number) => {
      const inner = createFsStore(root);
      const read: string[] = [];
      const store: ObjectStore = {
        ...inner,
        get: (key, range) => {
          if (key.startsWith('deadletter/')) read.push(key);
          return inner.get(key, range);
        },
      };
      const { result } = await audit(root, { day, store });
      return { result, read };
    };
    const quiet = await deadletterGets(22);
    expect(quiet.read).toEqual([]);
    const missing = quiet.result.gaps.find((g) => g.kind === 'missing_children' && g.table === 'fct_plays');
    const gameId = missing!.ids[0]!;
    const key = `deadletter/plays_game/ingested_at=2026-11-22/part-${gameId}.json`;
    await mkdir(path.dirname(path.join(root, key)), { recursive: true });
    await writeFile(path.join(root, key), JSON.stringify({ reason: 'empty_response', params: { gameId } }));
    const night = await deadletterGets(23);
    expect(night.read).toEqual([key]);
    expect(night.result.run).toMatchObject({ kind: 'incremental', filesRead: 0 });
    const after = night.result.gaps.find((g) => g.key === missing!.key);
    expect(after?.ids ?? []).not.toContain(gameId);
    expect(lakeFacts(night.result)).toEqual(await fullFacts(root));
  });

  it.each([
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 20), /ignored/],
    ['not gzip', () => Buffer.from('hello'), /ignored/],
    [
      'of another schema version',
      (bytes: Buffer) => {
        const { header, entries } = decodeManifest(bytes);
        return Buffer.from(encodeManifest({ ...header, schemaVersion: 99 }, [...entries.values()]));
      },
      /schema version 99/,
    ],
    [
      'of another lake',
      (bytes: Buffer) => {
        const { header, entries } = decodeManifest(bytes);
        return Buffer.from(encodeManifest({ ...header, lake: 's3://other' }, [...entries.values()]));
      },
      /describes s3:\/\/other/,
    ],
    [
      'without its end line',
      (bytes: Buffer) => gzipSync(gunzipLines(bytes).slice(0, -1).join('\n')),
      /cut short/,
    ],
  ])(
    'a newest manifest %s is ignored with a warning; the older one is used',
    async (_name, spoil, warning) => {
      const root = await audited(`spoiled-${_name.replace(/\W/g, '')}`);
      const [name] = await manifests(root);
      const bytes = await readFile(path.join(root, DIR, name!));
      await writeFile(path.join(root, DIR, 'manifest-29990101T000000000Z-ffffffff.ndjson.gz'), spoil(bytes));
      const { result, warnings } = await audit(root);
      expect(warnings.some((w) => warning.test(w) && w.includes('29990101'))).toBe(true);
      expect(result.run).toMatchObject({ kind: 'incremental', filesRead: 0 });
      expect((await manifests(root)).length).toBe(3); // nothing deleted, one added
      expect(lakeFacts(result)).toEqual(await fullFacts(root));
    },
  );

  it('with no usable manifest at all, audits in full and writes a new one', async () => {
    const root = await audited('garbage');
    const [name] = await manifests(root);
    await writeFile(path.join(root, DIR, name!.replace('.ndjson.gz', '-x.ndjson.gz')), 'garbage');
    await rm(path.join(root, DIR, name!));
    const { result, warnings } = await audit(root);
    expect(warnings.length).toBeGreaterThan(0);
    expect(result.run).toMatchObject({ kind: 'full', reason: 'no usable audit manifest' });
    expect(result.run?.filesRead).toBe(result.run?.filesListed);
    expect(lakeFacts(result)).toEqual(await fullFacts(root));
  });

  it('--full reads every file; audit.full_every_days turns a night full when the last full audit is older', async () => {
    const root = await audited('aged');
    expect((await audit(root, { full: true })).result.run).toMatchObject({
      kind: 'full',
      reason: 'audit --full',
    });
    expect((await audit(root, { day: 27 })).result.run?.kind).toBe('incremental');
    const week = (await audit(root, { day: 28 })).result.run!;
    expect(week.kind).toBe('full');
    expect(week.reason).toMatch(/older than audit.full_every_days \(7\)/);
    expect((await audit(root, { day: 29 })).result.run?.kind).toBe('incremental');
  });
});

function gunzipLines(bytes: Buffer): string[] {
  return gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
}
