// NatsAccount controller, JWT mode (issue 11): every account JWT reaches every server, proven by
// asking each server what it holds, not by the controller's word; users of two accounts connect
// with the Secrets the operator wrote; an export imported by another account delivers while the
// accounts stay isolated; a changed limit is enforced on every server with no pod restarted.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { unverifiedClaims } from '../src/identity/jwt.ts';
import { nativeKeyPair } from '../src/identity/native-signer.ts';
import { accountJwtHeld, connectSystem, pushAccountJwt } from '../src/nats/system-client.ts';
import { secretData, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, type Credentials } from './operator/nats-client.ts';
import { LANGUAGES, roundTripIn, type AppCredentials } from './operator/polyglot.ts';
import { clusterPods, type PodInfo } from './operator/servers.ts';

/** The user public key a creds file's JWT names. */
const credsSubject = (creds: string | undefined) =>
  unverifiedClaims<{ sub?: string }>(/-----BEGIN NATS USER JWT-----\s*(\S+)/.exec(creds ?? '')?.[1])?.sub;

jest.setTimeout(600_000);
const USER_SEED = /(?<![A-Z2-7])SU[A-Z2-7]{56}(?![A-Z2-7])/;
const CLUSTER = 'jwt'; // examples/jwt-operator.yaml: telemetry exports metrics.>, analytics imports it
let bed: TestBed;
const open: NatsConnection[] = [];

beforeAll(async () => {
  bed = await testBed('accounts');
  await bed.startOperator();
  await apply(exampleIn('jwt-operator.yaml', bed.namespace));
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 420_000);
});
afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await bed?.teardown();
});

interface AccountStatus {
  publicKey?: string;
  jwtIssuedAt?: string;
  jwtExpiresAt?: string;
  distribution?: { servers: number; current: number };
  conditions?: { type: string; status: string; reason: string; message: string }[];
}
const accountStatus = async (name: string): Promise<AccountStatus> =>
  (await getJson(['get', 'natsaccount', name, '-n', bed.namespace])).status ?? {};

interface UserStatus {
  publicKey?: string;
  secretName?: string;
  expiresAt?: string;
  conditions?: { type: string; status: string; reason: string }[];
}
const userStatus = async (name: string): Promise<UserStatus> =>
  (await getJson(['get', 'natsuser', name, '-n', bed.namespace])).status ?? {};

/** Waits until the account is Ready with every server current, optionally signed after `after`. */
const waitDistributed = (name: string, after?: string) =>
  waitUntil(
    `NatsAccount ${name} distributed to every server`,
    async () => {
      const status = await accountStatus(name);
      const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const newer = !after || (status.jwtIssuedAt ?? '') > after;
      return ready && newer && status.distribution?.current === 3 && status;
    },
    120_000,
    1_000,
  );

/** What each server itself says it holds for the account, asked as the system user. */
const heldByServers = (publicKey: string) =>
  asSystemUser((nc) => accountJwtHeld(nc, publicKey, { servers: 3, timeoutMs: 3_000 }));

/** Runs `work` on a connection to every server as the system user, as the operator connects. */
async function asSystemUser<T>(work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const identities = await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`);
  const trust = await secretData(bed.api, bed.namespace, `${CLUSTER}-trust-bundle`);
  const routes = await secretData(bed.api, bed.namespace, `${CLUSTER}-routes-tls`);
  const pods = await clusterPods(bed.namespace, CLUSTER);
  const nc = await connectSystem({
    servers: pods.map((p) => `tls://${p.ip}:4222`),
    ca: trust['ca.crt']!,
    creds: identities['system-user.creds']!,
    servername: `${CLUSTER}.${bed.namespace}.svc`,
    cert: { cert: routes['tls.crt']!, key: routes['tls.key']! },
  });
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}

