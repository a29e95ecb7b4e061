// scripts/bundle-cli.ts escapes the bundle's non-ASCII characters so that bin/code-cache.js can read
// it as Latin-1: the escaped source must mean what the original meant.
import { describe, expect, test } from '@jest/globals';
import { toAscii } from '../../scripts/bundle-cli.ts';

const evaluate = (source: string): unknown => new Function(`return ${source}`)();

describe('toAscii', () => {
  test.each([
    ['a string', "'µs café ✓ 😀'"],
    ['a regular expression', "/(ns|us|µs)$/.exec('12µs')?.[1]"],
    ['a character class', "/^[µ-ÿ]+$/u.test('µé')"],
    ['a template literal', '`naïve ${1 + 1} 😀`'],
    ['an identifier', '(() => { const café = 2; return café * 3; })()'],
    ['a comment', '1 /* µ */ + 2'],
  ])('%s means the same', (_name, source) => {
    const ascii = toAscii(source);
    expect(ascii).toMatch(/^[\0-\x7f]*$/);
    expect(ascii).not.toBe(source);
    expect(evaluate(ascii)).toEqual(evaluate(source));
  });

  test('refuses a backslash before a non-ASCII character, where the escape would change the meaning', () => {
    expect(() => toAscii("'\\µ'")).toThrow(/backslash/);
  });
});
