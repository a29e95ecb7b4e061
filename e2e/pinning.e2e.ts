// Managed pinning (issue 10 item 5, ADR 0010) on a live cluster: examples/pinned-clients.yaml pins
// the client certificates the operator issues. A forced renewal gives the client a new certificate
// that still connects; a certificate from the same CA, for the same subject, that the operator did
// not issue is refused after the handshake; a new NatsUser's key and a re-keyed user's new key are
// pinned by reload (they connect), and the key a re-keyed user dropped is refused from then on.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, k, waitUntil } from '@nats-warden/local-cluster';
import { createHash, X509Certificate } from 'node:crypto';
import { secretData, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip, type ClientCertificate } from './operator/nats-client.ts';
import { natsSession } from './operator/raw-nats.ts';
import { certificate, clusterPods, forceRenewal } from './operator/servers.ts';
import { issue } from '../test/servers/support/pki.ts';

jest.setTimeout(900_000);
const CLUSTER = 'pinned';
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('pin');
  await bed.startOperator();
  await apply(
    exampleIn('pinned-clients.yaml', bed.namespace, (doc) => {
      if (doc.kind === 'NatsCluster') doc.spec.replicas = 1; // pinning is per server; one is enough
    }),
  );
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
});
afterAll(async () => bed?.teardown());

/** The user's issued certificate, once cert-manager has written it. */
const issuedCertificate = (user: string): Promise<ClientCertificate> =>
  waitUntil(
    `the client certificate of ${user}`,
    async () => {
      const tls = await secretData(bed.api, bed.namespace, `${user}-nats-client-tls`).catch(() => undefined);
      return tls?.['tls.crt'] && tls['tls.key']
        ? { 'tls.crt': tls['tls.crt'], 'tls.key': tls['tls.key'] }
        : undefined;
    },
    120_000,
  );

/** What nats-server compares: SHA-256 of the DER SubjectPublicKeyInfo (auth.go:464), computed here on its own. */
const pinOf = (pem: string) =>
  createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
const serialOf = (pem: string) => new X509Certificate(pem).serialNumber;

async function target() {
  const [pod] = await clusterPods(bed.namespace, CLUSTER);
  const trust = await secretData(bed.api, bed.namespace, `${CLUSTER}-trust-bundle`);
  return { ip: pod!.ip, ca: trust['ca.crt']!, servername: `${CLUSTER}.${bed.namespace}.svc` };
}

