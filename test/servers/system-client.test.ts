// The system-account client against a real 3-server JWT-mode cluster with a full resolver (rendered
// from examples/jwt-operator.yaml): each push is answered by every server, and what each server's
// own store holds is read without making it fetch from a peer. The behaviours asserted here are the
// facts in docs/nats-facts.md that the NatsAccount controller relies on.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadExample } from '../fixtures/examples.ts';
import { certificateFor, connectTo } from './support/clients.ts';
import { LocalCluster, renderLocally, type LocalServer } from './support/local-cluster.ts';
import type { NatsAccount } from '../../src/api/index.ts';
import {
  accountJwt,
  keyPairOf,
  newAccountKey,
  newOperatorKey,
  newUserKey,
  userCreds,
  type KeyIdentity,
} from '../../src/identity/jwt.ts';
import {
  accountJwtHeld,
  connectSystem,
  deleteAccountJwts,
  listServers,
  pushAccountJwt,
  type HeldJwt,
} from '../../src/nats/system-client.ts';
import { connect, credsAuthenticator } from '@nats-io/transport-node';

jest.setTimeout(90_000);

const ALL = { servers: 3, timeoutMs: 3_000 };
let local: LocalCluster;
let sys: NatsConnection;

beforeAll(async () => {
  local = new LocalCluster(await renderLocally(loadExample('jwt-operator')), { block: 160 });
  await local.start();
  sys = await systemConnection(local.servers[0]!);
});
afterAll(async () => {
  await sys?.close();
  await local?.stop();
});

function systemConnection(server: LocalServer, servername = server.fqdn) {
  const cert = certificateFor(local, 'sensor');
  return connectSystem({
    servers: [`tls://${server.ip}:4222`],
    ca: local.rendered.trustBundle,
    creds: local.rendered.generated.jwtKeys!.systemUserCreds,
    servername,
    cert: { cert: cert['tls.crt'], key: cert['tls.key'] },
    timeoutMs: 4_000,
  });
}

const serverNames = () => local.servers.map((s) => s.name).sort();
const byName = (held: HeldJwt[]) => Object.fromEntries(held.map((h) => [h.server, h.jwt]));
const everyServer = (jwt: string | undefined) => Object.fromEntries(serverNames().map((n) => [n, jwt]));
const iatOf = (jwt: string): number =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')).iat;

function telemetry() {
  const { generated, members } = local.rendered;
  const doc = members.accounts.find((a) => a.metadata.name === 'telemetry')!;
  const publicKeys = Object.fromEntries(
    Object.entries(generated.identities.jwt!.accounts).map(([name, a]) => [name, a.publicKey]),
  );
  return { doc, key: generated.jwtKeys!.accounts['telemetry']!, publicKeys };
}

/** An account JWT signed by the cluster's operator, with its own key and the given limits. */
function signed(key: KeyIdentity, doc: NatsAccount, limits: NatsAccount['spec']['limits'] = {}) {
  const operator = local.rendered.generated.jwtKeys!.operator;
  return accountJwt(operator, key, { ...doc, spec: { ...doc.spec, limits } }, telemetry().publicKeys);
}

/** A connection as a fresh user of the account (creds signed by the account key). */
async function userOf(key: KeyIdentity, server: LocalServer) {
  const cert = certificateFor(local, 'sensor');
  return connect({
    servers: [`tls://${server.ip}:4222`],
    tls: {
      ca: local.rendered.trustBundle,
      servername: server.fqdn,
      cert: cert['tls.crt'],
      key: cert['tls.key'],
    } as never,
    authenticator: credsAuthenticator(new TextEncoder().encode(userCreds(key, newUserKey(), 'probe'))),
    reconnect: false,
    timeout: 4_000,
  });
}

