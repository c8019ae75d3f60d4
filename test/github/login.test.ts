import { describe, expect, it } from 'vitest';
import { loginShape, quotedLogin } from '../../src/github/login.js';

describe('loginShape', () => {
  it.each<[string, string | undefined]>([
    ['octocat', 'user'],
    ['mona-lisa', 'user'],
    ['A1', 'user'],
    ['x', 'user'],
    ['a'.repeat(39), 'user'],
    // Accounts older than the single-hyphen rule keep their names.
    ['old--name', 'user'],
    ['legacy-', 'user'],
    // Enterprise Managed Users: the normalized IdP name, `_`, the enterprise's 3-8 character shortcode.
    ['mona-cat_octo', 'managed-user'],
    ['The-Octocat_acme2024', 'managed-user'],
    ['octo_admin', 'managed-user'],
    ['2abvd19d_admin', 'managed-user'],
    ['github-actions[bot]', 'bot'],
    ['dependabot[bot]', 'bot'],
    ['my-app-2[bot]', 'bot'],
    ['', undefined],
    ['-leading', undefined],
    ['a'.repeat(40), undefined],
    ['has space', undefined],
    ['dot.name', undefined],
    ['under_score_two_x', undefined],
    ['mona_ab', undefined],
    ['mona_toolongcode', undefined],
    ['mona--cat_octo', undefined],
    ['_octo', undefined],
    ['[bot]', undefined],
    ['evil`name', undefined],
    ['ünïcode', undefined],
  ])('%j is %s', (login, shape) => {
    expect(loginShape(login)).toBe(shape);
  });
});

describe('quotedLogin', () => {
  it('quotes without backticks or line breaks, at most 60 characters', () => {
    expect(quotedLogin('a`b\nc')).toBe('`abc`');
    expect(quotedLogin('x'.repeat(100))).toBe(`\`${'x'.repeat(59)}…\``);
  });
});
