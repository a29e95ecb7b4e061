// The security suite of issue 10 item 7: attacks against live clusters the operator runs, each
// refused for the reason named (a TLS alert, the server's -ERR text, a client-side name check, a
// no-responders 503 where a reply would be a leak). Three one-server clusters from examples/ (one server is
// enough: the route listener and its TLS and password exist with one replica too):
//   fortress  high-security.yaml  Config mode, mTLS 1.3 only, curves restricted, NKey users
//   jwt       jwt-operator.yaml   JWT mode, creds users, revocation
//   mapped    mtls-verify-and-map.yaml  the certificate is the identity
// Each attack that is refused bumps a counter; the total is printed as a figure at the end. An
// attack that succeeds is a hole: it stays a test.failing with the reason (see 'monitoring').
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { encodeUser } from '@nats-io/jwt';
import { createAccount, createUser, fromSeed } from '@nats-io/nkeys';
import { connect as tcpConnect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { secretData, waitForCondition, memberDegraded } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { handshake, natsSession, signNonce, type Session } from './operator/raw-nats.ts';
import { clusterPods, type PodInfo } from './operator/servers.ts';
import { fetchMonitor } from '../src/nats/monitor.ts';
import { datedClientCertificate } from './operator/dated-certificate.ts';
import { issue, type IssuedSecret } from '../test/servers/support/pki.ts';

jest.setTimeout(600_000);
let bed: TestBed;
let refused = 0;
/** An attack: a test that counts once it has proven the refusal. */
const attack = (name: string, body: () => Promise<void>) =>
  test(name, async () => {
    await body();
    refused++;
  });

const user = (name: string, account: string, spec: object = {}) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsUser',
  metadata: { name, namespace: bed.namespace },
  spec: { accountRef: { name: account }, ...spec },
});
const account = (name: string, cluster: string, spec: object = {}) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsAccount',
  metadata: { name, namespace: bed.namespace },
  spec: { clusterRef: { name: cluster }, ...spec },
});
const oneServer = (doc: any) => {
  if (doc.kind === 'NatsCluster') doc.spec.replicas = 1;
};

beforeAll(async () => {
  bed = await testBed('attacks');
  await bed.startOperator();
  await apply([
    ...exampleIn('high-security.yaml', bed.namespace, oneServer),
    user('vault-free', 'vault', { authType: 'NKey' }),
    user('keeper', 'vault', { authType: 'Password' }),
    account('rival', 'fortress'),
    user('rival-free', 'rival', { authType: 'NKey' }),
    account('crowd', 'fortress', { limits: { maxConnections: 1 } }),
    user('crowd-user', 'crowd', { authType: 'NKey' }),
    ...exampleIn('jwt-operator.yaml', bed.namespace, (doc) => {
      // One server, with the example's JetStream (standalone, ADR 0011).
      oneServer(doc);
      if (doc.metadata.name === 'telemetry') doc.spec.limits.maxPayload = '64Ki';
    }),
    user('doomed', 'telemetry', { authType: 'Creds' }),
    ...exampleIn('mtls-verify-and-map.yaml', bed.namespace, oneServer),
  ]);
  await Promise.all(
    ['fortress', 'jwt', 'mapped'].map((c) =>
      waitForCondition(bed.api, bed.namespace, c, 'Ready', 'True', 420_000),
    ),
  );
  await waitUntil(
    'every user has its Secrets',
    async () => {
      const secrets = await k(['get', 'secret', '-n', bed.namespace, '-o', 'name']);
      return ['signer', 'vault-free', 'keeper', 'rival-free', 'crowd-user', 'doomed', 'ledger'].every(
        (u) =>
          secrets.includes(`secret/${u}-nats-credentials`) || secrets.includes(`secret/${u}-nats-client-tls`),
      );
    },
    120_000,
    1_000,
  );
});
afterAll(async () => {
  process.stderr.write(`\nfigure: security attacks ${refused}, all refused\n`);
  await bed?.teardown();
});

// ---- what a legitimate client holds, read from the Secrets the operator wrote ----