/** A real NATS connect and round trip with this certificate; the error message when refused. */
async function roundTripWith(user: string, cert: ClientCertificate): Promise<string> {
  const t = await target();
  const credentials = await secretData(bed.api, bed.namespace, `${user}-nats-credentials`);
  try {
    const nc = await connectWith(t.ip, { ...credentials, 'ca.crt': t.ca } as never, cert, t.servername);
    try {
      return `ok ${await roundTrip(nc, `orders.pinning.${Date.now()}`)}`;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/**
 * TLS, CONNECT and PING by hand: 'PONG' when the server accepts the certificate. nats-server checks
 * the pin after the TLS handshake (client.go:6825) and closes the connection, so a finished
 * handshake alone proves nothing; only the PONG does.
 */
async function pongWith(cert: ClientCertificate): Promise<string> {
  const t = await target();
  const session = await natsSession({
    host: t.ip,
    port: 4222,
    tls: { ca: t.ca, servername: t.servername, cert: cert['tls.crt'], key: cert['tls.key'] },
    tlsFirst: false,
    send: () => 'CONNECT {"verbose":false}\r\nPING\r\n',
    until: /PONG|-ERR/,
  });
  if (/PONG/.test(session.said)) return 'PONG';
  return `refused: ${session.error ?? (session.said.trim() || 'closed by the server')} (TLS ${session.protocol ?? 'not finished'})`;
}

const pinnedInConf = async (): Promise<string[]> => {
  const conf = (
    await bed.api.core.readNamespacedConfigMap({ namespace: bed.namespace, name: `${CLUSTER}-config` })
  ).data?.['nats.conf'];
  return [...(conf?.match(/"[0-9a-f]{64}"/g) ?? [])].map((pin) => pin.slice(1, -1));
};

/** A valid client certificate for `commonName`, signed by the cluster's own CA, not issued by the operator. */
async function unpinnedFromSameCa(commonName: string): Promise<ClientCertificate> {
  const ca = await secretData(bed.api, bed.namespace, `${CLUSTER}-ca`);
  const issued = issue(
    {
      secretName: 'unpinned',
      commonName,
      usages: ['digital signature', 'client auth'],
      issuerRef: { name: 'ca' },
    },
    { 'tls.crt': ca['tls.crt']!, 'tls.key': ca['tls.key']!, 'ca.crt': ca['tls.crt']! },
  );
  return { 'tls.crt': issued['tls.crt'], 'tls.key': issued['tls.key'] };
}

/** Waits for a round trip with this certificate; a timeout names the last refusal and the pins. */
const connectsSoon = (what: string, user: string, cert: ClientCertificate) =>
  waitUntil(
    what,
    async () => {
      const outcome = await roundTripWith(user, cert);
      if (outcome.startsWith('ok ')) return true;
      throw new Error(
        `${outcome}; its key ${pinOf(cert['tls.crt'])}; nats.conf pins ${(await pinnedInConf()).join(' ')}`,
      );
    },
    120_000,
  );

describe('pinIssuedCertificates: pinning follows the certificates the operator issues', () => {
  test('a forced renewal keeps the pinned client connecting; an unissued certificate from the same CA is refused', async () => {
    const before = await issuedCertificate('shipper');
    // Issued around the time the cluster became Ready: pinned by the first reload after its Secret.
    await connectsSoon('shipper to be pinned', 'shipper', before);
    expect(await pinnedInConf()).toContain(pinOf(before['tls.crt']));

    const revision = (await certificate(bed.namespace, 'shipper-nats-client')).status?.revision ?? 0;
    await forceRenewal(bed.namespace, 'shipper-nats-client');
    const after = await waitUntil(
      'cert-manager to re-issue the client certificate',
      async () => {
        const cert = await certificate(bed.namespace, 'shipper-nats-client');
        const ready = cert.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
        if (!(ready && (cert.status?.revision ?? 0) > revision)) return undefined;
        const now = await issuedCertificate('shipper');
        return serialOf(now['tls.crt']) !== serialOf(before['tls.crt']) ? now : undefined;
      },
      120_000,
    );
    // A new certificate: it connects because its pin is on the servers (the key was kept: ADR 0010).
    expect(await roundTripWith('shipper', after)).toMatch(/^ok /);
    expect(await pinnedInConf()).toContain(pinOf(after['tls.crt']));

    // Same CA, same subject (verify_and_map would log it in as shipper), valid today: not pinned.
    const stranger = await unpinnedFromSameCa('shipper');
    expect(await pinnedInConf()).not.toContain(pinOf(stranger['tls.crt']));
    expect(await pongWith(after)).toBe('PONG'); // control on the same path
    expect(await pongWith(stranger)).toMatch(/^refused: .*TLS TLSv1\.\d/); // refused after a finished handshake
    expect(await roundTripWith('shipper', stranger)).toMatch(/^refused: /);
  });

  test('a new NatsUser and a re-keyed one are pinned by reload; the dropped key is refused', async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'picker', namespace: bed.namespace },
        spec: {
          accountRef: { name: 'orders' },
          authType: 'Certificate',
          certificate: { commonName: 'picker' },
          permissions: { publish: { allow: ['orders.>'] }, subscribe: { allow: ['orders.>', '_INBOX.>'] } },
        },
      },
    ]);
    const picker = await issuedCertificate('picker');
    // Issued after the servers started: it connects only once the operator pinned it by reload.
    await connectsSoon('picker to be pinned', 'picker', picker);
    expect(await pinnedInConf()).toContain(pinOf(picker['tls.crt']));

    // Re-keying on purpose: delete the Secret; cert-manager issues a new key and the pin follows.
    const old = await issuedCertificate('shipper');
    await k(['delete', 'secret', 'shipper-nats-client-tls', '-n', bed.namespace]);
    const rekeyed = await waitUntil(
      'a new key for shipper',
      async () => {
        const now = await issuedCertificate('shipper').catch(() => undefined);
        return now && pinOf(now['tls.crt']) !== pinOf(old['tls.crt']) ? now : undefined;
      },
      120_000,
    );
    await connectsSoon('the new key to be pinned', 'shipper', rekeyed);
    await waitUntil(
      'the dropped key to be unpinned',
      async () => /^refused: /.test(await pongWith(old)),
      60_000,
    );
    expect(await pinnedInConf()).not.toContain(pinOf(old['tls.crt']));
  });

  test("the operator's own client certificate (routes) keeps its key through a renewal, so its pin holds", async () => {
    const routesCert = async (): Promise<ClientCertificate> => {
      const tls = await secretData(bed.api, bed.namespace, `${CLUSTER}-routes-tls`);
      return { 'tls.crt': tls['tls.crt']!, 'tls.key': tls['tls.key']! };
    };
    const before = await routesCert();
    expect(await pinnedInConf()).toContain(pinOf(before['tls.crt']));
    // Past the pin check, then refused only because no NatsUser maps to it (verify_and_map);
    // an unpinned certificate is closed right after the handshake, with no -ERR.
    expect(await pongWith(before)).toContain("-ERR 'Authorization Violation'");

    const revision = (await certificate(bed.namespace, `${CLUSTER}-routes`)).status?.revision ?? 0;
    await forceRenewal(bed.namespace, `${CLUSTER}-routes`);
    const after = await waitUntil(
      'cert-manager to re-issue the routes certificate',
      async () => {
        const cert = await certificate(bed.namespace, `${CLUSTER}-routes`);
        const ready = cert.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
        if (!(ready && (cert.status?.revision ?? 0) > revision)) return undefined;
        const now = await routesCert();
        return serialOf(now['tls.crt']) !== serialOf(before['tls.crt']) ? now : undefined;
      },
      120_000,
    );
    expect(pinOf(after['tls.crt'])).toBe(pinOf(before['tls.crt']));
    // The renewal rolls the servers (RollingRestart); afterwards the new certificate still passes the pin.
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
    await waitUntil(
      'the renewed routes certificate to pass the pin',
      async () => (await pongWith(after)).includes("-ERR 'Authorization Violation'"),
      300_000,
      1_000,
    );
    expect(await pinnedInConf()).toContain(pinOf(after['tls.crt']));
    await connectsSoon('shipper after the roll', 'shipper', await issuedCertificate('shipper'));
  });
});
