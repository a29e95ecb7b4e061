// One writer per user status (ADR 15, src/controllers/user-status.ts): a JWT-mode Creds user of a
// cluster that issues no client certificates gets its whole status from the NatsUser controller, in
// one patch written after its Secret: no SecretPending before it, no second writer after it. Each
// status the API server ever held for the user is recorded by a watch opened before the user is
// created, so a second write (or an intermediate state) fails the spec. A user left out of the
// cluster is still the cluster controller's (Degraded naming why), and a Secret name taken by a
// tenant's own Secret is reported by the NatsUser controller (SecretConflict) and left untouched.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { Watch } from '@kubernetes/client-node';
import { apply, k, waitUntil } from '@nats-warden/local-cluster';
import { conditionOf, secretData, waitForCondition } from './operator/cluster-api.ts';
import { testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip, type Credentials } from './operator/nats-client.ts';
import { clusterPods } from './operator/servers.ts';
import { parseCreds } from '../src/controllers/natsuser/plan.ts';

jest.setTimeout(600_000);
const CLUSTER = 'single';
let bed: TestBed;

interface UserStatus {
  publicKey?: string;
  secretName?: string;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}
interface Seen {
  generation: number;
  status?: UserStatus;
}

const group = 'natswarden.io/v1alpha1';
const user = (name: string, spec: object) => ({
  apiVersion: group,
  kind: 'NatsUser',
  metadata: { name, namespace: bed.namespace },
  spec: { accountRef: { name: 'orders' }, authType: 'Creds', ...spec },
});

/** Every version of the user the API server sends from now on (a watch opened before it exists). */
async function recordUser(name: string): Promise<{ seen: Seen[]; stop: () => void }> {
  const seen: Seen[] = [];
  const request = await new Watch(bed.api.kc).watch(
    `/apis/${group}/namespaces/${bed.namespace}/natsusers`,
    { fieldSelector: `metadata.name=${name}` },
    (_type, o: { metadata: { generation: number }; status?: UserStatus }) =>
      seen.push({ generation: o.metadata.generation, status: o.status }),
    () => undefined,
  );
  return { seen, stop: () => request.abort() };
}

const statusesOf = (seen: Seen[]) =>
  [...new Set(seen.map((s) => JSON.stringify(s.status ?? null)))].map(
    (s) => JSON.parse(s) as UserStatus | null,
  );

const readyOf = (status: UserStatus | null | undefined) => conditionOf({ status: status ?? {} }, 'Ready');

beforeAll(async () => {
  bed = await testBed('user-status');
  await bed.startOperator();
  await apply([
    {
      apiVersion: group,
      kind: 'NatsCluster',
      metadata: { name: CLUSTER, namespace: bed.namespace },
      spec: { replicas: 1, tls: { client: { verify: false } }, auth: { mode: 'JWT' } },
    },
    {
      apiVersion: group,
      kind: 'NatsAccount',
      metadata: { name: 'orders', namespace: bed.namespace },
      spec: { clusterRef: { name: CLUSTER } },
    },
  ]);
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
  await waitUntil('account orders distributed', async () => {
    const account = JSON.parse(await k(['get', 'natsaccount', 'orders', '-n', bed.namespace, '-o', 'json']));
    return conditionOf(account, 'Ready')?.status === 'True' || undefined;
  });
});
afterAll(async () => bed?.teardown());

