import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvent } from '../../src/action/event.js';
import { parseConfig } from '../../src/config/load.js';
import { parseSeasonSpec } from '../../src/config/seasons.js';
import { ENDPOINT_TABLES } from '../../src/config/pipeline-tables.js';
import { SchemaConflictError, tableRules } from '../../src/fill/column-rules.js';
import { prepareGameLayers } from '../../src/fill/write-game.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { parseLakeUri } from '../../src/lake/lake-uri.js';
import { LakePathError, parseLakeKey } from '../../src/layout/partitions.js';
import { parseJsonish } from '../../src/layout/row-key.js';
import { readFooter, UnreadableFileError } from '../../src/parquet/read.js';
import { writeParquet } from '../../src/parquet/write.js';
import { UsageError } from '../../src/util/errors.js';
import { countFromEnv, recordReliability } from '../faults/record.js';

/** Hostile and malformed input: every case ends in a clear error of a known type, or is handled; none crashes. */
// A whole number: fast-check never stops when numRuns has a fraction (10000 / 3 ran for ever).
const RUNS = countFromEnv('CBBD_FUZZ_RUNS', 300);
const PER_ENDPOINT = Math.max(1, Math.floor(RUNS / 3));

/** A property held for `runs` generated inputs: each one ended in a result or a known error, none crashed. */
const fuzzed = (what: string, runs = RUNS) =>
  recordReliability(`fuzz: ${what}`, {
    cases: 1,
    seeds: 1,
    faultsInjected: 0,
    runs,
    survived: runs,
    dataLost: 0,
    extra: { fuzzRuns: runs },
  });
const expectKnownError = (fn: () => unknown, ...types: (new (...a: never[]) => Error)[]) => {
  try {
    fn();
  } catch (e) {
    expect(
      types.some((t) => e instanceof t),
      `unexpected ${String(e)}`,
    ).toBe(true);
  }
};

describe('season specs', () => {
  it('either parse into sorted seasons inside the bounds or refuse with a UsageError that quotes the spec', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9, -]{0,20}$/)), (spec) => {
        try {
          const seasons = parseSeasonSpec(spec, { start: 2010, end: 2026 });
          expect(seasons).toEqual([...seasons].sort((a, b) => a - b));
          expect(seasons.every((s) => s >= 2010 && s <= 2026)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          expect((e as Error).message).toMatch(/^--seasons: /);
        }
      }),
      { numRuns: RUNS },
    );
    fuzzed('season specs');
  });
});

describe('config.yaml documents', () => {
  it('parse or refuse with a UsageError naming the file; never anything else', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.json().map((j) => j),
      fc
        .dictionary(fc.string(), fc.jsonValue())
        .map((d) => JSON.stringify({ bucket: 'b-1', seasons: { start: 2010, end: 2026 }, ...d })),
      fc.constantFrom(
        'a: &x [*x]',
        '!!binary AAAA',
        'a: *undefined',
        '{a: [[[[[[[[',
        `${'- '.repeat(2000)}x`,
        'bucket: b\nbucket: c',
      ),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          const { config } = parseConfig(text, 'fuzz.yaml');
          expect(typeof config.bucket).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          expect((e as Error).message).toMatch(/^fuzz\.yaml: /);
        }
      }),
      { numRuns: RUNS },
    );
    fuzzed('config.yaml documents');
  });
});

describe('hive paths and lake URIs', () => {
  const segment = fc.oneof(
    fc.constantFrom(
      '..',
      '.',
      '',
      'season=2024',
      'date=2024-01-03',
      'asof=2026-01-15',
      'season=%2F..%2F',
      'season=..%2f',
      'x=%E0%A4',
      'a=b=c',
      '=x',
      '%00',
      'season=\\..',
    ),
    fc.string({ maxLength: 12 }),
  );
  it('either parse into safe parts or refuse with a LakePathError; no part ever holds a slash or ..', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 7 }), (segments) => {
        const key = segments.join('/');
        try {
          const p = parseLakeKey(key);
          for (const part of p.partitions) {
            expect(part.value).not.toMatch(/[\\/]/);
            expect(['.', '..']).not.toContain(part.value);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(LakePathError);
        }
      }),
      { numRuns: RUNS },
    );
    fuzzed('hive paths');
  });

  it('a key that would leave the lake is refused by the store before any file is touched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-hostile-'));
    const store = createFsStore(path.join(dir, 'lake'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (segments) => {
          const key = segments.join('/');
          try {
            await store.putIfAbsent(key, new Uint8Array([1]));
            // Written: then it must be inside the lake directory.
            expect(
              path.resolve(dir, 'lake', ...key.split('/')).startsWith(path.join(dir, 'lake') + path.sep),
            ).toBe(true);
          } catch (e) {
            expect((e as Error).message).toMatch(
              /unsafe object key|ENAMETOOLONG|EISDIR|ENOTDIR|EEXIST|EINVAL/,
            );
          }
        }),
        { numRuns: RUNS },
      );
      fuzzed('keys that would leave the lake');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--lake values parse or refuse with a UsageError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.constantFrom('s3://', 's3://a', 's3://ok-bucket/../x', 'file://relative', 'gs://x'),
        ),
        (value) => {
          expectKnownError(() => parseLakeUri(value), UsageError);
        },
      ),
      { numRuns: RUNS },
    );
    fuzzed('--lake values');
  });
});

