import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsStore } from '../../src/lake/fs-store.js';
import { NotFoundError, type ObjectStore } from '../../src/lake/object-store.js';
import { freshS3Lake } from '../helpers/aws.js';
import { mapLimit } from '../../src/util/pool.js';
import { createCountingStore } from '../../src/lake/counting-store.js';
import { createRangeCacheStore } from '../../src/lake/range-cache-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const adapters: [string, () => Promise<ObjectStore>][] = [
  [
    'fs',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-fs-store-'));
      dirs.push(dir);
      return createFsStore(dir);
    },
  ],
  ['s3 (s3rver)', async () => freshS3Lake().store],
];

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe.each(adapters)('ObjectStore contract: %s', (_name, make) => {
  it('creates an object once and refuses to overwrite it', async () => {
    const store = await make();
    expect(await store.putIfAbsent('silver/t/season=2024/part-1.parquet', bytes('first'))).toBe('created');
    expect(await store.putIfAbsent('silver/t/season=2024/part-1.parquet', bytes('second'))).toBe('exists');
    expect(text(await store.get('silver/t/season=2024/part-1.parquet'))).toBe('first');
  });

  it('lets exactly one of many racing writers create a key', async () => {
    const store = await make();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putIfAbsent('raw/race/part-x.json.gz', bytes(`writer-${i}`))),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    const winner = results.indexOf('created');
    expect(text(await store.get('raw/race/part-x.json.gz'))).toBe(`writer-${winner}`);
  });

  it('reads a whole object and a byte range', async () => {
    const store = await make();
    await store.putIfAbsent('a/b/c.bin', bytes('0123456789'));
    expect(text(await store.get('a/b/c.bin'))).toBe('0123456789');
    expect(text(await store.get('a/b/c.bin', { start: 2, end: 6 }))).toBe('2345');
    expect(text(await store.get('a/b/c.bin', { start: 6, end: 10 }))).toBe('6789');
  });

  it('heads present and absent keys, and get of an absent key throws NotFoundError', async () => {
    const store = await make();
    await store.putIfAbsent('h/x.json', bytes('{}'));
    expect(await store.head('h/x.json')).toMatchObject({ key: 'h/x.json', size: 2 });
    expect(await store.head('h/missing.json')).toBeUndefined();
    await expect(store.get('h/missing.json')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists recursively in key order and by delimiter', async () => {
    const store = await make();
    const keys = [
      'silver/fct_games/season=2024/date=2024-01-03/part-b.parquet',
      'silver/fct_games/season=2024/date=2024-01-02/part-a.parquet',
      'silver/fct_games/season=2023/asof=2026-01-15/part-c.parquet',
      'silver/fct_games_x/part-d.parquet',
      'bronze/games/part-e.parquet',
    ];
    for (const k of keys) await store.putIfAbsent(k, bytes(k));
    const listed: string[] = [];
    for await (const o of store.list('silver/fct_games/')) listed.push(o.key);
    expect(listed).toEqual([
      'silver/fct_games/season=2023/asof=2026-01-15/part-c.parquet',
      'silver/fct_games/season=2024/date=2024-01-02/part-a.parquet',
      'silver/fct_games/season=2024/date=2024-01-03/part-b.parquet',
    ]);
    expect(await store.listChildren('silver/')).toEqual({
      prefixes: ['silver/fct_games/', 'silver/fct_games_x/'],
      objects: [],
    });
    const season = await store.listChildren('silver/fct_games/season=2024/date=2024-01-02/');
    expect(season.prefixes).toEqual([]);
    expect(season.objects.map((o) => o.key)).toEqual([
      'silver/fct_games/season=2024/date=2024-01-02/part-a.parquet',
    ]);
  });

  it('pages past 1,000 keys', async () => {
    const store = await make();
    const keys = Array.from(
      { length: 1203 },
      (_, i) => `many/season=2024/part-${String(i).padStart(5, '0')}.json`,
    );
    await mapLimit(keys, 16, (k) => store.putIfAbsent(k, bytes('x')));
    let count = 0;
    let last = '';
    for await (const o of store.list('many/')) {
      expect(o.key > last).toBe(true);
      last = o.key;
      count++;
    }
    expect(count).toBe(1203);
    const children = await store.listChildren('many/season=2024/');
    expect(children.objects).toHaveLength(1203);
  });

  it('refuses keys that would leave the lake', async () => {
    const store = await make();
    await expect(store.putIfAbsent('../escape.txt', bytes('x'))).rejects.toThrow(/unsafe object key/);
    await expect(store.putIfAbsent('a/../../escape.txt', bytes('x'))).rejects.toThrow(/unsafe object key/);
    await expect(store.get('/etc/passwd')).rejects.toThrow(/unsafe object key/);
  });

  it('deletes an object', async () => {
    const store = await make();
    await store.putIfAbsent('d/x', bytes('x'));
    await store.delete('d/x');
    expect(await store.head('d/x')).toBeUndefined();
  });
});

describe('range cache store', () => {
  it('answers a range inside bytes already fetched for the key without asking the store again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-range-cache-'));
    dirs.push(dir);
    const counting = createCountingStore(createFsStore(dir));
    await counting.putIfAbsent('f.bin', bytes('0123456789'));
    const cached = createRangeCacheStore(counting);
    expect(text(await cached.get('f.bin', { start: 2, end: 10 }))).toBe('23456789');
    expect(text(await cached.get('f.bin', { start: 4, end: 6 }))).toBe('45');
    expect(counting.counters.gets).toBe(1);
    expect(text(await cached.get('f.bin', { start: 0, end: 2 }))).toBe('01');
    expect(counting.counters.gets).toBe(2);
  });
});
