// Hostile tenants (issue 10): nothing one NatsAccount or NatsUser declares can merge with, take the
// name of, or impersonate another, or stop the cluster serving everyone else. Each hostile resource
// is left out and Degraded on its own status, naming the field and the older resource it clashes
// with; the cluster stays Ready, the other tenants' configuration does not change, and their
// credentials keep working.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import {
  conditionOf,
  natsCluster,
  secretData,
  serviceAddresses,
  waitForCondition,
  waitForDegraded,
} from './operator/cluster-api.ts';
import { memberDegraded as degradedOf } from './operator/cluster-api.ts';
import { exampleIn, minimalCluster, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip, type Credentials } from './operator/nats-client.ts';
import { clusterPods, monitor, reloaderPid } from './operator/servers.ts';

jest.setTimeout(600_000);
const CLUSTER = 'tenants'; // examples/config-accounts.yaml
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('tenants');
  await bed.startOperator();
});
afterAll(async () => bed?.teardown());

const memberDegraded = (kind: 'natsaccount' | 'natsuser', name: string) =>
  degradedOf(bed.namespace, kind, name);

const hostile = () => [
  // Takes the NATS name of an existing tenant's account.
  {
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsAccount',
    metadata: { name: 'orders-clone', namespace: bed.namespace },
    spec: { clusterRef: { name: CLUSTER }, accountName: 'orders' },
  },
  // Claims the system account's name, which only the account the cluster designates may use.
  {
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsAccount',
    metadata: { name: 'global', namespace: bed.namespace },
    spec: { clusterRef: { name: CLUSTER }, accountName: 'SYS' },
  },
  // A user of another account that takes billing-app's username.
  {
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsUser',
    metadata: { name: 'thief', namespace: bed.namespace },
    spec: { accountRef: { name: 'orders' }, authType: 'Password', username: 'billing' },
  },
];