describe('Parquet bytes', () => {
  let dir: string;
  let good: Uint8Array;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-parquet-fuzz-'));
    good = writeParquet(
      [
        { name: 'id', type: 'INT64' },
        { name: 'name', type: 'STRING' },
      ],
      Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` })),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('truncated files, wrong magic and lying footers are UnreadableFileError, never a crash or a hang', async () => {
    const store = createFsStore(dir);
    const mutations = fc.oneof(
      fc.nat({ max: good.length }).map((n) => ({ kind: 'truncate', bytes: good.subarray(0, n) })),
      fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'garbage', bytes: b })),
      fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const copy = good.slice();
        copy[i] = v;
        return { kind: 'flip', bytes: copy };
      }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((len) => {
        // A footer that claims a metadata length it does not have.
        const copy = good.slice();
        new DataView(copy.buffer).setUint32(copy.length - 8, len, true);
        return { kind: 'lying-length', bytes: copy };
      }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async ({ bytes }) => {
        const key = `f/${n++}.parquet`;
        await store.putIfAbsent(key, bytes);
        try {
          const meta = await readFooter(store, { key, size: bytes.length });
          expect(Number(meta.num_rows)).toBeGreaterThanOrEqual(0);
        } catch (e) {
          expect(e).toBeInstanceOf(UnreadableFileError);
          expect((e as Error).message.startsWith(key)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    fuzzed('Parquet bytes');
  });

  it.each([
    ['a negative count', 0x1f, '-16 rows in row groups of 50'],
    ['a count its row groups do not add up to', 0x62, '49 rows in row groups of 50'],
  ])('a footer that parses but claims %s is UnreadableFileError', async (_what, zigzag, message) => {
    // FileMetaData.num_rows is field 3 (i64, compact delta 1 → 0x16); 50 rows is zigzag varint 0x64. The first such
    // pair in the footer is the file's count; the row group's own count follows inside field 4.
    const footerStart = good.length - 8 - new DataView(good.buffer).getUint32(good.length - 8, true);
    const at = good.findIndex((b, i) => i >= footerStart && b === 0x16 && good[i + 1] === 0x64);
    expect(at).toBeGreaterThan(0);
    const copy = good.slice();
    copy[at + 1] = zigzag;
    const store = createFsStore(dir);
    const key = `lying/${zigzag}.parquet`;
    await store.putIfAbsent(key, copy);
    await expect(readFooter(store, { key, size: copy.length })).rejects.toThrow(
      new UnreadableFileError(key, `footer claims ${message}`),
    );
  });
});

describe('API records with missing or mistyped fields', () => {
  const record = fc.dictionary(
    fc.constantFrom(
      'id',
      'gameId',
      'onFloor',
      'participants',
      'shotInfo',
      'subIn',
      'subOut',
      'athleteId',
      'teamId',
      'idHash',
      'athletes',
      'season',
      'period',
      'playText',
      'x',
    ),
    fc.oneof(fc.jsonValue(), fc.constant(undefined)),
    { minKeys: 1 },
  );
  it.each(['plays_game', 'substitutions_game', 'lineups_game'])(
    '%s answers become the three layers, or a schema conflict, and nothing else',
    (endpoint) => {
      const rules = {
        bronze: tableRules('bronze', 'cbbd_bronze', endpoint),
        silver: tableRules('silver', 'cbbd_silver', ENDPOINT_TABLES[endpoint]!),
      };
      const game = { gameId: 1, season: 2024, date: '2024-01-01' };
      fc.assert(
        fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
          try {
            prepareGameLayers(endpoint, game, records, ['id'], rules);
          } catch (e) {
            // A hinted column (ids are int64) meeting a value it cannot hold: the game fails, nothing is written.
            if (!(e instanceof SchemaConflictError)) throw e;
          }
        }),
        { numRuns: PER_ENDPOINT },
      );
      fuzzed(`API records: ${endpoint}`, PER_ENDPOINT);
    },
  );

  it('JSON-ish text (JSON or Python repr) parses or gives null, never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.constantFrom("{'a': None}", "[{'id': 1, 'name': 'O\\'Neil'}]", "{'a': True"),
        ),
        (text) => {
          parseJsonish(text);
        },
      ),
      { numRuns: RUNS },
    );
    fuzzed('JSON-ish text');
  });
});

describe('event payloads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-event-fuzz-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('an issues event is read into typed fields or refused with a UsageError naming the field', async () => {
    const payload = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({
          action: fc.oneof(fc.constant('labeled'), fc.string()),
          issue: fc.oneof(fc.record({ number: fc.oneof(fc.integer(), fc.string()) }), fc.constant(null)),
          label: fc.option(fc.record({ name: fc.string({ maxLength: 200 }) })),
          sender: fc.record({
            login: fc.oneof(fc.constant('octocat'), fc.string(), fc.constant('a; rm -rf /')),
          }),
        })
        .map((v) => JSON.stringify(v)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(payload, async (text) => {
        const file = path.join(dir, `${n++}.json`);
        await writeFile(file, text);
        try {
          const event = await readEvent('issues', file);
          if (event.name === 'issues') {
            expect(Number.isInteger(event.issueNumber)).toBe(true);
            expect(typeof event.sender).toBe('string');
            expect(event.sender.length).toBeLessThanOrEqual(256);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          expect((e as Error).message).toMatch(/^(event payload|GITHUB_EVENT_PATH)/);
        }
      }),
      { numRuns: RUNS },
    );
    fuzzed('event payloads');
  });
});
