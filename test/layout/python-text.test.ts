import { describe, expect, it } from 'vitest';
import { pythonJsonDumps, pythonRepr, pythonStr, type JsonValue } from '../../src/layout/python-json.js';

/*
 * Expected texts printed by CPython 3.11.7: for each row, [the Python expression, the same value as the API's JSON
 * gives it to JS, what Python printed]. `repr(eval(expression))` for the first table, `json.dumps(eval(expression))`
 * (the defaults: ", " and ": ", ensure_ascii) for the second. Written down once; the tests never run Python.
 */
type Row = [string, JsonValue, string];

const REPR: Row[] = [
  ['None', null, 'None'],
  ['True', true, 'True'],
  ['False', false, 'False'],
  ['0', 0, '0'],
  ['1', 1, '1'],
  ['-1', -1, '-1'],
  ['501', 501, '501'],
  ['9007199254740991', 9007199254740991, '9007199254740991'],
  ['0.5', 0.5, '0.5'],
  ['-0.5', -0.5, '-0.5'],
  ['200.5', 200.5, '200.5'],
  ['0.1', 0.1, '0.1'],
  ['0.1 + 0.2', 0.30000000000000004, '0.30000000000000004'],
  ['1 / 3', 0.3333333333333333, '0.3333333333333333'],
  ['2 / 3', 0.6666666666666666, '0.6666666666666666'],
  ['123456.789', 123456.789, '123456.789'],
  ['12345678901.5', 12345678901.5, '12345678901.5'],
  ['0.001', 0.001, '0.001'],
  ['0.0001', 0.0001, '0.0001'],
  ['0.00012', 0.00012, '0.00012'],
  ['1e-05', 1e-5, '1e-05'],
  ['-1e-05', -1e-5, '-1e-05'],
  ['2.5e-05', 2.5e-5, '2.5e-05'],
  ['1.5e-07', 1.5e-7, '1.5e-07'],
  ['5e-324', 5e-324, '5e-324'],
  ['1e16', 1e16, '1e+16'],
  ['1.5e17', 1.5e17, '1.5e+17'],
  ['1e22', 1e22, '1e+22'],
  ['1.7976931348623157e308', 1.7976931348623157e308, '1.7976931348623157e+308'],
  ["float('nan')", NaN, 'nan'],
  ["float('inf')", Infinity, 'inf'],
  ["float('-inf')", -Infinity, '-inf'],
  ["''", '', "''"],
  ["'abc'", 'abc', "'abc'"],
  ['"it\'s"', "it's", '"it\'s"'],
  ['\'say "hi"\'', 'say "hi"', '\'say "hi"\''],
  ["'both \\' and \"'", 'both \' and "', "'both \\' and \"'"],
  ["'back\\\\slash'", 'back\\slash', "'back\\\\slash'"],
  ["'tab\\there'", 'tab\u0009here', "'tab\\there'"],
  ["'line\\nbreak'", 'line\u000abreak', "'line\\nbreak'"],
  ["'cr\\r'", 'cr\u000d', "'cr\\r'"],
  ["'\\x00'", '\u0000', "'\\x00'"],
  ["'\\x0b\\x0c'", '\u000b\u000c', "'\\x0b\\x0c'"],
  ["'\\x1f'", '\u001f', "'\\x1f'"],
  ["'\\x7f'", '\u007f', "'\\x7f'"],
  ["'\\x80'", '\u0080', "'\\x80'"],
  ["'\\xa0'", '\u00a0', "'\\xa0'"],
  ["'\\xad'", '\u00ad', "'\\xad'"],
  ["'é'", 'é', "'é'"],
  ["'José Núñez'", 'José Núñez', "'José Núñez'"],
  ["'Ñandú'", 'Ñandú', "'Ñandú'"],
  ["'日本語'", '日本語', "'日本語'"],
  ["'\\u2028'", '\u2028', "'\\u2028'"],
  ["'\\u200b'", '\u200b', "'\\u200b'"],
  ["'\\ufeff'", '\ufeff', "'\\ufeff'"],
  ["'\\u3000'", '\u3000', "'\\u3000'"],
  ["'\\u0378'", '\u0378', "'\\u0378'"],
  ["'😀'", '😀', "'😀'"],
  ["'\\U0001f3c0'", '🏀', "'🏀'"],
  ["'\\U000e0001'", '\udb40\udc01', "'\\U000e0001'"],
  ["'\\ud800'", '\ud800', "'\\ud800'"],
  ['[]', [], '[]'],
  ['[1, 2]', [1, 2], '[1, 2]'],
  ["[None, True, False, 1.5, 'x']", [null, true, false, 1.5, 'x'], "[None, True, False, 1.5, 'x']"],
  ['[[1], {}]', [[1], {}], '[[1], {}]'],
  ['{}', {}, '{}'],
  ["{'a': 1}", { a: 1 }, "{'a': 1}"],
  ["{'b': 1, 'a': 2}", { b: 1, a: 2 }, "{'b': 1, 'a': 2}"],
  ["{\"it's\": 'ok'}", { "it's": 'ok' }, "{\"it's\": 'ok'}"],
  ["{'id': 501, 'name': 'José Núñez'}", { id: 501, name: 'José Núñez' }, "{'id': 501, 'name': 'José Núñez'}"],
  [
    "{'period': 2, 'secondsRemaining': 754, 'teamPoints': 41, 'opponentPoints': 38}",
    { period: 2, secondsRemaining: 754, teamPoints: 41, opponentPoints: 38 },
    "{'period': 2, 'secondsRemaining': 754, 'teamPoints': 41, 'opponentPoints': 38}",
  ],
  [
    "[{'id': 501, 'name': 'José Núñez', 'team': \"Saint Mary's\"}, {'id': 502, 'name': 'D\\'Angelo \"DJ\" O\\'Neil', 'team': 'UConn'}]",
    [
      { id: 501, name: 'José Núñez', team: "Saint Mary's" },
      { id: 502, name: 'D\'Angelo "DJ" O\'Neil', team: 'UConn' },
    ],
    "[{'id': 501, 'name': 'José Núñez', 'team': \"Saint Mary's\"}, {'id': 502, 'name': 'D\\'Angelo \"DJ\" O\\'Neil', 'team': 'UConn'}]",
  ],
  [
    "{'shooter': {'id': 7, 'name': 'A. Smith'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}}",
    {
      shooter: { id: 7, name: 'A. Smith' },
      made: true,
      range: 'jumper',
      assisted: false,
      assistedBy: null,
      location: { x: 12.5, y: 3.25 },
    },
    "{'shooter': {'id': 7, 'name': 'A. Smith'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}}",
  ],
  [
    "{'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'effectiveFieldGoalPct': 0.5, 'turnoverRatio': 0.08333333333333333}}",
    {
      possessions: 12,
      points: 14,
      trueShooting: 0.583,
      fourFactors: { effectiveFieldGoalPct: 0.5, turnoverRatio: 0.08333333333333333 },
    },
    "{'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'effectiveFieldGoalPct': 0.5, 'turnoverRatio': 0.08333333333333333}}",
  ],
];

