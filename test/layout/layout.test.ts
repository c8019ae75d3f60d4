import { describe, expect, it } from 'vitest';
import { paramsHash, paramsHash8 } from '../../src/layout/hash.js';
import { LakePathError, parseLakeKey, partitionShape } from '../../src/layout/partitions.js';
import { pythonJsonDumps } from '../../src/layout/python-json.js';

describe("the pipeline's params hash", () => {
  it('hashes {"gameId": 123} as cbbd_etl does', () => {
    expect(paramsHash({ gameId: 123 })).toBe(
      '93edef5da8babda24f0b2b48bd4918341411833691b31df0bbe0949ec43fd034',
    );
    expect(paramsHash8({ gameId: 123 })).toBe('93edef5d');
  });

  // Digests computed with CPython 3.11: hashlib.sha256(json.dumps(p, sort_keys=True).encode()).hexdigest()[:8]
  const known: [Record<string, never> | Record<string, unknown>, string][] = [
    [{ gameId: 401234 }, '290c8e18'],
    [{ gameId: 12345 }, 'c497cd0b'],
    [{}, '44136fa3'],
    [{ date: '2025-01-15' }, 'dcd51b9b'],
    [
      { season: 2024, startDateRange: '2023-08-01T00:00:00Z', endDateRange: '2023-08-30T23:59:59Z' },
      '7addb528',
    ],
  ];
  it.each(known)('hashes %j like Python', (params, hash8) => {
    expect(paramsHash8(params as never)).toBe(hash8);
  });

  // Python sorts keys by code point; UTF-16 units put U+1F600 (D83D DE00) before U+FF61. Computed with CPython:
  // json.dumps({"\U0001F600": 2, "\uff61": 1, "a": 0}, sort_keys=True) and its sha256.
  it('sorts keys above U+FFFF by code point, as Python does', () => {
    const params = { '\u{1F600}': 2, '\uFF61': 1, a: 0 };
    expect(pythonJsonDumps(params)).toBe('{"a": 0, "\\uff61": 1, "\\ud83d\\ude00": 2}');
    expect(paramsHash(params)).toBe('372c123e9fb6890386783da57737ef8fb7098440ee2a0f362ca1e6b2a7cbdcad');
  });

  const dumps: [unknown, string][] = [
    [{ b: 1, a: [1, 2.5, null, true] }, '{"a": [1, 2.5, null, true], "b": 1}'],
    [{ s: 'é"\\\n\u0001' }, '{"s": "\\u00e9\\"\\\\\\n\\u0001"}'],
    [{ f: 1e-7, g: 1.5e16, h: 0.1 }, '{"f": 1e-07, "g": 1.5e+16, "h": 0.1}'],
    [[], '[]'],
    [{}, '{}'],
  ];
  it.each(dumps)('dumps %j as json.dumps(sort_keys=True)', (value, text) => {
    expect(pythonJsonDumps(value as never)).toBe(text);
  });
});

describe('hive partitions at any depth', () => {
  const cases: [string, string, string, string][] = [
    [
      'silver/fct_plays/season=2024/date=2024-01-03/part-93edef5d.parquet',
      'silver',
      'fct_plays',
      'season/date',
    ],
    ['silver/fct_games/season=2022/asof=2026-01-15/part-1.parquet', 'silver', 'fct_games', 'season/asof'],
    ['silver/dim_teams/asof=2026-01-15/part-1.parquet', 'silver', 'dim_teams', 'asof'],
    ['silver/fct_rankings/season=2020/part-1.parquet', 'silver', 'fct_rankings', 'season'],
    ['silver/dim_venues/part-1.parquet', 'silver', 'dim_venues', ''],
    ['raw/plays/game/ingested_at=2026-02-23/part-290c8e18.json.gz', 'raw', 'plays/game', 'ingested_at'],
  ];
  it.each(cases)('parses %s', (key, layer, table, shape) => {
    const p = parseLakeKey(key);
    expect(p.layer).toBe(layer);
    expect(p.table).toBe(table);
    expect(partitionShape(p.partitions)).toBe(shape);
  });

  it('decodes values and keeps odd directories as strays', () => {
    const p = parseLakeKey('silver/t/season=2024/backup/date=2024%2D01%2D03/part-1.parquet');
    expect(p.partitions).toEqual([
      { name: 'season', value: '2024' },
      { name: 'date', value: '2024-01-03' },
    ]);
    expect(p.strays).toEqual(['backup']);
  });

  const hostile = [
    'silver/t/season=2024/../../etc/part-1.parquet',
    'silver/t/season=%2F..%2Fescape/part-1.parquet',
    'silver/t/season=..%2F/part-1.parquet',
    'silver/t/season=%E0%A4%A/part-1.parquet',
    '/silver/t/part-1.parquet',
    'silver//t/part-1.parquet',
    'silver/part-1.parquet',
  ];
  it.each(hostile)('refuses %s', (key) => {
    expect(() => parseLakeKey(key)).toThrow(LakePathError);
  });
});