interface Target {
  pod: PodInfo;
  ca: string;
  servername: string;
}
async function target(cluster: string): Promise<Target> {
  const [pod] = await clusterPods(bed.namespace, cluster);
  const trust = await secretData(bed.api, bed.namespace, `${cluster}-trust-bundle`);
  return { pod: pod!, ca: trust['ca.crt']!, servername: `${cluster}.${bed.namespace}.svc` };
}
const podName = (t: Target, cluster: string) =>
  `${t.pod.name}.${cluster}-headless.${bed.namespace}.svc.cluster.local`;
const clientCert = async (name: string) => {
  const tls = await secretData(bed.api, bed.namespace, `${name}-nats-client-tls`);
  return { cert: tls['tls.crt']!, key: tls['tls.key']! };
};
const credentials = (name: string) => secretData(bed.api, bed.namespace, `${name}-nats-credentials`);

const connectLine = (fields: object) =>
  `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, protocol: 1, lang: 'attack', version: '0', ...fields })}\r\n`;

/** The fields a CONNECT needs for this NKey or creds user, signed over the server's nonce. */
function authFields(secret: Record<string, string>, nonce = ''): object {
  if (secret['nkey.seed']) {
    const seed = secret['nkey.seed'].trim();
    const nkey = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
    return { nkey, sig: signNonce(seed, nonce) };
  }
  if (secret['user.creds']) {
    const { jwt, seed } = parseCreds(secret['user.creds']);
    return { jwt, sig: signNonce(seed, nonce) };
  }
  return { user: secret.username, pass: secret.password };
}
function parseCreds(creds: string) {
  const lines = creds.split('\n').map((l) => l.trim());
  return { jwt: lines[1]!, seed: lines.find((l) => /^SU[A-Z0-9]+$/.test(l))! };
}

/** A client session on the client port of `cluster` as a legitimate user, then `then`. */
async function sessionAs(
  cluster: string,
  name: string,
  then: string,
  options: {
    cert?: { cert: string; key: string };
    until?: RegExp;
    auth?: (nonce: string) => object;
    extra?: object;
  } = {},
): Promise<Session> {
  const t = await target(cluster);
  const secret = options.auth ? {} : await credentials(name);
  const cert = options.cert ?? (await clientCert(name));
  return natsSession({
    host: t.pod.ip,
    port: 4222,
    tls: { ca: t.ca, servername: t.servername, ...cert },
    send: (info) =>
      connectLine({
        ...(options.auth ? options.auth(info.nonce ?? '') : authFields(secret, info.nonce ?? '')),
        ...options.extra,
      }) +
      then +
      'PING\r\n',
    until: options.until ?? /PONG\r\n|-ERR '[^']*'\r\n/,
  });
}
/** Headers on, so a request nobody serves is answered with a 503 status rather than silence. */
const NO_RESPONDERS = { headers: true, no_responders: true };
const ok = (s: Session) => expect(s.said).toMatch(/PONG/);

// ---- certificates an attacker can make ----
const foreignCa = issue({
  secretName: 'attacker-ca',
  commonName: 'Attacker CA',
  isCA: true,
  usages: ['cert sign', 'digital signature'],
  issuerRef: { name: 'self' },
});
const foreignClient = (commonName: string): IssuedSecret =>
  issue(
    {
      secretName: commonName,
      commonName,
      usages: ['digital signature', 'client auth'],
      issuerRef: { name: 'x' },
    },
    foreignCa,
  );

