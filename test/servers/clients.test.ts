// The client scenarios of the NATS security documents, against real nats-servers running the
// rendered configuration with real certificates. Each assertion names the refusal it expects, so
// a test passes only for the right reason.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator } from '@nats-io/transport-node';
import { loadExample } from '../fixtures/examples.ts';
import {
  certificateFor,
  connectTo,
  natsCli,
  plaintextAttempt,
  routeHandshake,
  serverErrors,
} from './support/clients.ts';
import { LocalCluster, renderLocally } from './support/local-cluster.ts';
import { issue } from './support/pki.ts';
import { subscribeThenPublish } from '../../e2e/operator/nats-cli-script.ts';
import type { Documents } from '../../src/cli/documents.ts';
import { newAccountKey, newUserKey, userCreds } from '../../src/identity/jwt.ts';

jest.setTimeout(60_000);
const clusters: LocalCluster[] = [];
afterAll(async () => Promise.all(clusters.map((c) => c.stop())));

async function startExample(
  docs: Documents,
  block: number,
  options: { tamper?: (o: number, f: Record<string, string>) => void } = {},
) {
  const local = new LocalCluster(await renderLocally(docs), { block, ...options });
  clusters.push(local);
  await local.configTest();
  await local.start();
  return local;
}

const roundTrip = async (nc: Awaited<ReturnType<typeof connectTo>>, subject: string) => {
  const sub = nc.subscribe(subject, { max: 1, timeout: 3_000 });
  await nc.flush();
  nc.publish(subject, 'ping');
  for await (const m of sub) return m.string();
  return undefined;
};

/**
 * Publishes every 100 ms until the subscription sees a message (at most 5 s): interest crosses a
 * route asynchronously, so a single publish right after subscribing on another server can miss.
 */
async function deliveredAcrossRoute(
  sub: AsyncIterable<{ string(): string }>,
  publish: () => void,
): Promise<string | undefined> {
  const timer = setInterval(publish, 100);
  try {
    for await (const m of sub) return m.string();
    return undefined;
  } finally {
    clearInterval(timer);
  }
}

/** True when nothing arrives although `publish` runs every 100 ms for a second (ample for route interest). */
const noMessage = async (nc: Awaited<ReturnType<typeof connectTo>>, subject: string, publish: () => void) => {
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  const timer = setInterval(publish, 100);
  await new Promise((r) => setTimeout(r, 1_000));
  clearInterval(timer);
  const got = sub.getProcessed();
  sub.unsubscribe();
  return got === 0;
};

describe('mutual TLS (examples/secure-cluster.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startExample(loadExample('secure-cluster'), 140);
  });

  test('a client with its certificate from the cluster CA pub/subs, and /connz shows its TLS version', async () => {
    const nc = await connectTo(local, local.servers[0]!, { user: 'app' });
    expect(await roundTrip(nc, 'mtls.hello')).toBe('ping');
    const connz = await local.monitor(local.servers[0]!, '/connz');
    expect(connz.connections.map((c: { tls_version?: string }) => c.tls_version)).toContain('1.3');
    await nc.close();
  });

  test('a client without a certificate is refused', async () => {
    await expect(connectTo(local, local.servers[0]!, { user: 'app', certificate: 'none' })).rejects.toThrow(
      /certificate required|closed|ECONNRESET|socket hang up/i,
    );
  });

  test('a client with a certificate from another CA is refused', async () => {
    const otherCa = issue({
      secretName: 'other-ca',
      commonName: 'Some Other CA',
      isCA: true,
      usages: ['cert sign', 'digital signature'],
      issuerRef: { name: 'self' },
    });
    const foreign = issue(
      {
        secretName: 'foreign',
        commonName: 'app',
        usages: ['digital signature', 'client auth'],
        issuerRef: { name: 'other' },
      },
      otherCa,
    );
    await expect(connectTo(local, local.servers[0]!, { user: 'app', certificate: foreign })).rejects.toThrow(
      /unknown ca|bad certificate|certificate|closed|ECONNRESET/i,
    );
  });

  test('a plaintext client is refused: the server never answers its PING', async () => {
    const said = await plaintextAttempt(local.servers[1]!);
    expect(said).toMatch(/INFO .*"tls_required":true/);
    expect(said).not.toContain('PONG');
  });

  test('the nats CLI pub/subs over mutual TLS by the pod DNS name', async () => {
    const { code, output } = await natsCli(local, local.servers[2]!, 'app', (nats) =>
      subscribeThenPublish(nats, 'cli.proof', 'hello-from-cli', 'received'),
    );
    expect(output).toContain('hello-from-cli');
    expect(code).toBe(0);
  });
});

