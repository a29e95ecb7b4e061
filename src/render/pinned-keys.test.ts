// What `pinned_certs` lists: the declared pins, plus the issued ones only when the spec asks, and
// never an empty list under managed pinning (nats-server reads an empty list as no pinning, opts.go:5314).
import { describe, expect, test } from '@jest/globals';
import { loadExample } from '../../test/fixtures/examples.ts';
import { pinnedKeys } from './nats-conf.ts';
import { RenderError } from './render-error.ts';

const managed = loadExample('pinned-clients').clusters[0]!;
const declared = managed.spec.tls.client.pinnedCerts![0]!;
const withClient = (client: object) => ({
  ...managed,
  spec: { ...managed.spec, tls: { ...managed.spec.tls, client: { ...managed.spec.tls.client, ...client } } },
});

describe('pinnedKeys', () => {
  test('managed: declared and issued pins, lower case, sorted, once each', () => {
    expect(pinnedKeys(managed, ['FF'.repeat(32), '00'.repeat(32), declared])).toEqual(
      ['00'.repeat(32), declared, 'ff'.repeat(32)].sort(),
    );
  });

  test('not managed: only the declared pins, whatever was issued', () => {
    expect(pinnedKeys(withClient({ pinIssuedCertificates: false }), ['00'.repeat(32)])).toEqual([declared]);
  });

  test('managed with no pin at all: a RenderError, not an empty list that would pin nothing', () => {
    expect(() => pinnedKeys(withClient({ pinnedCerts: undefined }), [])).toThrow(RenderError);
  });
});
