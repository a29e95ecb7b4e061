// The pins managed pinning reads from issued certificates: the SPKI SHA-256 nats-server compares
// (auth.go:464), checked against openssl's own computation, for the routes certificate and every
// member that gets a client certificate, and nothing when the spec does not ask.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { issue } from '../../../test/servers/support/pki.ts';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { issuedCertificatePins, publicKeyPin } from './issued-pins.ts';

const opensslPin = (pem: string) => {
  const spki = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: pem });
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spki });
  return execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0];
};
const leaf = (commonName: string) =>
  issue({ secretName: commonName, commonName, usages: ['client auth'], issuerRef: { name: 'ca' } });
const asSecret = (pem: string) => ({ data: { 'tls.crt': Buffer.from(pem).toString('base64') } });

describe('managed pins', () => {
  const docs = loadExample('pinned-clients');
  const cluster = docs.clusters[0]!;
  const routes = leaf('routes')['tls.crt'];
  const shipper = leaf('shipper')['tls.crt'];
  const secrets: Record<string, ReturnType<typeof asSecret>> = {
    'pinned-routes-tls': asSecret(routes),
    'shipper-nats-client-tls': asSecret(shipper),
  };

  test('a pin is the SHA-256 of the DER SubjectPublicKeyInfo, as openssl computes it', () => {
    expect(publicKeyPin(shipper)).toBe(opensslPin(shipper));
    expect(publicKeyPin('not a certificate')).toBeUndefined();
  });

  test('the routes certificate and each member client certificate, sorted; missing ones skipped', () => {
    expect(issuedCertificatePins(cluster, docs.users, (name) => secrets[name])).toEqual(
      [opensslPin(routes), opensslPin(shipper)].sort(),
    );
    expect(issuedCertificatePins(cluster, docs.users, () => undefined)).toEqual([]);
  });

  test('nothing when spec.tls.client.pinIssuedCertificates is off', () => {
    const off = {
      ...cluster,
      spec: {
        ...cluster.spec,
        tls: { ...cluster.spec.tls, client: { ...cluster.spec.tls.client, pinIssuedCertificates: false } },
      },
    };
    expect(issuedCertificatePins(off, docs.users, (name) => secrets[name])).toEqual([]);
  });
});