describe('a JWT-mode Creds user without a client certificate', () => {
  let publicKey: string | undefined;

  test('goes from no status to Ready in one status write, its key and conditions together', async () => {
    const record = await recordUser('app');
    try {
      await apply([user('app', { permissions: { publish: { allow: ['orders.>'] } } })]);
      await waitUntil(
        'app Ready',
        async () => readyOf(record.seen.at(-1)?.status)?.status === 'True' || undefined,
        120_000,
        200,
      );
      // A moment for a late second writer to show itself (the cluster controller reconciles on the
      // Secret's event, after the NatsUser controller's write).
      await new Promise((r) => setTimeout(r, 3_000));
      const statuses = statusesOf(record.seen).filter((s) => s !== null);
      expect(statuses).toHaveLength(1);
      const [status] = statuses as [UserStatus];
      publicKey = status.publicKey;
      expect(status).toMatchObject({
        publicKey: expect.stringMatching(/^U[A-Z2-7]{55}$/),
        secretName: 'app-nats-credentials',
        observedGeneration: 1,
      });
      expect(readyOf(status)).toMatchObject({ status: 'True', reason: 'CredentialsReady' });
      expect(conditionOf({ status }, 'Degraded')).toMatchObject({ status: 'False' });
    } finally {
      record.stop();
    }
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'app-nats-credentials',
    )) as unknown as Credentials;
    // The key the status names is the one the creds carry (compared as public keys: a failure prints no seed).
    expect(parseCreds(credentials['user.creds'])?.publicKey).toBe(publicKey);
    const [pod] = await clusterPods(bed.namespace, CLUSTER);
    const nc = await connectWith(pod!.ip, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`);
    try {
      await roundTrip(nc, 'orders.placed');
    } finally {
      await nc.close();
    }
  });

  test('a spec change: Ready for the new generation, with the same key, in one write', async () => {
    const record = await recordUser('app');
    try {
      await k([
        'patch',
        'natsuser',
        'app',
        '-n',
        bed.namespace,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { permissions: { publish: { allow: ['orders.>', 'audit.>'] } } } }),
      ]);
      await waitUntil(
        'app Ready for generation 2',
        async () => {
          const last = record.seen.at(-1)?.status;
          return (last?.observedGeneration === 2 && readyOf(last)?.status === 'True') || undefined;
        },
        120_000,
        200,
      );
      await new Promise((r) => setTimeout(r, 3_000));
      // The watch's first event is the user as it was; after it, one new status only.
      const after = statusesOf(record.seen.filter((s) => s.generation === 2));
      expect(after.filter((s) => s?.observedGeneration === 2)).toHaveLength(1);
      expect(after.at(-1)).toMatchObject({ publicKey, observedGeneration: 2 });
    } finally {
      record.stop();
    }
  });

  test("whose Secret name is a tenant's own Secret: SecretConflict on its status, the Secret untouched", async () => {
    await k(['create', 'secret', 'generic', 'mine', '-n', bed.namespace, '--from-literal=keep=me']);
    await apply([user('squatter', { secretName: 'mine' })]);
    const ready = await waitUntil('squatter says why it is not Ready', async () => {
      const o = JSON.parse(await k(['get', 'natsuser', 'squatter', '-n', bed.namespace, '-o', 'json']));
      const condition = conditionOf(o, 'Ready');
      return (
        (condition?.reason === 'SecretConflict' && { condition, status: o.status as UserStatus }) || undefined
      );
    });
    expect(ready.condition).toMatchObject({ status: 'False' });
    expect(ready.condition.message).toContain('Secret mine exists and is not this NatsUser');
    expect(ready.status.publicKey).toBeUndefined(); // nothing was signed for it
    expect(await secretData(bed.api, bed.namespace, 'mine')).toEqual({ keep: 'me' });
  });

  test('left out of the cluster: Degraded by the cluster controller, naming why', async () => {
    await apply([
      {
        apiVersion: group,
        kind: 'NatsAccount',
        metadata: { name: 'impostor', namespace: bed.namespace },
        spec: { clusterRef: { name: CLUSTER }, accountName: 'SYS' },
      },
      user('stray', { accountRef: { name: 'impostor' } }),
    ]);
    const stray = await waitUntil('stray Degraded', async () => {
      const o = JSON.parse(await k(['get', 'natsuser', 'stray', '-n', bed.namespace, '-o', 'json']));
      return (conditionOf(o, 'Degraded')?.status === 'True' && o) || undefined;
    });
    expect(conditionOf(stray, 'Degraded')).toMatchObject({
      reason: 'AccountLeftOut',
      message: expect.stringContaining('NatsAccount impostor is left out'),
    });
    expect(conditionOf(stray, 'Ready')).toMatchObject({ status: 'False', reason: 'AccountLeftOut' });
    expect(stray.status.publicKey).toBeUndefined();
  });
});
