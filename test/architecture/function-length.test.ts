import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionLengths, measureSource } from './function-lengths.js';

/** Lines of its own a function in src/ may have; functions nested in it are counted apart (STYLE.md: about 60). */
const MAX_OWN_LINES = 80;

describe('function length in src/', () => {
  const lengths = functionLengths(path.resolve('src'));

  it(`has no function with more than ${MAX_OWN_LINES} lines of its own`, () => {
    const long = lengths
      .filter((f) => f.ownLines > MAX_OWN_LINES)
      .map((f) => `src/${f.file}:${f.line} ${f.name}: ${f.ownLines} lines`);
    expect(long).toEqual([]);
  });

  it('counts nested functions apart from the one around them, and names arrows by their variable', () => {
    const text = [
      'export function outer() {', //  1: outer
      '  const a = 1;', //              2: outer
      '  const inner = () => {', //     3: inner
      '    return a;', //               4: inner
      '  };', //                        5: inner
      '  class C {', //                 6: outer
      '    m() {', //                   7: C.m
      '      return function () {};', // 8: the anonymous function
      '    }', //                       9: C.m
      '  }', //                        10: outer
      '  return [inner, C];', //       11: outer
      '}', //                          12: outer
    ].join('\n');
    expect(measureSource('x.ts', text).map((f) => [f.name, f.ownLines])).toEqual([
      ['inner', 3],
      ['(anonymous)', 1],
      ['m', 2],
      ['outer', 6],
    ]);
  });
});