describe('the high-security profile (examples/high-security.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startExample(loadExample('high-security'), 141);
  });

  test('TLS 1.3 is served', async () => {
    const nc = await connectTo(local, local.servers[0]!, { user: 'signer' });
    await nc.flush();
    await nc.close();
  });

  test('a TLS 1.2 client is refused under minVersion 1.3', async () => {
    await expect(
      connectTo(local, local.servers[0]!, { user: 'signer', tls: { maxVersion: 'TLSv1.2' } }),
    ).rejects.toThrow(/protocol version|handshake|alert|closed|ECONNRESET/i);
  });

  test('the route listener follows the client profile: TLS 1.3 with the route certificate, never 1.2', async () => {
    expect(await routeHandshake(local, local.servers[1]!, 'TLSv1.3')).toBe('ok TLSv1.3');
    expect(await routeHandshake(local, local.servers[1]!, 'TLSv1.2')).toMatch(/^failed: .*protocol version/);
  });
});

describe('implicit TLS (examples/implicit-tls.yaml)', () => {
  test('with a fallback, both TLS-first and INFO-first clients are served', async () => {
    const local = await startExample(loadExample('implicit-tls'), 142);
    for (const handshakeFirst of [true, false]) {
      const nc = await connectTo(local, local.servers[0]!, { user: 'edge-gateway', handshakeFirst });
      await nc.flush();
      await nc.close();
    }
  });

  test('without the fallback, a TLS-first client is served and an INFO-first client is not', async () => {
    const docs = loadExample('implicit-tls');
    delete (docs.clusters[0]!.spec.tls.client as { handshakeFirstFallback?: string }).handshakeFirstFallback;
    const local = await startExample(docs, 143);
    const nc = await connectTo(local, local.servers[0]!, { user: 'edge-gateway', handshakeFirst: true });
    await nc.flush();
    await nc.close();
    await expect(
      connectTo(local, local.servers[0]!, { user: 'edge-gateway', timeoutMs: 2_500 }),
    ).rejects.toThrow(/timeout|closed|ECONNRESET|error connecting/i);
  });
});

describe('route authentication (examples/minimal-tls.yaml)', () => {
  test('a server with the wrong route password gets no route; the others route to each other', async () => {
    const local = await startExample(loadExample('minimal-tls'), 144, {
      tamper: (ordinal, files) => {
        if (ordinal !== 2) return;
        const path = Object.keys(files).find((p) => p.endsWith('/routes.conf'))!;
        const password = /password: "([^"]+)"/.exec(files[path]!)?.[1] ?? '';
        files[path] = files[path]!.split(password).join('not-the-route-password');
      },
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await local.routePeers(local.servers[2]!)).toEqual([]);
    expect(await local.routePeers(local.servers[0]!)).toEqual(['minimal-1']);
    expect(await local.routePeers(local.servers[1]!)).toEqual(['minimal-0']);
  });
});

describe('Config-mode accounts (examples/config-accounts.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    const docs = loadExample('config-accounts');
    // Two unrestricted users, one per account, to observe isolation without permissions in the way.
    for (const [name, account] of [
      ['orders-free', 'orders'],
      ['billing-free', 'billing'],
    ]) {
      docs.users.push({
        ...docs.users[0]!,
        metadata: { name: name!, namespace: 'demo' },
        spec: { accountRef: { name: account! }, authType: 'NKey' },
      });
    }
    local = await startExample(docs, 145);
  });

  test('a denied publish is answered with a permissions violation', async () => {
    const nc = await connectTo(local, local.servers[0]!, { user: 'order-service' });
    const errors = serverErrors(nc);
    nc.publish('orders.admin.reset', 'x');
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.map((e) => e.message).join()).toMatch(
      /Permissions Violation for Publish to "orders.admin.reset"/,
    );
    await nc.close();
  });

  test('a password user authenticates against its bcrypt hash', async () => {
    const nc = await connectTo(local, local.servers[1]!, { user: 'billing-app' });
    await nc.flush();
    await nc.close();
  });

  test('accounts are isolated, and the export/import delivers', async () => {
    const orders = await connectTo(local, local.servers[0]!, { user: 'orders-free' });
    const billing = await connectTo(local, local.servers[1]!, { user: 'billing-free' });
    const imported = billing.subscribe('from-orders.orders.events.>', { max: 1, timeout: 5_000 });
    await billing.flush();
    expect(
      await deliveredAcrossRoute(imported, () => orders.publish('orders.events.created', 'order-42')),
    ).toBe('order-42');
    // Isolation, checked once interest is known to cross the route between these two connections.
    expect(await noMessage(billing, 'shared.subject', () => orders.publish('shared.subject', 'x'))).toBe(
      true,
    );
    orders.subscribe('orders.lookup', { callback: (_e, m) => void m.respond('found') });
    await orders.flush();
    let answer = '';
    for (let attempt = 0; attempt < 20 && !answer; attempt++) {
      answer = await billing.request('lookup.order', 'id', { timeout: 500 }).then(
        (m) => m.string(),
        () => '',
      );
    }
    expect(answer).toBe('found');
    await Promise.all([orders.close(), billing.close()]);
  });
});