async function expectAllOk(jwt: string, servers = 3) {
  const replies = await pushAccountJwt(sys, jwt, { servers, timeoutMs: 3_000 });
  expect(replies.map((r) => [r.ok, r.code, r.message])).toEqual(
    Array.from({ length: servers }, () => [true, 200, 'jwt updated']),
  );
  expect(new Set(replies.map((r) => r.serverId)).size).toBe(servers);
  return replies;
}

/** Stops one server and waits for its process to exit. */
async function stopServer(server: LocalServer) {
  const child = server.process!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Waits until every server answers the system account again (routes re-formed after a restart). */
async function untilAllAnswer() {
  const deadline = Date.now() + 20_000;
  while ((await listServers(sys, { servers: 3, timeoutMs: 1_000 })).length < 3) {
    if (Date.now() > deadline) throw new Error('the restarted server never answered the system account');
  }
}

describe('the system-account client on a full-resolver cluster (examples/jwt-operator.yaml)', () => {
  test('connects over TLS verifying the server name, and every server answers the ping', async () => {
    const servers = await listServers(sys, ALL);
    expect(servers.map((s) => s.server).sort()).toEqual(serverNames());
    expect(new Set(servers.map((s) => s.serverId)).size).toBe(3);
    expect(servers.every((s) => /^N[A-Z0-9]{55}$/.test(s.serverId))).toBe(true);
    await expect(systemConnection(local.servers[1]!, 'not-this-server.example')).rejects.toThrow(
      /altnames|certificate|hostname/i,
    );
  });

  test('a pushed account JWT is acknowledged by every server, held by every store, and its users connect', async () => {
    const account = local.rendered.generated.identities.jwt!.accounts['telemetry']!;
    expect(byName(await accountJwtHeld(sys, account.publicKey, ALL))).toEqual(everyServer(undefined));
    await expectAllOk(account.jwt!);
    expect(byName(await accountJwtHeld(sys, account.publicKey, ALL))).toEqual(everyServer(account.jwt));
    const sensor = await connectTo(local, local.servers[1]!, { user: 'sensor' });
    const sub = sensor.subscribe('metrics.roundtrip', { max: 1, timeout: 3_000 });
    await sensor.flush();
    sensor.publish('metrics.roundtrip', 'ping');
    for await (const m of sub) expect(m.string()).toBe('ping');
    expect(sub.getProcessed()).toBe(1);
    await sensor.close();
  });

  test('a re-signed JWT with a lower connection limit replaces the held one everywhere and is enforced', async () => {
    const { doc, key } = telemetry();
    const limited = await signed(key, doc, { maxConnections: 1 });
    await expectAllOk(limited);
    expect(byName(await accountJwtHeld(sys, key.publicKey, ALL))).toEqual(everyServer(limited));
    // Server 1 loaded the account in the previous test: the store's change callback updates it.
    const first = await userOf(key, local.servers[1]!);
    await expect(userOf(key, local.servers[1]!)).rejects.toThrow(/maximum account active connections/i);
    await first.close();
    await expectAllOk(await signed(key, doc, { maxConnections: 100 }));
  });

  test('an account never pushed is held by no server, and asking does not make one fetch it', async () => {
    const never = newAccountKey();
    const held = await accountJwtHeld(sys, never.publicKey, ALL);
    expect(held.map((h) => h.server).sort()).toEqual(serverNames());
    expect(held.every((h) => h.jwt === undefined && h.uncertain === undefined)).toBe(true);
  });

  test('an older JWT pushed after a newer one is stored: the server does not compare iat', async () => {
    const { doc } = telemetry();
    const key = newAccountKey();
    const older = await signed(key, doc, { maxConnections: 5 });
    await new Promise((r) => setTimeout(r, 1_100)); // iat has a resolution of one second
    const newer = await signed(key, doc, { maxConnections: 7 });
    expect(iatOf(older)).toBeLessThan(iatOf(newer));
    await expectAllOk(newer);
    expect(byName(await accountJwtHeld(sys, key.publicKey, ALL))).toEqual(everyServer(newer));
    await expectAllOk(older);
    expect(byName(await accountJwtHeld(sys, key.publicKey, ALL))).toEqual(everyServer(older));
  });

  test('a delete request the operator signs removes the account from every store; one signed by another key is refused', async () => {
    const { doc } = telemetry();
    const key = newAccountKey();
    await expectAllOk(await signed(key, doc));
    const rogue = await deleteAccountJwts(sys, keyPairOf(newOperatorKey()), [key.publicKey], ALL);
    expect(rogue.map((r) => [r.ok, r.message])).toEqual(
      Array.from({ length: 3 }, () => [
        false,
        expect.stringMatching(/delete accounts request by O\w+ failed/),
      ]),
    );
    expect(byName(await accountJwtHeld(sys, key.publicKey, ALL))).not.toEqual(everyServer(undefined));
    const signing = local.rendered.generated.jwtKeys!.operatorSigning;
    const deleted = await deleteAccountJwts(sys, keyPairOf(signing), [key.publicKey], ALL);
    expect(deleted.map((r) => [r.ok, r.message])).toEqual(
      Array.from({ length: 3 }, () => [true, 'deleted 1 accounts']),
    );
    expect(byName(await accountJwtHeld(sys, key.publicKey, ALL))).toEqual(everyServer(undefined));
  });

  test('a server restarted with an empty resolver dir does not hold the account until pushed again', async () => {
    const analytics = local.rendered.generated.identities.jwt!.accounts['analytics']!;
    await expectAllOk(analytics.jwt!);
    const lost = local.servers[2]!;
    await stopServer(lost);
    rmSync(jwtDirOf(lost), { recursive: true, force: true });
    await local.start([lost.ordinal]);
    await untilAllAnswer();
    const expected = { ...everyServer(analytics.jwt), [lost.name]: undefined };
    expect(byName(await accountJwtHeld(sys, analytics.publicKey, ALL))).toEqual(expected);
    // Asking again a little later: the lookups did not make it fetch from a peer, and no sync ran
    // (the resolver syncs every `interval`, 2m here, first one interval after start).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(byName(await accountJwtHeld(sys, analytics.publicKey, ALL))).toEqual(expected);
    await expectAllOk(analytics.jwt!);
    expect(byName(await accountJwtHeld(sys, analytics.publicKey, ALL))).toEqual(everyServer(analytics.jwt));
  });

  test('servers holding different JWTs are told apart once each has loaded the account', async () => {
    const { doc } = telemetry();
    const key = newAccountKey();
    const before = await signed(key, doc, { maxConnections: 10 });
    await expectAllOk(before);
    const stale = local.servers[2]!;
    await stopServer(stale);
    const after = await signed(key, doc, { maxConnections: 20 });
    await expectAllOk(after, 2);
    await local.start([stale.ordinal]);
    await untilAllAnswer();
    // Nobody has loaded the account: the store answers (2x after, 1x before) cannot be attributed.
    let held = await accountJwtHeld(sys, key.publicKey, ALL);
    expect(held.map((h) => [h.server, h.jwt, h.uncertain]).sort()).toEqual(
      serverNames().map((n) => [n, undefined, true]),
    );
    // A user on each side loads it from that server's own store (no fetch: the store has it).
    const users = [await userOf(key, local.servers[0]!), await userOf(key, stale)];
    held = await accountJwtHeld(sys, key.publicKey, ALL);
    expect(byName(held)).toEqual({ ...everyServer(after), [stale.name]: before });
    await Promise.all(users.map((u) => u.close()));
  });
});

/** The resolver's directory of a server: the jwt/ folder in the volume mounted at /data. */
function jwtDirOf(server: LocalServer): string {
  const sts = local.rendered.objects.find((o) => o.kind === 'StatefulSet');
  const container = sts.spec.template.spec.containers.find((c: { name: string }) => c.name === 'nats');
  const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/data');
  const root = (local as unknown as { root: string }).root;
  return join(root, `pod-${server.ordinal}`, mount.name, 'jwt');
}