const issuedAtOf = (jwt: string) => unverifiedClaims<{ iat: number }>(jwt)!.iat;
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A user's connection to one server, with its credentials Secret and client certificate. */
async function connectAs(user: string, pod: PodInfo): Promise<NatsConnection> {
  const credentials = (await secretData(
    bed.api,
    bed.namespace,
    `${user}-nats-credentials`,
  )) as unknown as Credentials;
  const tls = await secretData(bed.api, bed.namespace, `${user}-nats-client-tls`);
  const nc = await connectWith(
    pod.ip,
    credentials,
    { 'tls.crt': tls['tls.crt']!, 'tls.key': tls['tls.key']! },
    `${CLUSTER}.${bed.namespace}.svc`,
  );
  open.push(nc);
  return nc;
}

/**
 * The first message on `subject` within `ms`, or undefined. The publisher may sit on another server,
 * which learns of the subscription over the route a moment later: it publishes every 100 ms.
 */
async function firstMessage(nc: NatsConnection, subject: string, ms: number, publish: () => void) {
  const sub = nc.subscribe(subject, { max: 1, timeout: ms });
  await nc.flush();
  publish();
  const again = setInterval(publish, 100);
  try {
    for await (const msg of sub) return msg.string();
  } catch {
    return undefined; // timed out
  } finally {
    clearInterval(again);
  }
  return undefined;
}

