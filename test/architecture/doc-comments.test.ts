import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './function-lengths.js';

const SRC = path.resolve('src');

describe('doc comments in src/', () => {
  it('sit on a declaration, or open the file: none floats after the imports onto whatever comes next', () => {
    const floating = sourceFiles(SRC).flatMap((file) => {
      const text = readFileSync(path.join(SRC, file), 'utf8');
      // A doc comment followed by a blank line documents nothing, so editors show it on the next declaration.
      return [...text.matchAll(/\/\*\*(?:(?!\*\/)[\s\S])*\*\/[ \t]*\n[ \t]*\n/g)]
        .filter((m) => m.index > 0)
        .map((m) => `src/${file}:${text.slice(0, m.index).split('\n').length}`);
    });
    expect(floating).toEqual([]);
  });
});