describe('hostile tenants', () => {
  test('are left out and named, one by one, while the cluster keeps serving everyone else unchanged', async () => {
    await apply(exampleIn('config-accounts.yaml', bed.namespace));
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    const authBefore = await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`);

    // $SYS and $G never get past admission.
    const dollar = { ...hostile()[1]!, metadata: { name: 'dollar', namespace: bed.namespace } };
    await expect(apply([{ ...dollar, spec: { ...dollar.spec, accountName: '$G' } }])).rejects.toThrow(
      /spec.accountName: Invalid value: "\$G"/,
    );
    await apply(hostile());
    await waitUntil('every hostile resource Degraded', async () => {
      const seen = await Promise.all([
        memberDegraded('natsaccount', 'orders-clone'),
        memberDegraded('natsaccount', 'global'),
        memberDegraded('natsuser', 'thief'),
      ]);
      return seen.every((c) => c?.status === 'True') && seen;
    });
    expect(await memberDegraded('natsaccount', 'orders-clone')).toMatchObject({
      reason: 'NameConflict',
      message: expect.stringContaining(
        'spec.accountName: NATS account name "orders" already belongs to NatsAccount orders',
      ),
    });
    expect(await memberDegraded('natsaccount', 'global')).toMatchObject({
      reason: 'ReservedName',
      message: expect.stringContaining('spec.accountName: "SYS" is reserved'),
    });
    expect(await memberDegraded('natsuser', 'thief')).toMatchObject({
      reason: 'NameConflict',
      message: expect.stringContaining(
        'spec.username: login "billing" already belongs to NatsUser billing-app',
      ),
    });
    for (const [kind, name] of [
      ['natsaccount', 'orders'],
      ['natsaccount', 'billing'],
      ['natsuser', 'billing-app'],
    ] as const)
      expect((await memberDegraded(kind, name))?.status).toBe('False');

    // Nothing of theirs was rendered: no credentials for the thief, the others' config unchanged.
    expect(
      await k(['get', 'secret', 'thief-nats-credentials', '-n', bed.namespace, '--ignore-not-found']),
    ).toBe('');
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`)).toEqual(authBefore);
    const cluster = await natsCluster(bed.api, bed.namespace, CLUSTER);
    expect(conditionOf(cluster, 'Ready')?.status).toBe('True');
    expect(conditionOf(cluster, 'Degraded')?.status).toBe('False');

    // billing-app still logs in with its own credentials and round-trips.
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'billing-app-nats-credentials',
    )) as unknown as Credentials;
    const [address] = await serviceAddresses(bed.api, bed.namespace, CLUSTER);
    const nc = await connectWith(address!, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`);
    await roundTrip(nc, 'billing.e2e');
    await nc.close();
  });

  test('a cluster no client could authenticate to is refused naming spec.auth, and serves once a user exists', async () => {
    const [cluster, account, user] = minimalCluster(bed.namespace, 'open', 1);
    await apply([cluster, account]);
    const degraded = await waitForDegraded(bed.api, bed.namespace, 'open', 'InvalidSpec', 120_000);
    expect(degraded.message).toContain(
      'spec.auth: no NatsUser can log in and spec.tls.client.verify is false',
    );
    expect(await k(['get', 'statefulset', 'open', '-n', bed.namespace, '--ignore-not-found'])).toBe('');
    await apply([user]);
    await waitForCondition(bed.api, bed.namespace, 'open', 'Ready', 'True', 180_000);
  });

  test('the older resource keeps its name when the newer is deleted, and the newer joins once the clash is gone', async () => {
    await k(['delete', 'natsuser', 'billing-app', '-n', bed.namespace]);
    await waitUntil(
      'thief joins',
      async () => (await memberDegraded('natsuser', 'thief'))?.status === 'False',
      120_000,
    );
    expect(await k(['get', 'natsuser', 'thief', '-n', bed.namespace, '-o', 'name'])).toContain('thief');
  });

  test('Config mode: an account is Ready once every server has loaded it, as each server reports, by a reload and not a restart', async () => {
    const podsBefore = await clusterPods(bed.namespace, CLUSTER);
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsAccount',
        metadata: { name: 'inventory', namespace: bed.namespace },
        spec: { clusterRef: { name: CLUSTER } },
      },
    ]);
    const status = await waitUntil(
      'inventory Ready',
      async () => {
        const account = await getJson(['get', 'natsaccount', 'inventory', '-n', bed.namespace]);
        const ready = (account.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
        return ready?.status === 'True' && account.status;
      },
      180_000,
      1_000,
    );
    expect(status.distribution).toEqual({ servers: 3, current: 3 });
    for (const pod of podsBefore) {
      const accountz = await monitor<{ accounts: string[] }>(
        bed.api,
        bed.namespace,
        CLUSTER,
        pod,
        '/accountz',
      );
      expect(accountz.accounts).toContain('inventory');
    }
    const podsAfter = await clusterPods(bed.namespace, CLUSTER);
    expect(podsAfter.map((p) => [p.name, p.uid, p.restarts])).toEqual(
      podsBefore.map((p) => [p.name, p.uid, p.restarts]),
    );
  });

  test('Config mode: a new user is Ready once every server has loaded it; deleting it closes its live connection by a reload and its password is refused after', async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'leaver', namespace: bed.namespace },
        spec: { accountRef: { name: 'orders' }, authType: 'Password' },
      },
    ]);
    // Ready means every server has loaded the user, as each server reports (the include's load
    // marker in /accountz, user-loading.ts): each server reloads when its own copy of the config
    // Secret is updated by its kubelet, so one may accept the user seconds before another does.
    // So once Ready, one attempt on each server must succeed, no retry.
    const applied = Date.now();
    const ready = await waitUntil(
      'leaver Ready',
      async () => {
        const user = await getJson(['get', 'natsuser', 'leaver', '-n', bed.namespace]);
        const condition = conditionOf(user, 'Ready');
        return condition?.status === 'True' && condition;
      },
      180_000,
      250,
    );
    const readyAfter = Date.now() - applied;
    expect(ready).toMatchObject({ reason: 'Loaded' });
    const pods = await clusterPods(bed.namespace, CLUSTER);
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'leaver-nats-credentials',
    )) as unknown as Credentials;
    process.stderr.write(
      `\nfigure: Config mode, a new Password user Ready (loaded by all ${pods.length} servers) ${readyAfter} ms after kubectl apply\n`,
    );
    // A dropped handshake is still retried (connectWith); an authorization violation is not.
    const live = await Promise.all(
      pods.map((pod) => connectWith(pod.ip, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`)),
    );
    const deleted = Date.now();
    await k(['delete', 'natsuser', 'leaver', '-n', bed.namespace]);
    const reasons = await Promise.all(
      live.map((nc) =>
        Promise.race([
          nc.closed().then((error) => String(error ?? 'closed')),
          // Within seconds, not at the kubelets' next periodic sync (a minute on real nodes): the
          // operator annotates each server pod once its auth Secret changed (volume-refresh.ts).
          new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 15_000)),
        ]),
      ),
    );
    expect(reasons).not.toContain('still open');
    process.stderr.write(
      `\nfigure: Config mode, a deleted user's connections on ${live.length} servers closed ${Date.now() - deleted} ms after kubectl delete (${reasons[0]})\n`,
    );
    for (const pod of pods)
      await expect(
        connectWith(pod.ip, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`),
      ).rejects.toThrow(/authorization/i);
    expect((await clusterPods(bed.namespace, CLUSTER)).map((p) => [p.uid, p.restarts])).toEqual(
      pods.map((p) => [p.uid, p.restarts]),
    );
  });

  test('Config mode: while one server has not loaded a new user, the user is not Ready, naming how many have', async () => {
    const pods = await clusterPods(bed.namespace, CLUSTER);
    const [held, ...others] = [pods[pods.length - 1]!, ...pods.slice(0, -1)];
    const servername = `${CLUSTER}.${bed.namespace}.svc`;
    const readyOf = async () =>
      conditionOf(await getJson(['get', 'natsuser', 'latecomer', '-n', bed.namespace]), 'Ready');
    // Held: its reloader is stopped, so it keeps its old configuration (nats-server reloads only when
    // the reloader signals it). The kubelet still rewrites its files.
    const reloader = reloaderPid(held.uid);
    process.kill(reloader, 'SIGSTOP');
    try {
      await apply([
        {
          apiVersion: 'natswarden.io/v1alpha1',
          kind: 'NatsUser',
          metadata: { name: 'latecomer', namespace: bed.namespace },
          spec: { accountRef: { name: 'orders' }, authType: 'Password' },
        },
      ]);
      // And a changed account: its name is loaded everywhere already, its new limit is not.
      await k([
        'patch',
        'natsaccount',
        'billing',
        '-n',
        bed.namespace,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { limits: { maxSubscriptions: 100_000 } } }),
      ]);
      const credentials = (await waitUntil(
        'latecomer accepted by the servers that are not held',
        async () => {
          const secret = await secretData(bed.api, bed.namespace, 'latecomer-nats-credentials').catch(
            () => undefined,
          );
          if (!secret) return false;
          const sessions = await Promise.all(
            others.map((pod) =>
              connectWith(pod.ip, secret as unknown as Credentials, undefined, servername).catch(
                () => undefined,
              ),
            ),
          );
          await Promise.all(sessions.map((nc) => nc?.close()));
          return sessions.every(Boolean) && (secret as unknown as Credentials);
        },
        120_000,
        1_000,
      )) as Credentials;
      // The held server refuses the user, whose Secret is complete: Ready must not say otherwise.
      await expect(connectWith(held.ip, credentials, undefined, servername)).rejects.toThrow(
        /authorization/i,
      );
      const seen = await waitUntil(
        'the operator has seen the other servers load latecomer',
        async () => {
          const ready = await readyOf();
          return (ready?.status === 'True' || /^2 of 3 /.test(ready?.message ?? '')) && ready;
        },
        60_000,
        500,
      );
      expect(seen).toMatchObject({ status: 'False', reason: 'Loading' });
      expect(seen.message).toMatch(/^2 of 3 servers have loaded the user \(3 answered \/accountz\)/);
      const account = await waitUntil(
        "the operator has seen the other servers load billing's new limit",
        async () => {
          const ready = conditionOf(
            await getJson(['get', 'natsaccount', 'billing', '-n', bed.namespace]),
            'Ready',
          );
          return (ready?.status === 'True' || /^2 of 3 /.test(ready?.message ?? '')) && ready;
        },
        60_000,
        500,
      );
      expect(account).toMatchObject({ status: 'False', reason: 'Loading' });
      expect(account.message).toMatch(/^2 of 3 servers have loaded the account/);
    } finally {
      process.kill(reloader, 'SIGCONT');
    }
    // Released, the held server reloads; the user turns Ready and every server accepts it at once.
    await waitUntil('latecomer Ready', async () => (await readyOf())?.status === 'True', 60_000, 500);
    expect(await readyOf()).toMatchObject({ reason: 'Loaded' });
    await waitUntil(
      'billing Ready with its new limit',
      async () =>
        conditionOf(await getJson(['get', 'natsaccount', 'billing', '-n', bed.namespace]), 'Ready')
          ?.status === 'True',
      60_000,
      500,
    );
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'latecomer-nats-credentials',
    )) as unknown as Credentials;
    for (const pod of pods) await (await connectWith(pod.ip, credentials, undefined, servername)).close();
  });

  test("a user whose Secret name is taken by a tenant's own Secret, or by the cluster's, never overwrites it", async () => {
    await k(['create', 'secret', 'generic', 'mine', '-n', bed.namespace, '--from-literal=keep=me']);
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'squatter', namespace: bed.namespace },
        spec: { accountRef: { name: 'orders' }, authType: 'NKey', secretName: 'mine' },
      },
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'overwriter', namespace: bed.namespace },
        spec: { accountRef: { name: 'orders' }, authType: 'NKey', secretName: `${CLUSTER}-identities` },
      },
    ]);
    const ready = await waitUntil(
      'squatter says why it is not Ready',
      async () => {
        const condition = conditionOf(
          await getJson(['get', 'natsuser', 'squatter', '-n', bed.namespace]),
          'Ready',
        );
        return condition?.status === 'False' && condition.reason === 'SecretPending' && condition;
      },
      120_000,
      1_000,
    );
    expect(ready.message).toContain('Secret mine is not written yet');
    const degraded = await waitUntil(
      'overwriter left out',
      async () =>
        (await memberDegraded('natsuser', 'overwriter'))?.status === 'True' &&
        memberDegraded('natsuser', 'overwriter'),
      60_000,
      1_000,
    );
    expect(degraded).toMatchObject({
      reason: 'ReservedName',
      message: expect.stringContaining(
        `spec.secretName: Secret ${CLUSTER}-identities belongs to NatsCluster ${CLUSTER}`,
      ),
    });
    // Another reconcile or two (a change elsewhere), then both Secrets are as they were.
    await k(['annotate', 'natscluster', CLUSTER, '-n', bed.namespace, 'poke=1', '--overwrite']);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await secretData(bed.api, bed.namespace, 'mine')).toEqual({ keep: 'me' });
    const identities = await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`);
    expect(identities['route-password']).toBeTruthy();
    expect(Object.keys(identities)).not.toContain('nkey.seed');
  });

  test("Config mode: a NatsUser's status names its Secret and, for an NKey user, its public key", async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'keyed', namespace: bed.namespace },
        spec: { accountRef: { name: 'orders' }, authType: 'NKey' },
      },
    ]);
    const secret = (await waitUntil(
      'keyed has its Secret',
      () => secretData(bed.api, bed.namespace, 'keyed-nats-credentials').catch(() => false),
      120_000,
      1_000,
    )) as Record<string, string>;
    const status = await waitUntil(
      'keyed status names its key and Secret',
      async () => {
        const s = (await getJson(['get', 'natsuser', 'keyed', '-n', bed.namespace])).status;
        return s?.publicKey && s.secretName && conditionOf({ status: s }, 'Ready')?.status === 'True' && s;
      },
      60_000,
      1_000,
    );
    expect(status).toMatchObject({ publicKey: secret['nkey.pub'], secretName: 'keyed-nats-credentials' });
    expect(JSON.stringify(status)).not.toContain(secret['nkey.seed']);
  });
});
