import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GAP_KINDS, type GapKind } from '../../src/audit/types.js';
import {
  parseMarker,
  parseRefusalMarker,
  renderMarker,
  renderRefusalMarker,
  type GapMarker,
} from '../../src/github/marker.js';

const PLAYS: GapMarker = {
  key: 'missing_children:fct_plays:2024',
  kind: 'missing_children',
  table: 'fct_plays',
  season: 2024,
  endpoint: 'plays_game',
};
const RENDERED = renderMarker(PLAYS);
const payload = (o: unknown) => `<!-- cbbd-gap-bot ${JSON.stringify(o)} -->`;

describe('renderMarker', () => {
  it('writes one hidden line with the fields in a fixed order', () => {
    expect(RENDERED).toBe(
      '<!-- cbbd-gap-bot {"key":"missing_children:fct_plays:2024","kind":"missing_children","table":"fct_plays","season":2024,"endpoint":"plays_game"} -->',
    );
    expect(renderMarker({ key: 'empty_table:fct_lines', kind: 'empty_table', table: 'fct_lines' })).toBe(
      '<!-- cbbd-gap-bot {"key":"empty_table:fct_lines","kind":"empty_table","table":"fct_lines"} -->',
    );
  });

  it('escapes < and > so no value can end the comment or open another', () => {
    const line = renderMarker({ ...PLAYS, table: 'a --> b <!-- c --!> d' });
    expect(line.slice(0, -3)).not.toMatch(/-->|--!>|<!--.*<!--/);
    expect(parseMarker(line)?.table).toBe('a --> b <!-- c --!> d');
  });
});

describe('parseMarker', () => {
  it.each<[string, unknown, GapMarker | undefined]>([
    ['the rendered line', RENDERED, PLAYS],
    ['a line inside a body', `# Title\n\n${RENDERED}\n\nsome text`, PLAYS],
    [
      'no season or endpoint',
      payload({ key: 'k', kind: 'empty_table', table: 't' }),
      { key: 'k', kind: 'empty_table', table: 't' },
    ],
    ['unknown extra fields, ignored', payload({ ...PLAYS, v: 2 }), PLAYS],
    ['not a string', 42, undefined],
    ['null', null, undefined],
    ['an empty body', '', undefined],
    ['no marker', 'Data gap: fct_plays 2024', undefined],
    ['not JSON', '<!-- cbbd-gap-bot {key: 1} -->', undefined],
    ['JSON, not an object', '<!-- cbbd-gap-bot ["k"] -->', undefined],
    ['no terminator', RENDERED.slice(0, -4), undefined],
    ['another tool’s tag', RENDERED.replace('cbbd-gap-bot', 'cbbd-gap-bot2'), undefined],
    ['a key that is a number', payload({ ...PLAYS, key: 7 }), undefined],
    ['an empty key', payload({ ...PLAYS, key: '' }), undefined],
    ['an unknown kind', payload({ ...PLAYS, kind: 'missing_everything' }), undefined],
    ['a season as a string', payload({ ...PLAYS, season: '2024' }), undefined],
    ['a fractional season', payload({ ...PLAYS, season: 2024.5 }), undefined],
    ['a season from antiquity', payload({ ...PLAYS, season: 24 }), undefined],
    ['an endpoint that is an object', payload({ ...PLAYS, endpoint: { path: 'x' } }), undefined],
    ['a table of 10,000 characters', payload({ ...PLAYS, table: 'x'.repeat(10_000) }), undefined],
    ['a marker past the first 65,536 characters', `${'x'.repeat(70_000)}${RENDERED}`, undefined],
    ['a __proto__ key, read as plain data', RENDERED.replace('{', '{"__proto__":{"kind":"x"},'), PLAYS],
  ])('%s', (_name, body, expected) => {
    expect(parseMarker(body)).toEqual(expected);
  });

  it('takes the first well-formed marker: malformed ones before it are skipped, later ones ignored', () => {
    const other = renderMarker({ key: 'empty_table:fct_lines', kind: 'empty_table', table: 'fct_lines' });
    expect(parseMarker(`${RENDERED}\n${other}`)).toEqual(PLAYS);
    expect(parseMarker(`<!-- cbbd-gap-bot nonsense -->\n${other}\n${RENDERED}`)?.key).toBe(
      'empty_table:fct_lines',
    );
  });

  it('reads a marker nested in another comment by where the comment ends', () => {
    // The outer comment ends at the first `-->`; what lies between is the inner marker's payload.
    expect(parseMarker(`<!-- cbbd-gap-bot ${RENDERED} -->`)).toEqual(PLAYS);
    expect(parseMarker(`<!-- note ${RENDERED.replace(' -->', '')} <!-- x --> -->`)).toBeUndefined();
  });

  it('does not split on a `-->` that sits inside a JSON string written by someone else', () => {
    expect(parseMarker(payload({ ...PLAYS, table: 'a-->b' }))).toBeUndefined();
  });

  it('gives up after 100 malformed look-alikes, and on unterminated ones at once', () => {
    expect(parseMarker(`${'<!-- cbbd-gap-bot x -->'.repeat(99)}${RENDERED}`)).toEqual(PLAYS);
    expect(parseMarker(`${'<!-- cbbd-gap-bot x -->'.repeat(100)}${RENDERED}`)).toBeUndefined();
    expect(parseMarker('<!-- cbbd-gap-bot {'.repeat(10_000))).toBeUndefined();
  });
});

describe('parseMarker properties', () => {
  const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 120 });
  const marker = fc.record(
    {
      key: text,
      kind: fc.constantFrom<GapKind>(...GAP_KINDS),
      table: text,
      season: fc.integer({ min: 1900, max: 9999 }),
      endpoint: text,
    },
    { requiredKeys: ['key', 'kind', 'table'] },
  );

  it('reads back what renderMarker wrote, anywhere in a body', () => {
    fc.assert(
      fc.property(marker, fc.string(), fc.string(), (m, before, after) => {
        const body = `${before.replaceAll('cbbd-gap-bot', '')}\n${renderMarker(m)}\n${after}`;
        expect(parseMarker(body)).toEqual(m);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the body', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc
        .array(
          fc.oneof(fc.constantFrom('<!-- cbbd-gap-bot ', '-->', '{', '}', '"', '\\', ':', ','), fc.string()),
        )
        .map((parts) => parts.join('')),
      fc.json().map((j) => `<!-- cbbd-gap-bot ${j} -->`),
    );
    fc.assert(
      fc.property(hostile, (body) => {
        const found = parseMarker(body);
        if (found) expect(GAP_KINDS).toContain(found.kind);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('refusal marker', () => {
  it('round-trips and is not mistaken for a gap marker', () => {
    const line = renderRefusalMarker({ user: 'tracy', reason: 'not-permitted' });
    expect(line).toBe('<!-- cbbd-gap-bot:refusal {"user":"tracy","reason":"not-permitted"} -->');
    expect(parseRefusalMarker(`${line}\n@tracy, no.`)).toEqual({ user: 'tracy', reason: 'not-permitted' });
    expect(parseMarker(line)).toBeUndefined();
    expect(parseRefusalMarker(RENDERED)).toBeUndefined();
  });
});