describe('transport: fortress (high-security: mTLS, TLS 1.3 only, curves restricted)', () => {
  attack('plaintext NATS on the client port: INFO demands TLS, the server closes, no PONG', async () => {
    const t = await target('fortress');
    const s = await natsSession({ host: t.pod.ip, port: 4222, send: () => 'CONNECT {}\r\nPING\r\n' });
    expect(s.info.tls_required).toBe(true);
    expect(s.closedByServer).toBe(true);
    expect(s.said).not.toContain('PONG');
  });

  attack('plaintext NATS on the route port: closed without a word', async () => {
    const t = await target('fortress');
    // The route listener speaks TLS first: no plaintext INFO, and our plaintext CONNECT, being no
    // TLS record, ends the connection.
    const raw = await new Promise<{ said: string; closed: boolean }>((resolve) => {
      let said = '';
      const socket = tcpConnect(6222, t.pod.ip, () => socket.write('CONNECT {}\r\nPING\r\n'));
      const timer = setTimeout(() => (socket.destroy(), resolve({ said, closed: false })), 5_000);
      socket.on('data', (c) => (said += c.toString('latin1')));
      socket.on('close', () => (clearTimeout(timer), resolve({ said, closed: true })));
      socket.on('error', () => undefined);
    });
    expect(raw).toEqual({ said: expect.not.stringContaining('PONG'), closed: true });
    expect(raw.said).not.toContain('INFO');
  });

  attack('plaintext HTTP on the HTTPS monitoring port is answered 400, no data', async () => {
    const t = await target('fortress');
    const said = await new Promise<string>((resolve) => {
      let text = '';
      const socket = tcpConnect(8222, t.pod.ip, () =>
        socket.write('GET /varz HTTP/1.1\r\nHost: attacker\r\nConnection: close\r\n\r\n'),
      );
      socket.on('data', (c) => (text += c.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(said).toMatch(/^HTTP\/1\.[01] 400 Bad Request/);
    expect(said).toContain('Client sent an HTTP request to an HTTPS server');
    expect(said).not.toContain('server_id');
  });

  attack('TLS without a client certificate: alert certificate required', async () => {
    const t = await target('fortress');
    expect(await handshake(t.pod.ip, 4222, { ca: t.ca, servername: t.servername }, false)).toMatch(
      /^failed: .*certificate required/,
    );
  });

  attack('a client certificate from a foreign CA: alert unknown ca', async () => {
    const t = await target('fortress');
    const foreign = foreignClient('signer');
    const result = await handshake(
      t.pod.ip,
      4222,
      { ca: t.ca, servername: t.servername, cert: foreign['tls.crt'], key: foreign['tls.key'] },
      false,
    );
    expect(result).toMatch(/^failed: .*(unknown ca|bad certificate)/);
  });

  attack("the server's own certificate (cluster CA, server auth only) is no client identity", async () => {
    const t = await target('fortress');
    const server = await secretData(bed.api, bed.namespace, 'fortress-server-tls');
    const result = await handshake(
      t.pod.ip,
      4222,
      { ca: t.ca, servername: t.servername, cert: server['tls.crt'], key: server['tls.key'] },
      false,
    );
    expect(result).toMatch(/^failed: .*(bad certificate|unsupported certificate)/);
  });

  for (const [when, notBefore, notAfter, alert] of [
    ['expired', '20200101000000Z', '20200201000000Z', /certificate expired/],
    ['not yet valid', '20990101000000Z', '20990201000000Z', /certificate expired|bad certificate/],
  ] as const)
    attack(`a client certificate from the cluster's own CA that is ${when}: refused`, async () => {
      const t = await target('fortress');
      const ca = await secretData(bed.api, bed.namespace, 'fortress-ca');
      const dated = datedClientCertificate(
        { crt: ca['tls.crt']!, key: ca['tls.key']! },
        'signer',
        notBefore,
        notAfter,
      );
      const result = await handshake(t.pod.ip, 4222, { ca: t.ca, servername: t.servername, ...dated }, false);
      expect(result).toMatch(/^failed: /);
      expect(result).toMatch(alert);
    });

  attack('TLS 1.2 on the client port: alert protocol version', async () => {
    const t = await target('fortress');
    const tls: ConnectionOptions = {
      ca: t.ca,
      servername: t.servername,
      maxVersion: 'TLSv1.2',
      ...(await clientCert('signer')),
    };
    expect(await handshake(t.pod.ip, 4222, tls, false)).toMatch(/^failed: .*protocol version/);
    // Control: the same certificate over TLS 1.3 gets through the handshake.
    expect(await handshake(t.pod.ip, 4222, { ...tls, maxVersion: 'TLSv1.3' }, false)).toBe('ok TLSv1.3');
  });

  attack('TLS 1.2 on the route port: alert protocol version', async () => {
    const t = await target('fortress');
    const routes = await secretData(bed.api, bed.namespace, 'fortress-routes-tls');
    const tls: ConnectionOptions = {
      ca: t.ca,
      servername: podName(t, 'fortress'),
      cert: routes['tls.crt'],
      key: routes['tls.key'],
    };
    expect(await handshake(t.pod.ip, 6222, { ...tls, maxVersion: 'TLSv1.2' }, true)).toMatch(
      /^failed: .*protocol version/,
    );
    expect(await handshake(t.pod.ip, 6222, tls, true)).toBe('ok TLSv1.3');
  });

  attack('a key exchange outside curvePreferences (P-384 only): handshake failure', async () => {
    const t = await target('fortress');
    const tls: ConnectionOptions = { ca: t.ca, servername: t.servername, ...(await clientCert('signer')) };
    expect(await handshake(t.pod.ip, 4222, { ...tls, ecdhCurve: 'P-384' }, false)).toMatch(
      /^failed: .*handshake failure/,
    );
  });

  attack('a server name the certificate does not carry is refused by the verifying client', async () => {
    const t = await target('fortress');
    const tls: ConnectionOptions = {
      ca: t.ca,
      servername: 'vault.attacker.example',
      ...(await clientCert('signer')),
    };
    expect(await handshake(t.pod.ip, 4222, tls, false)).toMatch(
      /^failed: Hostname\/IP does not match certificate's altnames: Host: vault\.attacker\.example/,
    );
  });
});

describe('routes: fortress', () => {
  const routeTls = async (cert?: { cert: string; key: string }): Promise<ConnectionOptions> => {
    const t = await target('fortress');
    return { ca: t.ca, servername: podName(t, 'fortress'), ...cert };
  };
  const routeConnect = (password: string) =>
    connectLine({
      user: 'route',
      pass: password,
      name: 'attacker',
      cluster: 'fortress',
      tls_required: true,
      lang: undefined,
    }) + 'PING\r\n';

  attack('the route port without a certificate: alert certificate required', async () => {
    const t = await target('fortress');
    expect(await handshake(t.pod.ip, 6222, await routeTls(), true)).toMatch(
      /^failed: .*certificate required/,
    );
  });

  attack(
    'the route port with the routes certificate but a wrong route password: Authorization Violation',
    async () => {
      const t = await target('fortress');
      const routes = await secretData(bed.api, bed.namespace, 'fortress-routes-tls');
      const s = await natsSession({
        host: t.pod.ip,
        port: 6222,
        tls: await routeTls({ cert: routes['tls.crt']!, key: routes['tls.key']! }),
        tlsFirst: true,
        send: () => routeConnect('not-the-route-password'),
        until: /-ERR/,
      });
      expect(s.protocol).toBe('TLSv1.3');
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack(
    "a tenant's client certificate on the route port, no password: Authorization Violation",
    async () => {
      const t = await target('fortress');
      const s = await natsSession({
        host: t.pod.ip,
        port: 6222,
        tls: await routeTls(await clientCert('signer')),
        tlsFirst: true,
        send: () => routeConnect(''),
        until: /-ERR/,
      });
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack("a tenant's own CONNECT (cert and nkey) on the route port: Authorization Violation", async () => {
    const t = await target('fortress');
    const secret = await credentials('signer');
    const s = await natsSession({
      host: t.pod.ip,
      port: 6222,
      tls: await routeTls(await clientCert('signer')),
      tlsFirst: true,
      send: () => connectLine(authFields(secret)) + 'PING\r\n',
      until: /-ERR/,
    });
    // Authentication comes first on the route port: a tenant's nkey is no route credential.
    expect(s.said).toContain("-ERR 'Authorization Violation'");
  });
});

describe('authentication: fortress (Config mode)', () => {
  attack('a wrong password: Authorization Violation (the right one is served)', async () => {
    const secret = await credentials('keeper');
    const cert = await clientCert('vault-free');
    ok(await sessionAs('fortress', 'keeper', '', { cert }));
    const s = await sessionAs('fortress', 'keeper', '', {
      cert,
      auth: () => ({ user: secret.username, pass: `${secret.password}x` }),
    });
    expect(s.said).toContain("-ERR 'Authorization Violation'");
  });

  attack('an unknown user: Authorization Violation', async () => {
    const s = await sessionAs('fortress', 'nobody', '', {
      cert: await clientCert('vault-free'),
      auth: () => ({ user: 'nobody', pass: 'guess' }),
    });
    expect(s.said).toContain("-ERR 'Authorization Violation'");
  });

  attack(
    "an NKey user's public key with a signature from another seed: Authorization Violation",
    async () => {
      const secret = await credentials('signer');
      const nkey = fromSeed(new TextEncoder().encode(secret['nkey.seed']!.trim())).getPublicKey();
      const other = new TextDecoder().decode(createUser().getSeed());
      const s = await sessionAs('fortress', 'signer', '', {
        auth: (nonce) => ({ nkey, sig: signNonce(other, nonce) }),
      });
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack('a second connection beyond the account maxConnections 1: refused', async () => {
    const t = await target('fortress');
    const secret = await credentials('crowd-user');
    const cert = await clientCert('crowd-user');
    // The first connection stays open (it waits for a line that never comes) while the second tries.
    const first = natsSession({
      host: t.pod.ip,
      port: 4222,
      tls: { ca: t.ca, servername: t.servername, ...cert },
      send: (info) => connectLine(authFields(secret, info.nonce)) + 'PING\r\n',
      until: /this never matches/,
      timeoutMs: 6_000,
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const second = await sessionAs('fortress', 'crowd-user', '', { cert });
    expect(second.said).toContain("-ERR 'maximum account active connections exceeded'");
    expect((await first).said).toContain('PONG');
  });
});

describe('authorization: fortress', () => {
  attack('publishing to a denied subject: Permissions Violation for Publish', async () => {
    const s = await sessionAs('fortress', 'signer', 'PUB vault.secrets 2\r\nhi\r\n', { until: /PONG/ });
    expect(s.said).toContain(`-ERR 'Permissions Violation for Publish to "vault.secrets"'`);
  });

  attack('subscribing to a denied subject: Permissions Violation for Subscription', async () => {
    const s = await sessionAs('fortress', 'signer', 'SUB vault.> 1\r\n', { until: /PONG/ });
    expect(s.said).toContain(`-ERR 'Permissions Violation for Subscription to "vault.>"'`);
  });

  attack(
    "publishing to the system account's $SYS.REQ.SERVER.PING: Permissions Violation (account default)",
    async () => {
      const s = await sessionAs('fortress', 'vault-free', 'PUB $SYS.REQ.SERVER.PING 0\r\n\r\n', {
        until: /PONG/,
      });
      expect(s.said).toContain(`-ERR 'Permissions Violation for Publish to "$SYS.REQ.SERVER.PING"'`);
    },
  );

  attack(
    'an unrestricted tenant asking $SYS.REQ.SERVER.PING gets no responders, not the servers',
    async () => {
      // Headers on so the server can answer "no responders" (a 503 status) to the request.
      const s = await sessionAs(
        'fortress',
        'rival-free',
        'SUB _INBOX.attack 1\r\nPUB $SYS.REQ.SERVER.PING _INBOX.attack 0\r\n\r\n',
        { until: /NATS\/1\.0 503/, extra: NO_RESPONDERS },
      );
      // 503: no subscriber for the subject in the tenant's own account, and the only message.
      expect(s.said).toMatch(/HMSG _INBOX\.attack 1 \d+ \d+\r\nNATS\/1\.0 503/);
      expect(s.said.match(/MSG _INBOX\.attack/g)).toHaveLength(1);
    },
  );

  attack("a tenant subscribed to '>' sees only its own account's messages", async () => {
    const t = await target('fortress');
    const rival = await credentials('rival-free');
    const listening = natsSession({
      host: t.pod.ip,
      port: 4222,
      tls: { ca: t.ca, servername: t.servername, ...(await clientCert('rival-free')) },
      send: (info) => connectLine(authFields(rival, info.nonce)) + 'SUB > 1\r\nPING\r\n',
      until: /MSG rival\.own/,
      timeoutMs: 6_000,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const published = await sessionAs('fortress', 'vault-free', 'PUB vault.leak 6\r\nsecret\r\n');
    ok(published);
    await sessionAs('fortress', 'rival-free', 'PUB rival.own 3\r\nown\r\n');
    const seen = await listening;
    expect(seen.said).toContain('MSG rival.own'); // the subscription works...
    expect(seen.said).not.toContain('vault.leak'); // ...and the other account's message never came
  });

  attack('a payload above the cluster maxPayload (1Mi): Maximum Payload Violation', async () => {
    const size = 1024 * 1024 + 1;
    const s = await sessionAs('fortress', 'signer', `PUB vault.sign.reply.big ${size}\r\n`, {
      until: /-ERR/,
    });
    expect(s.said).toContain("-ERR 'Maximum Payload Violation'");
  });
});

describe('monitoring: fortress', () => {
  // nats-server serves HTTPS monitoring with ClientAuth = NoClientCert whatever tls.verify says
  // (nats-server server.go:3122 and :3154): whoever reaches port 8222 reads every tenant's
  // connections, users, accounts and subscriptions. The operator renders a NetworkPolicy that admits
  // that port only from its own pods and the namespaces the spec names (checked first below).
  attack(
    'the NetworkPolicy admits the monitoring port only from the operator, routes only from the servers',
    async () => {
      const policy = await getJson(['get', 'networkpolicy', 'fortress', '-n', bed.namespace]);
      const rules = policy.spec.ingress as { from?: object[]; ports: { port: number }[] }[];
      const monitor = rules.find((r) => r.ports.some((p) => p.port === 8222));
      expect(monitor?.from).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nats-warden' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats-warden' } },
        },
      ]);
      const routes = rules.find((r) => r.ports.some((p) => p.port === 6222));
      expect(routes?.from).toHaveLength(1);
    },
  );
  // Closed for pods by the rendered NetworkPolicy: e2e/network-policy.e2e.ts proves on the real nodes
  // (kube-router) that a pod in a namespace the spec does not name is refused on 8222. This suite's
  // attacker is a process of the cluster's network namespace, which is the nodes' host: a policy
  // engine lets a node's own traffic through to its pods (kube-router's "from local node" rule,
  // pkg/controllers/netpol/pod.go), as in any cluster, so the anonymous read below still succeeds
  // from there and the test stays failing: the monitoring port asks for no client certificate.
  test.failing(
    "an anonymous HTTPS client (no certificate) cannot read another tenant's connections from /connz",
    async () => {
      const t = await target('fortress');
      const signer = await credentials('signer');
      const victim = natsSession({
        host: t.pod.ip,
        port: 4222,
        tls: { ca: t.ca, servername: t.servername, ...(await clientCert('signer')) },
        send: (info) => connectLine(authFields(signer, info.nonce)) + 'SUB vault.sign.request 1\r\nPING\r\n',
        until: /this never matches/,
        timeoutMs: 4_000,
      });
      await new Promise((r) => setTimeout(r, 1_000));
      const response = await fetchMonitor<{
        connections?: { account?: string; subscriptions_list?: string[] }[];
      }>(
        { host: t.pod.ip, port: 8222, https: true, servername: podName(t, 'fortress'), ca: t.ca },
        '/connz?subs=1&auth=1',
      ).catch(() => undefined); // a refused handshake is the outcome we want
      const disclosed = (response?.body?.connections ?? []).filter((c) => c.account === 'vault');
      await victim;
      if (disclosed.length)
        process.stderr.write(
          `\nfinding: anonymous HTTPS /connz (status ${response?.status}) disclosed ${disclosed.length} connection(s) of account vault, subscriptions ${JSON.stringify(disclosed.map((c) => c.subscriptions_list))}\n`,
        );
      expect(disclosed).toEqual([]);
    },
  );
});

describe('JWT: jwt (operator mode)', () => {
  const sensorCert = () => clientCert('sensor');

  attack(
    "creds signed by a foreign operator's account the resolver never got: Authorization Violation",
    async () => {
      // Its account JWT could only reach the servers through $SYS.REQ.CLAIMS.UPDATE, out of a
      // tenant's reach (see the 503 attack below), so the user JWT alone is presented.
      const foreignAccount = createAccount();
      const userKey = createUser();
      const jwt = await encodeUser('attacker', userKey, foreignAccount);
      const seed = new TextDecoder().decode(userKey.getSeed());
      const s = await sessionAs('jwt', 'sensor', '', {
        cert: await sensorCert(),
        auth: (nonce) => ({ jwt, sig: signNonce(seed, nonce) }),
      });
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack(
    "a user JWT claiming telemetry's account, signed by a key telemetry never listed: Authorization Violation",
    async () => {
      const telemetry = (await getJson(['get', 'natsaccount', 'telemetry', '-n', bed.namespace])).status
        .publicKey;
      const rogueSigner = createAccount();
      const userKey = createUser();
      const jwt = await encodeUser('forged', userKey, rogueSigner, { issuer_account: telemetry });
      const seed = new TextDecoder().decode(userKey.getSeed());
      const s = await sessionAs('jwt', 'sensor', '', {
        cert: await sensorCert(),
        auth: (nonce) => ({ jwt, sig: signNonce(seed, nonce) }),
      });
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack("a user JWT signed with telemetry's own key but expired: Authorization Violation", async () => {
    // The account's real key (read here from the operator's identities Secret, as a thief of it
    // would): a fresh JWT it signs is served, so the refusal below is the expiry alone.
    const identities = await secretData(bed.api, bed.namespace, 'jwt-identities');
    const accountSeed = (JSON.parse(identities['account-seeds.json']!) as Record<string, string>).telemetry!;
    const accountKey = fromSeed(new TextEncoder().encode(accountSeed));
    const cert = await sensorCert();
    const now = Math.floor(Date.now() / 1000);
    const signed = async (dates: { exp?: number; nbf?: number }) => {
      const userKey = createUser();
      const jwt = await encodeUser('dated', userKey, accountKey, {}, dates);
      const seed = new TextDecoder().decode(userKey.getSeed());
      return (nonce: string) => ({ jwt, sig: signNonce(seed, nonce) });
    };
    ok(await sessionAs('jwt', 'sensor', '', { cert, auth: await signed({ exp: now + 3600 }) }));
    const s = await sessionAs('jwt', 'sensor', '', { cert, auth: await signed({ exp: now - 3600 }) });
    expect(s.said).toContain("-ERR 'Authorization Violation'");
  });

  attack("a revoked user's kept creds: Authorization Violation (they worked before)", async () => {
    const kept = await credentials('doomed');
    const cert = await sensorCert();
    const auth = (nonce: string) => authFields(kept, nonce);
    ok(await sessionAs('jwt', 'doomed', '', { cert, auth }));
    await k(['delete', 'natsuser', 'doomed', '-n', bed.namespace, '--wait=false']);
    await waitUntil(
      'doomed deleted (its revocation on every server)',
      async () => (await k(['get', 'natsuser', 'doomed', '-n', bed.namespace, '--ignore-not-found'])) === '',
      60_000,
      1_000,
    );
    const s = await sessionAs('jwt', 'doomed', '', { cert, auth });
    expect(s.said).toContain("-ERR 'Authorization Violation'");
  });

  attack('a tenant sending $SYS.REQ.CLAIMS.UPDATE / SERVER.PING reaches no system responder', async () => {
    for (const subject of ['$SYS.REQ.SERVER.PING', '$SYS.REQ.CLAIMS.UPDATE']) {
      const s = await sessionAs('jwt', 'dashboard', `SUB _INBOX.a 1\r\nPUB ${subject} _INBOX.a 0\r\n\r\n`, {
        until: /NATS\/1\.0 503/,
        extra: NO_RESPONDERS,
        cert: await clientCert('dashboard'),
      });
      // 503 means no subscriber for the subject in the tenant's own account: the system account's
      // responders are out of reach (a reply from them would be a leak).
      expect(s.said).toMatch(/HMSG _INBOX\.a 1 \d+ \d+\r\nNATS\/1\.0 503/);
    }
  });

  attack('publishing outside the creds permissions: Permissions Violation', async () => {
    const s = await sessionAs('jwt', 'sensor', 'PUB orders.steal 1\r\nx\r\n', { until: /PONG/ });
    expect(s.said).toContain(`-ERR 'Permissions Violation for Publish to "orders.steal"'`);
  });

  attack(
    'a payload above the account maxPayload (64Ki, server default 1MB): Maximum Payload Violation',
    async () => {
      const s = await sessionAs('jwt', 'sensor', `PUB metrics.big ${64 * 1024 + 1}\r\n`, { until: /-ERR/ });
      expect(s.said).toContain("-ERR 'Maximum Payload Violation'");
    },
  );
});

describe('verify_and_map: mapped (the certificate is the identity)', () => {
  const certSession = (cert: { cert: string; key: string }, then = '') =>
    sessionAs('mapped', 'ledger', then, { cert, auth: () => ({}) });

  attack(
    'a certificate signed by the cluster CA for a subject no NatsUser has: Authorization Violation',
    async () => {
      ok(await certSession(await clientCert('ledger'))); // control: ledger's own certificate maps
      const ca = await secretData(bed.api, bed.namespace, 'mapped-ca');
      const nobody = issue(
        {
          secretName: 'nobody',
          commonName: 'nobody',
          usages: ['digital signature', 'client auth'],
          issuerRef: { name: 'ca' },
        },
        { 'tls.crt': ca['tls.crt']!, 'tls.key': ca['tls.key']!, 'ca.crt': ca['tls.crt']! },
      );
      const s = await certSession({ cert: nobody['tls.crt'], key: nobody['tls.key'] });
      expect(s.said).toContain("-ERR 'Authorization Violation'");
    },
  );

  attack("ledger's name on a certificate from a foreign CA: alert unknown ca", async () => {
    const t = await target('mapped');
    const forged = foreignClient('ledger');
    expect(
      await handshake(
        t.pod.ip,
        4222,
        { ca: t.ca, servername: t.servername, cert: forged['tls.crt'], key: forged['tls.key'] },
        false,
      ),
    ).toMatch(/^failed: .*(unknown ca|bad certificate)/);
  });

  attack("a mapped user's permissions hold: auditor may not publish", async () => {
    const s = await certSession(await clientCert('auditor'), 'PUB payments.forge 1\r\nx\r\n');
    expect(s.said).toContain(`-ERR 'Permissions Violation for Publish to "payments.forge"'`);
  });

  attack("a tenant declaring another tenant's certificate subject gets no certificate", async () => {
    await apply([
      account('rival-pay', 'mapped'),
      user('impostor', 'rival-pay', { authType: 'Certificate', certificate: { commonName: 'ledger' } }),
    ]);
    const degraded = await waitUntil(
      'impostor Degraded',
      async () => {
        const c = await memberDegraded(bed.namespace, 'natsuser', 'impostor');
        return c?.status === 'True' && c;
      },
      60_000,
      1_000,
    );
    expect(degraded.reason).toBe('NameConflict');
    expect(
      await k(['get', 'secret', 'impostor-nats-client-tls', '-n', bed.namespace, '--ignore-not-found']),
    ).toBe('');
    expect(await k(['get', 'certificate', '-n', bed.namespace, '-o', 'name'])).not.toContain('impostor');
    ok(await certSession(await clientCert('ledger'))); // ledger still maps to its own user
  });
});
