import { describe, expect, test } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { shareSecretData, SharedStrings } from './shared-strings.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in bytes. */
const liveHeap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// What the API server sends: each Secret parsed on its own, so each holds its own copy of ca.crt.
const bundle = Buffer.alloc(1400, 'MIIC').toString('base64');
const parsedSecrets = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      JSON.parse(JSON.stringify({ kind: 'Secret', data: { 'ca.crt': bundle, url: `nats://u-${i}` } })) as {
        kind: string;
        data: Record<string, string>;
      },
  );

describe('SharedStrings', () => {
  test('2,000 Secrets with the same ca.crt hold one copy of it, not 2,000', () => {
    const before = liveHeap();
    const separate = parsedSecrets(2000);
    const unshared = liveHeap() - before;
    const strings = new SharedStrings();
    for (const secret of separate) shareSecretData(secret, strings);
    const shared = liveHeap() - before;
    // Each unshared copy is ~1.9 KB of base64; shared, the 2,000 objects keep only their other fields.
    expect(unshared - shared).toBeGreaterThan(2000 * 1500);
    expect(separate.every((s) => s.data['ca.crt'] === bundle)).toBe(true);
    expect(strings.size).toBe(1);
  });

  test('keeps at most max values, dropping the oldest (a rotated bundle is not held forever)', () => {
    const strings = new SharedStrings(2);
    for (const v of ['a', 'b', 'c']) strings.share(v);
    expect(strings.size).toBe(2);
  });

  test('leaves other keys, and Secrets without data, as they are', () => {
    const strings = new SharedStrings();
    const secret = { data: { 'user.creds': 'x', url: 'y' } };
    shareSecretData(secret, strings);
    shareSecretData({}, strings);
    expect(secret.data).toEqual({ 'user.creds': 'x', url: 'y' });
    expect(strings.size).toBe(0);
  });
});
