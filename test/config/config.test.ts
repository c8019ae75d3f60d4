import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { parseConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/util/errors.js';

describe('config.yaml', () => {
  it('the embedded default is the shipped config.yaml, byte for byte', async () => {
    expect(DEFAULT_CONFIG_YAML).toBe(await readFile('config.yaml', 'utf8'));
  });

  it('parses the shipped file without warnings, with the pipeline values and the bot defaults', () => {
    const { config, warnings } = parseConfig(DEFAULT_CONFIG_YAML, 'config.yaml');
    expect(warnings).toEqual([]);
    expect(config.bucket).toBe('hoops-edge');
    expect(config.api.rate_limit_per_sec).toBe(3);
    expect(config.api.max_concurrency).toBe(3);
    expect(config.api.retry).toEqual({ max_attempts: 5, base_delay_seconds: 0.5, max_delay_seconds: 8 });
    expect(config.api.quota_reserve).toBe(50);
    expect(config.seasons).toMatchObject({ start: 2010, end: 2026 });
    expect(config.endpoints.plays_game).toMatchObject({ path: '/plays/game/{gameId}', type: 'game_fanout' });
    expect(config.audit.tables.fct_plays).toMatchObject({
      key: ['id'],
      parent: 'fct_games',
      endpoint: 'plays_game',
    });
    expect(config.audit.tables.fct_lineups?.first_season).toBe(2024);
    expect(config.catalog.silver_database).toBe('cbbd_silver');
    expect(config.checkpoints.table).toBe('cbbd_checkpoints');
  });

  it('accepts the pipeline config alone (no bot sections) with defaults', () => {
    const pipelineOnly = DEFAULT_CONFIG_YAML.split('\n# ----')[0] as string;
    const { config, warnings } = parseConfig(
      pipelineOnly.replace(/\n {2}quota_reserve: .*\n/, '\n'),
      'pipeline.yaml',
    );
    expect(warnings).toEqual([]);
    // The pipeline's file has no audit section: the built-in tables are the shipped config's.
    expect(config.audit.tables).toEqual(parseConfig(DEFAULT_CONFIG_YAML, 'config.yaml').config.audit.tables);
    expect(Object.keys(config.audit.tables)).toHaveLength(22);
    expect(config.github.gap_label).toBe('data-gap');
    expect(config.api.quota_reserve).toBe(50);
  });

  it('lays audit.tables over the built-in tables: new tables added, fields of known ones overridden', () => {
    const { config, warnings } = parseConfig(
      [
        'bucket: abc',
        'seasons: {start: 2010, end: 2026}',
        'audit:',
        '  tables:',
        '    fct_lineups: {first_season: 2025}',
        '    fct_pbp_plays_enriched: {key: [id], parent: fct_games}',
      ].join('\n'),
      'extend.yaml',
    );
    expect(warnings).toEqual([]);
    expect(config.audit.tables.fct_lineups).toEqual({
      key: ['gameId', 'idHash', 'teamId'],
      parent: 'fct_games',
      parent_key: 'gameId',
      endpoint: 'lineups_game',
      first_season: 2025,
    });
    expect(config.audit.tables.fct_pbp_plays_enriched?.key).toEqual(['id']);
    expect(config.audit.tables.fct_plays?.endpoint).toBe('plays_game');
  });

  it('a new table still needs a key', () => {
    expect(() =>
      parseConfig(
        'bucket: abc\nseasons: {start: 2010, end: 2026}\naudit: {tables: {t: {parent: x}}}',
        'x.yaml',
      ),
    ).toThrow(/audit\.tables\.t\.key: expected an array, got nothing/);
  });

  const bad: [string, string, RegExp][] = [
    [
      'a word for a number',
      'bucket: b1b\nseasons: {start: 2010, end: 2026}\napi: {rate_limit_per_sec: fast}',
      /api\.rate_limit_per_sec: expected a number, got "fast"/,
    ],
    ['a missing bucket', 'seasons: {start: 2010, end: 2026}', /bucket: expected a string, got nothing/],
    [
      'reversed seasons',
      'bucket: abc\nseasons: {start: 2026, end: 2010}',
      /seasons: seasons.start must not be after seasons.end/,
    ],
    [
      'a table key that is not a list',
      'bucket: abc\nseasons: {start: 2010, end: 2026}\naudit: {tables: {fct_plays: {key: id}}}',
      /audit\.tables\.fct_plays\.key: expected an array, got "id"/,
    ],
    [
      'an endpoint of unknown type',
      'bucket: abc\nseasons: {start: 2010, end: 2026}\nendpoints: {x: {path: /x, type: weekly}}',
      /endpoints\.x\.type: Invalid option/,
    ],
    ['broken YAML', 'bucket: [abc\nseasons: 1', /not valid YAML at line/],
    ['a list at the top', '- a\n- b', /expected a mapping of keys at the top level/],
    ['a duplicated key', 'bucket: abc\nbucket: abd\nseasons: {start: 2010, end: 2026}', /not valid YAML/],
  ];
  it.each(bad)('refuses %s with a message naming the key', (_what, text, message) => {
    expect(() => parseConfig(text, 'bad.yaml')).toThrow(UsageError);
    expect(() => parseConfig(text, 'bad.yaml')).toThrow(message);
  });

  it('warns about unknown keys at any depth, and goes on', () => {
    const { warnings, config } = parseConfig(
      'bucket: abc\nseasons: {start: 2010, end: 2026}\napi: {rate_limt_per_sec: 3}\naudit: {tables: {t: {key: [id]}}}\nextra: 1',
      'odd.yaml',
    );
    expect(config.api.rate_limit_per_sec).toBe(3);
    expect(warnings).toEqual([
      'odd.yaml: unknown key api.rate_limt_per_sec (ignored)',
      'odd.yaml: unknown key extra (ignored)',
    ]);
  });
});

describe('configs that mean nothing are refused', () => {
  const base = 'bucket: hoops-edge\nseasons: {start: 2010, end: 2026}\n';
  it('a parent that is not a table, naming the key path', () => {
    expect(() =>
      parseConfig(`${base}audit:\n  tables:\n    fct_plays: {parent: fct_gamez}\n`, 'c.yaml'),
    ).toThrow(/c\.yaml: .*audit\.tables\.fct_plays\.parent: "fct_gamez" is not a table of audit\.tables/);
  });
  it('an endpoint that maps to no endpoint of the config', () => {
    expect(() =>
      parseConfig(`${base}audit:\n  tables:\n    fct_plays: {endpoint: plays_gmae}\n`, 'c.yaml'),
    ).toThrow(/audit\.tables\.fct_plays\.endpoint: "plays_gmae" is not an endpoint of endpoints/);
  });
  it('an unknown key inside the bot’s own sections is an error; in the pipeline’s, a warning', () => {
    expect(() => parseConfig(`${base}github:\n  gap_lable: x\n`, 'c.yaml')).toThrow(
      /unknown key github\.gap_lable in the bot's own section/,
    );
    expect(parseConfig(`${base}pipeline_extra: 1\n`, 'c.yaml').warnings).toEqual([
      'c.yaml: unknown key pipeline_extra (ignored)',
    ]);
  });
});
