import { describe, expect, test } from '@jest/globals';
import { include, variable, writeNatsConf } from './conf-writer.ts';
import { RenderError } from './render-error.ts';
import { durationToSeconds, quantityToBytes } from './units.ts';

describe('writeNatsConf', () => {
  test('quotes strings, leaves numbers, booleans and $variables bare, skips undefined', () => {
    const text = writeNatsConf({
      server_name: variable('POD_NAME'),
      port: 4222,
      debug: false,
      name: 'a "b"',
      skipped: undefined,
    });
    expect(text).toBe('server_name: $POD_NAME\nport: 4222\ndebug: false\nname: "a \\"b\\""\n');
  });
  test('quotes keys that are not bare words (account names, nkeys)', () => {
    expect(writeNatsConf({ accounts: { 'my-app': { users: [] } } })).toBe(
      'accounts: {\n  "my-app": {\n    users: []\n  }\n}\n',
    );
  });
  test('writes includes in place, whatever their key', () => {
    expect(writeNatsConf({ cluster: { port: 6222, auth: include('../secrets/routes.conf') } })).toBe(
      'cluster: {\n  port: 6222\n  include "../secrets/routes.conf"\n}\n',
    );
  });
  test('writes a bcrypt hash as a quoted literal, never as a $variable', () => {
    expect(writeNatsConf({ password: '$2a$11$abc' })).toBe('password: "$2a$11$abc"\n');
  });
  test('refuses numbers nats.conf cannot hold or would read back as strings', () => {
    expect(() => writeNatsConf({ n: Number.NaN })).toThrow(/cannot hold/);
    expect(() => writeNatsConf({ n: 1e21 })).toThrow(/cannot hold the number "1e\+21"/);
    expect(() => writeNatsConf({ n: 1e-7 })).toThrow(/cannot hold the number "1e-7"/);
    expect(() => writeNatsConf({ n: 2 ** 60 })).toThrow(RenderError);
    expect(writeNatsConf({ a: 1.5, b: -3, c: 0.3 })).toBe('a: 1.5\nb: -3\nc: 0.3\n');
  });
  // nats-server knows only \t \n \r \" \\ and \xHH in a quoted value; JSON's \b, \f and \u0001
  // were parse errors, and a raw NUL reads as the end of the input.
  test('escapes control characters the way nats-server reads them', () => {
    expect(writeNatsConf({ v: 'a\tb\nc\rd\be\ff\u0000g\u001fh\u007fi' })).toBe(
      'v: "a\\tb\\nc\\rd\\x08e\\x0cf\\x00g\\x1fh\\x7fi"\n',
    );
  });
  test('leaves $, comments, brackets and look-alike numbers as plain text inside quotes', () => {
    expect(writeNatsConf({ v: ['$X', '# c', '// c', '{[,;=:]}', 'true', '10s', '1k', 'include x'] })).toBe(
      'v: [\n  "$X"\n  "# c"\n  "// c"\n  "{[,;=:]}"\n  "true"\n  "10s"\n  "1k"\n  "include x"\n]\n',
    );
  });
  // A quoted key is read verbatim up to the next quote of its kind: no escapes there.
  test('writes keys verbatim: double quotes, single quotes when they hold a double quote, bare when both', () => {
    expect(writeNatsConf({ 'a\\b\nc': 1, 'say "hi"': 2, 'it\'s"x"': 3, INCLUDE: 4 })).toBe(
      '"a\\b\nc": 1\n\'say "hi"\': 2\nit\'s"x": 3\n"INCLUDE": 4\n',
    );
  });
  test('refuses, naming the place and the value, what nats.conf cannot hold', () => {
    expect(() => writeNatsConf({ accounts: { 'it\'s "x"': 1 } })).toThrow(
      new RenderError(
        'accounts."it\'s \\"x\\""',
        'nats.conf cannot hold the key "it\'s \\"x\\"": it holds both quote characters, and nats-server reads no escapes in keys',
      ),
    );
    expect(() => writeNatsConf({ k: ['ok', 'a\ud800'] })).toThrow(
      /^k\[1\]: nats.conf cannot hold the string "a\\ud800"/,
    );
    expect(() => writeNatsConf({ 'a\u0000': 1 })).toThrow(/NUL/);
    expect(() => writeNatsConf({ v: variable('A-B') })).toThrow(/variable name "A-B"/);
    expect(() => writeNatsConf({ v: include('a"\'b') })).toThrow(/include path/);
    expect(() => writeNatsConf({}, ['two\nlines'])).toThrow(/comment line/);
  });
  test('a block with a key named include or variable is still a block (an account named "include")', () => {
    expect(writeNatsConf({ accounts: { include: { users: [] }, variable: { users: [] } } })).toBe(
      'accounts: {\n  "include": {\n    users: []\n  }\n  variable: {\n    users: []\n  }\n}\n',
    );
  });
});

describe('units', () => {
  test.each([
    ['8Mi', 8 * 1024 * 1024],
    ['1Gi', 1024 ** 3],
    ['512', 512],
    ['1k', 1000],
    ['1.5Ki', 1536],
  ])('%s is %d bytes', (q, bytes) => expect(quantityToBytes(q)).toBe(bytes));
  test.each([
    ['2s', 2],
    ['1h30m', 5400],
    ['300ms', 0.3],
    ['2160h', 7776000],
  ])('%s is %d seconds', (d, s) => expect(durationToSeconds(d)).toBeCloseTo(s));
});
