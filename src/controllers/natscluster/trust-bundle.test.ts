import { describe, expect, test } from '@jest/globals';
import { nextTrustBundle, splitPem } from './trust-bundle.ts';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----`;

describe('nextTrustBundle', () => {
  test('a new cluster trusts its CA', () => {
    expect(splitPem(nextTrustBundle(pem('A'), undefined, [pem('A')]))).toEqual([pem('A')]);
  });
  test('during a CA change the old CA stays trusted while a leaf is still issued by it', () => {
    expect(splitPem(nextTrustBundle(pem('B'), pem('A'), [pem('A'), pem('B')]))).toEqual([pem('B'), pem('A')]);
  });
  test('once every leaf is issued by the new CA the old one is dropped', () => {
    expect(splitPem(nextTrustBundle(pem('B'), `${pem('B')}\n${pem('A')}`, [pem('B'), pem('B')]))).toEqual([
      pem('B'),
    ]);
  });
  test('no CA yet keeps what is trusted today', () => {
    expect(nextTrustBundle('', pem('A'), [])).toBe(pem('A'));
  });
});