describe('certificate mapping (examples/mtls-verify-and-map.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    const docs = loadExample('mtls-verify-and-map');
    // An NKey user beside the certificate-mapped ones (see the last test).
    const keyed = { ...docs.users[0]!, metadata: { ...docs.users[0]!.metadata, name: 'keyed' } };
    docs.users.push({ ...keyed, spec: { accountRef: keyed.spec.accountRef, authType: 'NKey' } } as never);
    local = await startExample(docs, 146);
  });

  test('a client certificate maps to its user, whose permissions then apply', async () => {
    const nc = await connectTo(local, local.servers[0]!, { certificate: certificateFor(local, 'ledger') });
    const errors = serverErrors(nc);
    expect(await roundTrip(nc, 'payments.settled')).toBe('ping');
    nc.publish('elsewhere.x', 'x');
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.map((e) => e.message).join()).toMatch(/Permissions Violation for Publish to "elsewhere.x"/);
    await nc.close();
  });

  test('a certificate from the right CA that maps to no user is refused', async () => {
    const ca = local.rendered.issued['mapped-ca']!;
    const stranger = issue(
      {
        secretName: 'stranger',
        commonName: 'stranger',
        usages: ['digital signature', 'client auth'],
        issuerRef: { name: 'ca' },
      },
      ca,
    );
    await expect(connectTo(local, local.servers[0]!, { certificate: stranger })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });

  test('an NKey user (with its client certificate) logs in: nats-server checks the nkey before mapping', async () => {
    const nc = await connectTo(local, local.servers[1]!, { user: 'keyed' });
    expect(await roundTrip(nc, 'payments.keyed')).toBe('ping');
    await nc.close();
  });
});

describe('JWT operator mode (examples/jwt-operator.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startExample(loadExample('jwt-operator'), 147);
    // What the operator does for each NatsAccount: push its JWT to the full resolver as the system user.
    const sys = await connect({
      servers: [`tls://${local.servers[0]!.ip}:4222`],
      tls: {
        ca: local.rendered.trustBundle,
        servername: local.servers[0]!.fqdn,
        cert: certificateFor(local, 'sensor')['tls.crt'],
        key: certificateFor(local, 'sensor')['tls.key'],
      } as never,
      authenticator: credsAuthenticator(
        new TextEncoder().encode(local.rendered.generated.jwtKeys!.systemUserCreds),
      ),
      reconnect: false,
    });
    for (const { jwt } of Object.values(local.rendered.generated.identities.jwt!.accounts)) {
      const reply = await sys.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: 5_000 });
      expect(reply.string()).toMatch(/jwt updated|"code":200/);
    }
    await sys.close();
  });

  test('users connect with their creds; the import delivers across accounts and nothing else crosses', async () => {
    const sensor = await connectTo(local, local.servers[0]!, { user: 'sensor' });
    const dashboard = await connectTo(local, local.servers[1]!, { user: 'dashboard' });
    const imported = dashboard.subscribe('telemetry.metrics.>', { max: 1, timeout: 5_000 });
    await dashboard.flush();
    expect(await deliveredAcrossRoute(imported, () => sensor.publish('metrics.cpu', '42'))).toBe('42');
    expect(await noMessage(sensor, 'private.>', () => dashboard.publish('private.note', 'x'))).toBe(true);
    await Promise.all([sensor.close(), dashboard.close()]);
  });

  test('creds signed by an account the operator never issued are refused', async () => {
    const rogueAccount = newAccountKey();
    const creds = userCreds(rogueAccount, newUserKey(), 'rogue');
    const cert = certificateFor(local, 'sensor');
    await expect(
      connect({
        servers: [`tls://${local.servers[0]!.ip}:4222`],
        tls: {
          ca: local.rendered.trustBundle,
          servername: local.servers[0]!.fqdn,
          cert: cert['tls.crt'],
          key: cert['tls.key'],
        } as never,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
        reconnect: false,
        timeout: 4_000,
      }),
    ).rejects.toThrow(/Authorization Violation/i);
  });
});
