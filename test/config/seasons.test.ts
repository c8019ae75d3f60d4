import { describe, expect, it } from 'vitest';
import { formatSeasonSpec, parseSeasonSpec } from '../../src/config/seasons.js';

const bounds = { start: 2010, end: 2026 };

describe('season specs', () => {
  const good: [string, number[]][] = [
    ['2024', [2024]],
    ['2020-2026', [2020, 2021, 2022, 2023, 2024, 2025, 2026]],
    ['2010,2012,2020-2022', [2010, 2012, 2020, 2021, 2022]],
    [' 2022 - 2023 , 2021 ', [2021, 2022, 2023]],
    ['2024,2024,2023-2024', [2023, 2024]],
  ];
  it.each(good)('parses %j', (spec, seasons) => {
    expect(parseSeasonSpec(spec, bounds)).toEqual(seasons);
  });

  const bad: [string, string][] = [
    ['2026-2020', '--seasons: season range 2026-2020 is reversed; write it as 2020-2026'],
    ['2009', '--seasons: season 2009 in "2009" is outside seasons.start..end (2010-2026) of the config'],
    ['2024,20x5', '--seasons: "20x5" is not a season or a range'],
    ['', '--seasons: empty season spec'],
    ['2020-', '--seasons: "2020-" is not a season or a range'],
    ['2020,,2021', '--seasons: "" is not a season or a range'],
    ['2020-2030', '--seasons: season 2030 in "2020-2030" is outside'],
  ];
  it.each(bad)('refuses %j, quoting the bad part', (spec, message) => {
    expect(() => parseSeasonSpec(spec, bounds)).toThrow(message);
  });

  it('formats seasons back into the shortest spec', () => {
    expect(formatSeasonSpec([2022, 2010, 2012, 2020, 2021])).toBe('2010,2012,2020-2022');
    expect(formatSeasonSpec([2024])).toBe('2024');
    expect(formatSeasonSpec([])).toBe('');
  });
});