const JSON_DUMPS: Row[] = [
  ['None', null, 'null'],
  ['True', true, 'true'],
  ['False', false, 'false'],
  ['0', 0, '0'],
  ['1', 1, '1'],
  ['-1', -1, '-1'],
  ['501', 501, '501'],
  ['9007199254740991', 9007199254740991, '9007199254740991'],
  ['0.5', 0.5, '0.5'],
  ['-0.5', -0.5, '-0.5'],
  ['200.5', 200.5, '200.5'],
  ['0.1', 0.1, '0.1'],
  ['0.1 + 0.2', 0.30000000000000004, '0.30000000000000004'],
  ['1 / 3', 0.3333333333333333, '0.3333333333333333'],
  ['2 / 3', 0.6666666666666666, '0.6666666666666666'],
  ['123456.789', 123456.789, '123456.789'],
  ['12345678901.5', 12345678901.5, '12345678901.5'],
  ['0.001', 0.001, '0.001'],
  ['0.0001', 0.0001, '0.0001'],
  ['0.00012', 0.00012, '0.00012'],
  ['1e-05', 1e-5, '1e-05'],
  ['-1e-05', -1e-5, '-1e-05'],
  ['2.5e-05', 2.5e-5, '2.5e-05'],
  ['1.5e-07', 1.5e-7, '1.5e-07'],
  ['5e-324', 5e-324, '5e-324'],
  ['1e16', 1e16, '1e+16'],
  ['1.5e17', 1.5e17, '1.5e+17'],
  ['1e22', 1e22, '1e+22'],
  ['1.7976931348623157e308', 1.7976931348623157e308, '1.7976931348623157e+308'],
  ["float('nan')", NaN, 'NaN'],
  ["float('inf')", Infinity, 'Infinity'],
  ["float('-inf')", -Infinity, '-Infinity'],
  ["''", '', '""'],
  ["'abc'", 'abc', '"abc"'],
  ['"it\'s"', "it's", '"it\'s"'],
  ['\'say "hi"\'', 'say "hi"', '"say \\"hi\\""'],
  ["'both \\' and \"'", 'both \' and "', '"both \' and \\""'],
  ["'back\\\\slash'", 'back\\slash', '"back\\\\slash"'],
  ["'tab\\there'", 'tab\u0009here', '"tab\\there"'],
  ["'line\\nbreak'", 'line\u000abreak', '"line\\nbreak"'],
  ["'cr\\r'", 'cr\u000d', '"cr\\r"'],
  ["'\\x00'", '\u0000', '"\\u0000"'],
  ["'\\x0b\\x0c'", '\u000b\u000c', '"\\u000b\\f"'],
  ["'\\x1f'", '\u001f', '"\\u001f"'],
  ["'\\x7f'", '\u007f', '"\\u007f"'],
  ["'\\x80'", '\u0080', '"\\u0080"'],
  ["'\\xa0'", '\u00a0', '"\\u00a0"'],
  ["'\\xad'", '\u00ad', '"\\u00ad"'],
  ["'é'", 'é', '"\\u00e9"'],
  ["'José Núñez'", 'José Núñez', '"Jos\\u00e9 N\\u00fa\\u00f1ez"'],
  ["'Ñandú'", 'Ñandú', '"\\u00d1and\\u00fa"'],
  ["'日本語'", '日本語', '"\\u65e5\\u672c\\u8a9e"'],
  ["'\\u2028'", '\u2028', '"\\u2028"'],
  ["'\\u200b'", '\u200b', '"\\u200b"'],
  ["'\\ufeff'", '\ufeff', '"\\ufeff"'],
  ["'\\u3000'", '\u3000', '"\\u3000"'],
  ["'\\u0378'", '\u0378', '"\\u0378"'],
  ["'😀'", '😀', '"\\ud83d\\ude00"'],
  ["'\\U0001f3c0'", '🏀', '"\\ud83c\\udfc0"'],
  ["'\\U000e0001'", '\udb40\udc01', '"\\udb40\\udc01"'],
  ["'\\ud800'", '\ud800', '"\\ud800"'],
  ['[]', [], '[]'],
  ['[1, 2]', [1, 2], '[1, 2]'],
  ["[None, True, False, 1.5, 'x']", [null, true, false, 1.5, 'x'], '[null, true, false, 1.5, "x"]'],
  ['[[1], {}]', [[1], {}], '[[1], {}]'],
  ['{}', {}, '{}'],
  ["{'a': 1}", { a: 1 }, '{"a": 1}'],
  ["{'b': 1, 'a': 2}", { b: 1, a: 2 }, '{"b": 1, "a": 2}'],
  ["{\"it's\": 'ok'}", { "it's": 'ok' }, '{"it\'s": "ok"}'],
  [
    "{'id': 501, 'name': 'José Núñez'}",
    { id: 501, name: 'José Núñez' },
    '{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez"}',
  ],
  [
    "{'period': 2, 'secondsRemaining': 754, 'teamPoints': 41, 'opponentPoints': 38}",
    { period: 2, secondsRemaining: 754, teamPoints: 41, opponentPoints: 38 },
    '{"period": 2, "secondsRemaining": 754, "teamPoints": 41, "opponentPoints": 38}',
  ],
  [
    "[{'id': 501, 'name': 'José Núñez', 'team': \"Saint Mary's\"}, {'id': 502, 'name': 'D\\'Angelo \"DJ\" O\\'Neil', 'team': 'UConn'}]",
    [
      { id: 501, name: 'José Núñez', team: "Saint Mary's" },
      { id: 502, name: 'D\'Angelo "DJ" O\'Neil', team: 'UConn' },
    ],
    '[{"id": 501, "name": "Jos\\u00e9 N\\u00fa\\u00f1ez", "team": "Saint Mary\'s"}, {"id": 502, "name": "D\'Angelo \\"DJ\\" O\'Neil", "team": "UConn"}]',
  ],
  [
    "{'shooter': {'id': 7, 'name': 'A. Smith'}, 'made': True, 'range': 'jumper', 'assisted': False, 'assistedBy': None, 'location': {'x': 12.5, 'y': 3.25}}",
    {
      shooter: { id: 7, name: 'A. Smith' },
      made: true,
      range: 'jumper',
      assisted: false,
      assistedBy: null,
      location: { x: 12.5, y: 3.25 },
    },
    '{"shooter": {"id": 7, "name": "A. Smith"}, "made": true, "range": "jumper", "assisted": false, "assistedBy": null, "location": {"x": 12.5, "y": 3.25}}',
  ],
  [
    "{'possessions': 12, 'points': 14, 'trueShooting': 0.583, 'fourFactors': {'effectiveFieldGoalPct': 0.5, 'turnoverRatio': 0.08333333333333333}}",
    {
      possessions: 12,
      points: 14,
      trueShooting: 0.583,
      fourFactors: { effectiveFieldGoalPct: 0.5, turnoverRatio: 0.08333333333333333 },
    },
    '{"possessions": 12, "points": 14, "trueShooting": 0.583, "fourFactors": {"effectiveFieldGoalPct": 0.5, "turnoverRatio": 0.08333333333333333}}',
  ],
];

describe("CPython's repr, as the pipeline's bronze holds nested values", () => {
  it.each(REPR)('repr(%s)', (_python, value, text) => {
    expect(pythonRepr(value)).toBe(text);
  });

  it('str() is the text itself for a string and repr for anything else', () => {
    expect(pythonStr("it's")).toBe("it's");
    expect(pythonStr(true)).toBe('True');
    expect(pythonStr(5)).toBe('5');
    expect(pythonStr(2.5)).toBe('2.5');
    expect(pythonStr([{ id: 1 }])).toBe("[{'id': 1}]");
  });
});

describe("CPython's json.dumps defaults, as the pipeline's silver JSON columns hold nested values", () => {
  it.each(JSON_DUMPS)('json.dumps(%s)', (_python, value, text) => {
    expect(pythonJsonDumps(value, false)).toBe(text);
  });
});
