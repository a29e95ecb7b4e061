import { describe, expect, test } from '@jest/globals';
import { include, variable, writeNatsConf } from './conf-writer.ts';
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
  test('refuses numbers nats.conf cannot hold', () => {
    expect(() => writeNatsConf({ n: Number.NaN })).toThrow(/cannot hold/);
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