describe('NatsAccount in JWT mode', () => {
  test('every server holds each account JWT, as each server reports, and the status says so', async () => {
    for (const name of ['telemetry', 'analytics']) {
      const status = await waitDistributed(name);
      expect(status.distribution).toEqual({ servers: 3, current: 3 });
      const held = await heldByServers(status.publicKey!);
      expect(held).toHaveLength(3);
      expect(new Set(held.map((h) => h.serverId)).size).toBe(3);
      const jwts = new Set(held.map((h) => h.jwt));
      expect(jwts.size).toBe(1);
      const [jwt] = [...jwts];
      expect(jwt).toBeDefined();
      expect(rfc3339(issuedAtOf(jwt!))).toBe(status.jwtIssuedAt);
    }
  });

  test('users of two accounts connect with their Secrets; the export reaches the importer, nothing else crosses', async () => {
    const [first, second] = await clusterPods(bed.namespace, CLUSTER);
    const sensor = await connectAs('sensor', first!);
    const dashboard = await connectAs('dashboard', second!);

    // telemetry exports metrics.>; analytics imports it under the prefix telemetry.
    const imported = await firstMessage(dashboard, 'telemetry.metrics.cpu', 5_000, () =>
      sensor.publish('metrics.cpu', 'load 0.42'),
    );
    expect(imported).toBe('load 0.42');

    // A subject analytics publishes on its own never reaches telemetry (accounts are isolated)...
    const crossed = await firstMessage(sensor, 'metrics.isolated', 1_500, () =>
      dashboard.publish('metrics.isolated', 'from analytics'),
    );
    expect(crossed).toBeUndefined();
    // ...while telemetry's own message on that subject does (the subscription works).
    const own = await firstMessage(sensor, 'metrics.isolated', 5_000, () =>
      sensor.publish('metrics.isolated', 'from telemetry'),
    );
    expect(own).toBe('from telemetry');
  });

  test('an export limited to analytics reaches it through an activation token; an account it is not offered to is left out', async () => {
    await k([
      'patch',
      'natsaccount',
      'telemetry',
      '-n',
      bed.namespace,
      '--type=merge',
      '-p',
      '{"spec":{"exports":[{"stream":"metrics.>","accounts":["analytics"]}]}}',
    ]);
    const claimsOf = (jwt: string) =>
      unverifiedClaims<{ nats: { exports?: { token_req?: boolean }[]; imports?: { token?: string }[] } }>(
        jwt,
      )!;
    const telemetryKey = (await accountStatus('telemetry')).publicKey!;
    const analyticsKey = (await accountStatus('analytics')).publicKey!;
    await waitUntil(
      'every server holds the restricted export and the importer token',
      async () => {
        const exporter = await heldByServers(telemetryKey);
        const importer = await heldByServers(analyticsKey);
        return (
          exporter.length === 3 &&
          importer.length === 3 &&
          exporter.every((h) => h.jwt && claimsOf(h.jwt).nats.exports?.[0]?.token_req === true) &&
          importer.every((h) => h.jwt && !!claimsOf(h.jwt).nats.imports?.[0]?.token)
        );
      },
      120_000,
      1_000,
    );
    const [first, second] = await clusterPods(bed.namespace, CLUSTER);
    const sensor = await connectAs('sensor', first!);
    const dashboard = await connectAs('dashboard', second!);
    const imported = await firstMessage(dashboard, 'telemetry.metrics.restricted', 5_000, () =>
      sensor.publish('metrics.restricted', 'for analytics only'),
    );
    expect(imported).toBe('for analytics only');
    await Promise.all(open.splice(0).map((nc) => nc.close()));

    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsAccount',
        metadata: { name: 'outsider', namespace: bed.namespace },
        spec: {
          clusterRef: { name: CLUSTER },
          imports: [{ stream: { account: 'telemetry', subject: 'metrics.>' }, prefix: 'stolen' }],
        },
      },
    ]);
    const degraded = await waitUntil(
      'outsider Degraded',
      async () => {
        const status = await accountStatus('outsider');
        const condition = status.conditions?.find((c) => c.type === 'Degraded');
        return condition?.status === 'True' && condition;
      },
      60_000,
      1_000,
    );
    expect(degraded).toMatchObject({
      reason: 'MissingExport',
      message: expect.stringContaining(
        'spec.imports[0].stream.account: account telemetry exports "metrics.>" only to other accounts',
      ),
    });
  });

  test('the same Secrets work from nats.js, the nats CLI (Go) and nats-py; a denied publish is refused in each', async () => {
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    const trust = await secretData(bed.api, bed.namespace, `${CLUSTER}-trust-bundle`);
    const appCredentials = async (user: string): Promise<AppCredentials> => {
      const secret = await secretData(bed.api, bed.namespace, `${user}-nats-credentials`);
      const tls = await secretData(bed.api, bed.namespace, `${user}-nats-client-tls`);
      return {
        address: pod!.ip,
        servername: `${CLUSTER}.${bed.namespace}.svc`,
        ca: secret['ca.crt'] ?? trust['ca.crt']!,
        creds: secret['user.creds']!,
        cert: { crt: tls['tls.crt']!, key: tls['tls.key']! },
      };
    };
    const sensor = await appCredentials('sensor');
    const dashboard = await appCredentials('dashboard');
    for (const lang of LANGUAGES) {
      expect(await roundTripIn(lang, sensor, `metrics.polyglot.${lang.split(' ')[0]}`)).toContain(lang);
      expect(await roundTripIn(lang, dashboard, 'telemetry.metrics.polyglot')).toContain(lang);
      // sensor may publish only on metrics.>
      await expect(roundTripIn(lang, sensor, 'orders.polyglot')).rejects.toThrow(/permissions violation/i);
    }
  });

  test("a stream beyond the account's JetStream storage limit is refused on every server; raising the limit lets it in", async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'keeper', namespace: bed.namespace },
        spec: { accountRef: { name: 'telemetry' }, authType: 'Creds' },
      },
    ]);
    const pods = await clusterPods(bed.namespace, CLUSTER);
    const nc = (await waitUntil(
      'keeper connects',
      () => connectAs('keeper', pods[0]!).catch(() => false),
      90_000,
      1_000,
    )) as NatsConnection;
    const jsm = await jetstreamManager(nc);
    const stream = (name: string, bytes: number) =>
      jsm.streams.add({
        name,
        subjects: [`store.${name}`],
        storage: StorageType.File,
        max_bytes: bytes,
        num_replicas: 1,
      });
    // 1 MiB for the account (examples/jwt-operator.yaml), counted per replica: a 512 KiB stream of one
    // replica fits, 2 MiB does not (nor would 512 KiB in three replicas).
    await stream('small', 512 * 1024);
    await expect(stream('big', 2 * 1024 * 1024)).rejects.toThrow(
      /insufficient storage|storage resources|exceed/i,
    );

    await k([
      'patch',
      'natsaccount',
      'telemetry',
      '-n',
      bed.namespace,
      '--type=merge',
      '-p',
      '{"spec":{"jetstream":{"enabled":true,"maxStorage":"4Mi","maxStreams":4}}}',
    ]);
    const { publicKey } = await accountStatus('telemetry');
    await waitUntil(
      'every server holds the 4 MiB limit',
      async () => {
        const held = await heldByServers(publicKey!);
        const storage = held.map(
          (h) =>
            unverifiedClaims<{ nats: { limits: { disk_storage: number } } }>(h.jwt)?.nats.limits.disk_storage,
        );
        return held.length === 3 && storage.every((b) => b === 4 * 1024 * 1024);
      },
      60_000,
      500,
    );
    await waitUntil(
      '2 MiB now fits',
      () =>
        stream('big', 2 * 1024 * 1024).then(
          () => true,
          () => false,
        ),
      30_000,
      1_000,
    );
    for (const name of ['small', 'big']) await jsm.streams.delete(name);
    await nc.close();
    await k(['delete', 'natsuser', 'keeper', '-n', bed.namespace, '--wait=false']);
  });

  test("a NatsUser's status names its key; changed connection types and expiry are signed again with the same key and enforced", async () => {
    const creds = async () =>
      (await secretData(bed.api, bed.namespace, 'sensor-nats-credentials'))['user.creds'];
    const claimsOf = async () =>
      unverifiedClaims<{ sub: string; exp?: number; nats: { allowed_connection_types?: string[] } }>(
        /-----BEGIN NATS USER JWT-----\s*(\S+)/.exec((await creds()) ?? '')?.[1],
      )!;
    const before = await claimsOf();
    const status = await waitUntil(
      'sensor Ready',
      async () => {
        const s = await userStatus('sensor');
        return s.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && s;
      },
      60_000,
      500,
    );
    expect(status).toMatchObject({ publicKey: before.sub, secretName: 'sensor-nats-credentials' });
    expect(status.expiresAt).toBeUndefined();

    const patch = (spec: object) =>
      k(['patch', 'natsuser', 'sensor', '-n', bed.namespace, '--type=merge', '-p', JSON.stringify({ spec })]);
    await patch({ allowedConnectionTypes: ['WEBSOCKET'], jwtExpiry: '2h' });
    const resigned = await waitUntil(
      'sensor re-signed with WEBSOCKET only and an expiry',
      async () => {
        const claims = await claimsOf();
        return claims.nats.allowed_connection_types?.join() === 'WEBSOCKET' && !!claims.exp && claims;
      },
      30_000,
      250,
    );
    expect(resigned.sub).toBe(before.sub); // the same key, a new JWT
    const expiresAt = new Date(resigned.exp! * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await waitUntil(
      'status says when it expires',
      async () => (await userStatus('sensor')).expiresAt === expiresAt,
      30_000,
      500,
    );
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    // A plain (STANDARD) client connection is now refused by the server itself.
    await expect(connectAs('sensor', pod!)).rejects.toThrow(/authorization/i);

    await patch({ allowedConnectionTypes: ['STANDARD', 'WEBSOCKET'], jwtExpiry: null });
    await waitUntil(
      'sensor re-signed without an expiry',
      async () => {
        const claims = await claimsOf();
        return claims.exp === undefined && claims.nats.allowed_connection_types?.includes('STANDARD');
      },
      30_000,
      250,
    );
    await waitUntil(
      'status has no expiry',
      async () => (await userStatus('sensor')).expiresAt === undefined,
      30_000,
      500,
    );
    const nc = await connectAs('sensor', pod!);
    await nc.close();
    expect((await claimsOf()).sub).toBe(before.sub);
  });

  test('a changed limit is re-signed, reaches every server and is enforced there, with no pod restarted', async () => {
    const before = await accountStatus('telemetry');
    const podsBefore = await clusterPods(bed.namespace, CLUSTER);
    await k([
      'patch',
      'natsaccount',
      'telemetry',
      '-n',
      bed.namespace,
      '--type=merge',
      '-p',
      '{"spec":{"limits":{"maxConnections":1}}}',
    ]);
    // iat has one-second resolution: the new JWT is signed at least a second after the old one
    // only if a second has passed, so compare the held JWTs' limits rather than only the time.
    const after = await waitUntil(
      'every server holds a JWT with maxConnections 1',
      async () => {
        const status = await accountStatus('telemetry');
        if (status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return false;
        const held = await heldByServers(before.publicKey!);
        const limits = held.map(
          (h) => unverifiedClaims<{ nats: { limits: { conn: number } } }>(h.jwt)!.nats.limits.conn,
        );
        return held.length === 3 && limits.every((conn) => conn === 1) && status;
      },
      120_000,
      1_000,
    );
    expect(after.distribution).toEqual({ servers: 3, current: 3 });

    // Enforced: on one server, a second connection of the account is refused.
    await Promise.all(open.splice(0).map((nc) => nc.close()));
    const [pod] = podsBefore;
    const one = await connectAs('sensor', pod!);
    await expect(connectAs('sensor', pod!)).rejects.toThrow(/maximum account active connections/i);
    await one.close();

    const podsAfter = await clusterPods(bed.namespace, CLUSTER);
    expect(podsAfter.map((p) => [p.name, p.uid, p.restarts])).toEqual(
      podsBefore.map((p) => [p.name, p.uid, p.restarts]),
    );
  });

  test('an account JWT with an expiry is signed again before half its lifetime, on every server; the status says when it expires', async () => {
    type Claims = { iat: number; exp?: number; jti?: string };
    const { publicKey } = await accountStatus('analytics');
    const lifetimes = async () =>
      (await heldByServers(publicKey!)).map((h) => {
        const c = unverifiedClaims<Claims>(h.jwt)!;
        return { iat: c.iat, lifetime: c.exp ? c.exp - c.iat : undefined, jwt: h.jwt! };
      });
    const patch = (spec: object) =>
      k([
        'patch',
        'natsaccount',
        'analytics',
        '-n',
        bed.namespace,
        '--type=merge',
        '-p',
        JSON.stringify({ spec }),
      ]);
    await patch({ jwtExpiry: '2h' });
    const signed = await waitUntil(
      'every server holds a JWT that expires 2 h after it was signed',
      async () => {
        const held = await lifetimes();
        return held.length === 3 && held.every((h) => h.lifetime === 7_200) && held;
      },
      60_000,
      500,
    );
    const exp = signed[0]!.iat + 7_200;
    await waitUntil(
      'status.jwtExpiresAt',
      async () => (await accountStatus('analytics')).jwtExpiresAt === rfc3339(exp),
      30_000,
      500,
    );

    // Servers that hold a JWT past half its lifetime (signed by the operator 1 h ago, the same claims):
    // the operator signs and pushes a new one on its next look, well before the old one expires.
    const identities = await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`);
    const signer = nativeKeyPair(identities['operator-signing.seed']!);
    const { jti: _jti, ...claims } = unverifiedClaims<Claims & Record<string, unknown>>(signed[0]!.jwt)!;
    const iat = Math.floor(Date.now() / 1000) - 3_601;
    const payload = `${signed[0]!.jwt.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + 7_200 })).toString('base64url')}`;
    const aged = `${payload}.${Buffer.from(signer.sign(Buffer.from(payload))).toString('base64url')}`;
    const pushed = await asSystemUser((nc) => pushAccountJwt(nc, aged, { servers: 3, timeoutMs: 3_000 }));
    expect(pushed.filter((r) => r.ok)).toHaveLength(3);
    expect((await lifetimes()).map((h) => h.iat)).toEqual([iat, iat, iat]);
    await k([
      'annotate',
      'natsaccount',
      'analytics',
      '-n',
      bed.namespace,
      `bench/poke=${iat}`,
      '--overwrite',
    ]);
    const renewed = await waitUntil(
      'every server holds a newly signed JWT again',
      async () => {
        const held = await lifetimes();
        return held.length === 3 && held.every((h) => h.iat > iat + 3_000 && h.lifetime === 7_200) && held;
      },
      60_000,
      500,
    );
    expect(new Set(renewed.map((h) => h.jwt)).size).toBe(1);

    await patch({ jwtExpiry: null });
    await waitUntil(
      'every server holds a JWT without expiry, and the status says none',
      async () => {
        const held = await lifetimes();
        const status = await accountStatus('analytics');
        return (
          held.length === 3 &&
          held.every((h) => h.lifetime === undefined) &&
          status.jwtExpiresAt === undefined
        );
      },
      60_000,
      500,
    );
  });

  test('deleting a user closes its live connection and its creds never connect again; the account keeps serving others', async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'probe', namespace: bed.namespace },
        spec: { accountRef: { name: 'telemetry' }, authType: 'Creds' },
      },
    ]);
    // The revocation finalizer is on the credentials Secret, written with the key (ADR 16).
    await waitUntil(
      'probe has its Secrets, its credentials with the revoke finalizer',
      async () => {
        const secrets = await k(['get', 'secret', '-n', bed.namespace, '-o', 'name']);
        if (!secrets.includes('secret/probe-nats-client-tls')) return false;
        if (!secrets.includes('secret/probe-nats-credentials')) return false;
        const held = await getJson(['get', 'secret', 'probe-nats-credentials', '-n', bed.namespace]);
        return (held.metadata.finalizers ?? []).includes('natswarden.io/revoke');
      },
      120_000,
      1_000,
    );
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    const credentials = await secretData(bed.api, bed.namespace, 'probe-nats-credentials');
    const probe = await connectAs('probe', pod!);
    const closed = probe.closed();

    const deleted = Date.now();
    await k(['delete', 'natsuser', 'probe', '-n', bed.namespace, '--wait=false']);
    const reason = await Promise.race([
      closed.then((error) => String(error ?? 'closed')),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 30_000)),
    ]);
    expect(reason).not.toBe('still open');
    process.stderr.write(
      `\nfigure: a deleted user's live connection closed ${Date.now() - deleted} ms after kubectl delete (${reason})\n`,
    );
    // The NatsUser goes at once; its credentials Secret (deleted by the garbage collector) stays
    // until every server holds the revocation, then its finalizer goes and so does it.
    await waitUntil(
      'probe and its credentials Secret deleted',
      async () =>
        (await k(['get', 'natsuser', 'probe', '-n', bed.namespace, '--ignore-not-found'])) === '' &&
        (await k(['get', 'secret', 'probe-nats-credentials', '-n', bed.namespace, '--ignore-not-found'])) ===
          '',
      60_000,
      1_000,
    );
    const status = await waitDistributed('telemetry');
    const publicKey = credentials['user.creds']!.split('\n')[1]!;
    const userPub = unverifiedClaims<{ sub: string }>(publicKey)!.sub;
    for (const held of await heldByServers(status.publicKey!)) {
      const claims = unverifiedClaims<{ nats: { revocations?: Record<string, number> } }>(held.jwt)!;
      expect(claims.nats.revocations?.[userPub]).toBeGreaterThan(0);
    }
    // Its creds (kept by the test as a leaked copy) are refused on every server.
    for (const server of await clusterPods(bed.namespace, CLUSTER)) {
      const tls = await secretData(bed.api, bed.namespace, 'sensor-nats-client-tls');
      await expect(
        connectWith(
          server.ip,
          credentials as unknown as Credentials,
          { 'tls.crt': tls['tls.crt']!, 'tls.key': tls['tls.key']! },
          `${CLUSTER}.${bed.namespace}.svc`,
        ),
      ).rejects.toThrow(/revoked|authorization/i);
    }
    // The account's other users are untouched.
    const sensor = await connectAs('sensor', pod!);
    await sensor.close();
  });

  test('deleting an account revokes every user (their live connections close) and removes its JWT from every server', async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsAccount',
        metadata: { name: 'ephemeral', namespace: bed.namespace },
        spec: { clusterRef: { name: CLUSTER } },
      },
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'visitor', namespace: bed.namespace },
        spec: { accountRef: { name: 'ephemeral' }, authType: 'Creds' },
      },
    ]);
    const { publicKey } = await waitDistributed('ephemeral');
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    const live = (await waitUntil(
      'visitor connects',
      () => connectAs('visitor', pod!).catch(() => false),
      90_000,
      1_000,
    )) as NatsConnection;
    const closed = live.closed();
    const configMaps = () => k(['get', 'configmap', '-n', bed.namespace, '-o', 'name']);

    await k(['delete', 'natsaccount', 'ephemeral', '-n', bed.namespace, '--wait=false']);
    const reason = await Promise.race([
      closed.then((error) => String(error ?? 'closed')),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 60_000)),
    ]);
    expect(reason).toMatch(/revoked/i);
    await waitUntil(
      'the NatsAccount is gone, and no server holds its JWT',
      async () => {
        const gone =
          (await k(['get', 'natsaccount', '-n', bed.namespace, '-o', 'name'])).includes('/ephemeral') ===
          false;
        const held = await heldByServers(publicKey!);
        return gone && held.length === 3 && held.every((h) => h.jwt === undefined);
      },
      60_000,
      1_000,
    );
    await waitUntil(
      'its revocation list is gone with it',
      async () => !(await configMaps()).includes('ephemeral-nats-revocations'),
      60_000,
      1_000,
    );
    await k(['delete', 'natsuser', 'visitor', '-n', bed.namespace, '--wait=false']);
  });

  test("a user's seed lives only in its own Secret; deleting that Secret rotates the user and revokes the old key", async () => {
    // JWT-mode users' keys are the NatsUser controller's: the cluster's identities Secret keeps none.
    const identities = await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`);
    for (const [key, entry] of Object.entries(identities))
      if (key.startsWith('user.')) expect(entry).not.toMatch(/"(seed|plaintext|content)"/);
    // No tenant user's seed at all (the operator's own system user is the one user kept there). A
    // seed is a whole 58-character token: an account seed (SA...) may hold "SU" further in by chance,
    // which an unbounded match once took for a user's seed in account-seeds.json.
    const withUserSeed = Object.entries(identities)
      .filter(([key, value]) => key !== 'system-user.creds' && USER_SEED.test(value))
      .map(([key]) => key);
    expect(withUserSeed).toEqual([]);

    const old = await secretData(bed.api, bed.namespace, 'dashboard-nats-credentials');
    const oldKey = credsSubject(old['user.creds']);
    expect((await userStatus('dashboard')).publicKey).toBe(oldKey);
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    const live = await connectAs('dashboard', pod!);
    const closed = live.closed();
    const tls = await secretData(bed.api, bed.namespace, 'dashboard-nats-client-tls');
    const cert = { 'tls.crt': tls['tls.crt']!, 'tls.key': tls['tls.key']! };
    const servername = `${CLUSTER}.${bed.namespace}.svc`;
    // The delete returns once the Secret is gone, which its finalizer allows only after every server
    // holds the revocation (ADR 16): by then the old creds are refused, before new ones exist.
    await k(['delete', 'secret', 'dashboard-nats-credentials', '-n', bed.namespace]);
    for (const server of await clusterPods(bed.namespace, CLUSTER))
      await expect(connectWith(server.ip, old as unknown as Credentials, cert, servername)).rejects.toThrow(
        /revoked|authorization/i,
      );
    const fresh = await waitUntil(
      'dashboard has new credentials',
      async () => {
        const secret = await secretData(bed.api, bed.namespace, 'dashboard-nats-credentials').catch(
          () => undefined,
        );
        return !!secret?.['user.creds'] && secret['user.creds'] !== old['user.creds'] && secret;
      },
      120_000,
      1_000,
    );
    // The old key is revoked on every server: its live connection closes, its creds are refused.
    const reason = await Promise.race([
      closed.then((error) => String(error ?? 'closed')),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 60_000)),
    ]);
    expect(reason).toMatch(/revoked/i);
    await expect(connectWith(pod!.ip, old as unknown as Credentials, cert, servername)).rejects.toThrow(
      /revoked|authorization/i,
    );
    const nc = await connectWith(pod!.ip, fresh as unknown as Credentials, cert, servername);
    await nc.close();
    // The status names the new key; the Secret records the retired one (public keys only).
    const newKey = credsSubject(fresh['user.creds']);
    await waitUntil(
      'status names the new key',
      async () => (await userStatus('dashboard')).publicKey === newKey,
      30_000,
      500,
    );
    const annotations = (await getJson(['get', 'secret', 'dashboard-nats-credentials', '-n', bed.namespace]))
      .metadata.annotations;
    expect(annotations['natswarden.io/retired-keys']).toContain(oldKey);
  });

  test('a server that comes back with an empty resolver directory is brought up to date, the account untouched', async () => {
    const before = await accountStatus('telemetry');
    const generation = (await getJson(['get', 'natsaccount', 'telemetry', '-n', bed.namespace])).metadata
      .generation;
    const victim = (await clusterPods(bed.namespace, CLUSTER))[2]!;
    const pvc = await getJson(['get', 'pvc', `data-${victim.name}`, '-n', bed.namespace]);
    const pv = await getJson(['get', 'pv', pvc.spec.volumeName]);
    const jwtDir = join(pv.spec.hostPath.path, 'jwt');
    expect(readdirSync(jwtDir).some((f) => f.startsWith(before.publicKey!))).toBe(true);
    // Wiped, then the pod replaced: its server starts on an empty store (it never syncs at start,
    // docs/nats-facts.md (d), and nothing connects to the account before the check below).
    for (const file of readdirSync(jwtDir)) rmSync(join(jwtDir, file), { recursive: true });
    await k(['delete', 'pod', victim.name, '-n', bed.namespace]);
    await waitUntil(
      `${victim.name} replaced and ready`,
      async () => {
        const replaced = (await clusterPods(bed.namespace, CLUSTER)).find((p) => p.name === victim.name);
        return !!replaced && replaced.uid !== victim.uid && replaced.ready;
      },
      180_000,
      1_000,
    );
    // Brought up to date by the controller reacting to the pod, well before its own periodic check
    // (60 s) or the resolver's sync between servers (interval 2m) could have done it.
    const ready = Date.now();
    await waitUntil(
      `${victim.name} holding the account JWT again`,
      async () => {
        const held = await heldByServers(before.publicKey!);
        return held.length === 3 && held.every((h) => h.jwt) && held;
      },
      45_000,
      1_000,
    );
    process.stderr.write(
      `\nfigure: a server back with an empty resolver directory holds the account ${Math.round((Date.now() - ready) / 1000)} s after its pod is ready\n`,
    );
    expect(readdirSync(jwtDir).some((f) => f.startsWith(before.publicKey!))).toBe(true);
    const after = await waitDistributed('telemetry');
    expect(after.distribution).toEqual({ servers: 3, current: 3 });
    expect(
      (await getJson(['get', 'natsaccount', 'telemetry', '-n', bed.namespace])).metadata.generation,
    ).toBe(generation);
  });
});
