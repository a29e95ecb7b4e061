// Proof that cert-manager runs for real on this cluster: a self-signed Issuer signs a CA
// Certificate, a CA Issuer uses it to issue a leaf, and forcing renewal (the Issuing condition,
// as `cmctl renew` sets it) re-issues the leaf: the Secret's tls.crt changes.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, createNamespace, deleteNamespace, getJson, k, waitUntil } from '../harness/k8s.ts';

jest.setTimeout(300_000);

let ns = '';

// Ready and issued past `afterRevision`: cert-manager's readiness controller can mark a Certificate
// Ready a moment before its issuing controller records status.revision.
const certReady = (name: string, afterRevision = 0) =>
  waitUntil(
    `Certificate ${name} Ready at a revision above ${afterRevision}`,
    async () => {
      const c = await getJson(['get', 'certificate', name, '-n', ns]);
      const ready = c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
      return ready && (c.status?.revision ?? 0) > afterRevision && c;
    },
    120_000,
  );

const tlsCrt = async (secret: string) =>
  (await getJson(['get', 'secret', secret, '-n', ns])).data['tls.crt'] as string;

beforeAll(async () => {
  ns = await createNamespace('certs');
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('cert-manager', () => {
  test('issues a Certificate through a self-signed -> CA -> CA Issuer chain and re-issues it on forced renewal', async () => {
    const meta = (name: string) => ({ name, namespace: ns });
    await apply([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: meta('selfsigned'),
        spec: { selfSigned: {} },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: meta('ca'),
        spec: {
          isCA: true,
          commonName: 'e2e-ca',
          secretName: 'ca',
          privateKey: { algorithm: 'ECDSA', size: 256 },
          issuerRef: { name: 'selfsigned', kind: 'Issuer' },
        },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: meta('ca'),
        spec: { ca: { secretName: 'ca' } },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: meta('leaf'),
        spec: {
          secretName: 'leaf',
          dnsNames: [`nats.${ns}.svc.cluster.local`],
          privateKey: { algorithm: 'ECDSA', size: 256 },
          issuerRef: { name: 'ca', kind: 'Issuer' },
        },
      },
    ]);
    await certReady('ca');
    const leaf = await certReady('leaf');
    const first = await tlsCrt('leaf');
    const caSecret = await getJson(['get', 'secret', 'ca', '-n', ns]);
    expect((await getJson(['get', 'secret', 'leaf', '-n', ns])).data['ca.crt']).toBe(
      caSecret.data['tls.crt'],
    );

    const issuing = {
      type: 'Issuing',
      status: 'True',
      reason: 'ManuallyTriggered',
      message: 'e2e forced renewal',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      observedGeneration: leaf.metadata.generation,
    };
    const conditions = [...(leaf.status.conditions ?? []).filter((c: any) => c.type !== 'Issuing'), issuing];
    await k([
      'patch',
      'certificate',
      'leaf',
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { conditions } }),
    ]);
    const second = await waitUntil(
      'a re-issued tls.crt',
      async () => {
        const crt = await tlsCrt('leaf');
        return crt !== first && crt;
      },
      120_000,
    );
    expect(second).not.toBe(first);
    const renewed = await certReady('leaf', leaf.status.revision);
    expect(renewed.status.revision).toBeGreaterThan(leaf.status.revision);
  });
});
