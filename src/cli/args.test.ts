// The command line read without parseArgs must give exactly parseArgs's values, and anything it does not
// take on must reach parseArgs (its values or its error).
import { describe, expect, test } from '@jest/globals';
import { parseArgs } from 'node:util';
import { parseOptions, simpleStringOptions } from './args.ts';
import { InputError } from './documents.ts';

const OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'pid-file': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

const byParseArgs = (argv: string[]) =>
  parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;

describe('options read without parseArgs', () => {
  test.each([
    [[]],
    [['-f', 'a.yaml']],
    [['-f', 'a.yaml', '--filename', 'b.yaml', '--filename=c.yaml']],
    [['--cluster-domain', 'example.org', '-f', 'a']],
    [['--cluster-domain=x=y', '--pid-file', '/run/nats.pid']],
    [['-f', 'with space', '-f', 'é.yaml']],
  ])('%j: the values parseArgs gives', (argv) => {
    const values = simpleStringOptions(argv, OPTIONS);
    expect(values).toBeDefined();
    expect(values).toEqual(byParseArgs(argv));
    expect(Object.getPrototypeOf(values)).toBe(Object.getPrototypeOf(byParseArgs(argv)));
  });

  test.each([
    [['-v']],
    [['--verbose', '-f', 'a']],
    [['-f']],
    [['-f', '-']],
    [['-f', '-v']],
    [['-f', '']],
    [['--filename=']],
    [['--filename=-x']],
    [['-fa.yaml']],
    [['-f=a.yaml']],
    [['--cluster-domain', 'a', '--cluster-domain', 'b']],
    [['--unknown', 'x']],
    [['--constructor', 'x']],
    [['--', '-f', 'a']],
    [['positional']],
    [['-x', 'a']],
  ])('%j: left to parseArgs', (argv) => {
    expect(simpleStringOptions(argv, OPTIONS)).toBeUndefined();
  });

  test("parseOptions: parseArgs's values or its error as an InputError", () => {
    expect(parseOptions(['--cluster-domain', 'a', '--cluster-domain', 'b'], OPTIONS)).toEqual(
      byParseArgs(['--cluster-domain', 'a', '--cluster-domain', 'b']),
    );
    expect(() => parseOptions(['--unknown', 'x'], OPTIONS)).toThrow(InputError);
    expect(() => parseOptions(['-f', '-v'], OPTIONS)).toThrow(/ambiguous/);
  });
});
