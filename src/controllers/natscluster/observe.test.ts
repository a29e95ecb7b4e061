import { describe, expect, test } from '@jest/globals';
import type { Certificate } from '../../api/cert-manager.ts';
import { observeCertificate } from './observe.ts';

// A throwaway self-signed certificate (its key was discarded); valid until 2036-11-22T00:42:29Z.
const PEM = `-----BEGIN CERTIFICATE-----
MIIBijCCAS+gAwIBAgIUYK67tx/dpS+U8ToBDeQ02r3sc6gwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPb2JzZXJ2ZS1maXh0dXJlMB4XDTI2MTEyNTAwNDIyOVoXDTM2
MTEyMjAwNDIyOVowGjEYMBYGA1UEAwwPb2JzZXJ2ZS1maXh0dXJlMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEEcMUO2MkdjczSod6rvoMcdXjF3YAggh0C+jkue8m
twF04t4LYrQI7+nhrJNCYEYU0bBCzQx314x+405hPkYSxqNTMFEwHQYDVR0OBBYE
FD5Dga5NRFiIclhsbCb1Qz74r8TyMB8GA1UdIwQYMBaAFD5Dga5NRFiIclhsbCb1
Qz74r8TyMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPVu1du0
b6zZ7AcYHlXeqtc7ETJTjA0JhdOMgEiPO5olAiEAxkgpuKR3LHvfq2jH9AcokQLV
V8sNKcKMkrQ0xu+AYqw=
-----END CERTIFICATE-----
`;

const issued = (revision: number | undefined, notAfter: string): Certificate => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'c-server' },
  spec: { secretName: 'c-server-tls', issuerRef: { name: 'c-ca' } },
  status: { revision, notAfter, conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] },
});

describe('observeCertificate', () => {
  test('reads the expiry of the certificate the Secret holds, apart from the status', () => {
    // cert-manager has bumped the revision and written the Secret; status.notAfter is still the old one.
    const seen = observeCertificate('server', 'c-server', issued(2, '2026-12-01T00:00:00Z'), {
      data: { 'tls.crt': Buffer.from(PEM).toString('base64') },
    });
    expect(seen).toMatchObject({
      ready: true,
      revision: 2,
      notAfter: '2026-12-01T00:00:00Z',
      issuedNotAfter: '2036-11-22T00:42:29Z',
    });
  });

  test('a missing or unreadable Secret leaves issuedNotAfter unset', () => {
    expect(observeCertificate('server', 'c-server', issued(1, '2026-12-01T00:00:00Z'))).not.toHaveProperty(
      'issuedNotAfter',
    );
    const garbage = { data: { 'tls.crt': Buffer.from('not a certificate').toString('base64') } };
    expect(
      observeCertificate('server', 'c-server', issued(1, '2026-12-01T00:00:00Z'), garbage),
    ).not.toHaveProperty('issuedNotAfter');
  });

  test('a Certificate not created yet is not ready', () => {
    expect(observeCertificate('server', 'c-server', undefined)).toMatchObject({ ready: false });
  });

  test('Ready without a recorded revision or an issued Secret is not issued yet (no revision-0 template)', () => {
    const secret = { data: { 'tls.crt': Buffer.from(PEM).toString('base64') } };
    // cert-manager's readiness controller set Ready before the issuing controller recorded the revision.
    const early = observeCertificate('routes', 'c-routes', issued(undefined, '2026-12-01T00:00:00Z'), secret);
    expect(early).toMatchObject({
      ready: false,
      reason: 'issued; waiting for cert-manager to record the revision',
    });
    expect(observeCertificate('routes', 'c-routes', issued(1, '2026-12-01T00:00:00Z'))).toMatchObject({
      ready: false,
    });
    expect(observeCertificate('routes', 'c-routes', issued(1, '2026-12-01T00:00:00Z'), secret)).toMatchObject(
      { ready: true },
    );
  });
});
