// The operator fails safe. A change the servers reject stops the roll at the first pod, reports
// Degraded naming it, and leaves the other servers serving; an operator killed mid-roll finishes
// the roll when it comes back; a standby replica takes over within about 15 s of the leader dying.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { conditionOf, natsCluster, secretData, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip, type Credentials } from './operator/nats-client.ts';
import { stopOperator } from './operator/operator-process.ts';
import { clusterPods } from './operator/servers.ts';

jest.setTimeout(1_200_000);
const CLUSTER = 'fragile';
let bed: TestBed;

const patchCluster = (patch: object) =>
  k([
    'patch',
    'natscluster',
    CLUSTER,
    '-n',
    bed.namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: patch }),
  ]);
const partition = async () =>
  (await getJson(['get', 'statefulset', CLUSTER, '-n', bed.namespace])).spec.updateStrategy.rollingUpdate
    ?.partition ?? 0;

beforeAll(async () => {
  bed = await testBed('fail');
  await bed.startOperator('operator-a');
  await apply(
    exampleIn('secure-cluster.yaml', bed.namespace, (doc) => {
      if (doc.kind === 'NatsCluster') {
        doc.metadata.name = CLUSTER;
        doc.spec.jetstream = { enabled: false };
      }
      if (doc.kind === 'NatsAccount') {
        doc.spec.clusterRef.name = CLUSTER;
        delete doc.spec.jetstream;
      }
    }),
  );
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
});
afterAll(async () => bed?.teardown());

describe('a change the servers reject', () => {
  test('stops at the first pod, is reported as Degraded naming it, and the others keep serving', async () => {
    const before = await clusterPods(bed.namespace, CLUSTER);
    await patchCluster({ image: 'registry.invalid/not-a-nats-server:1.0' });
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Degraded', 'True', 300_000);
    const degraded = conditionOf(await natsCluster(bed.api, bed.namespace, CLUSTER), 'Degraded');
    expect(degraded).toMatchObject({ reason: 'RollBlocked' });
    expect(degraded?.message).toContain(`${CLUSTER}-2`);
    expect(await partition()).toBe(2);

    const now = await clusterPods(bed.namespace, CLUSTER);
    for (const name of [`${CLUSTER}-0`, `${CLUSTER}-1`]) {
      const pod = now.find((p) => p.name === name);
      expect(pod).toMatchObject({ ready: true, uid: before.find((p) => p.name === name)?.uid });
      const credentials = (await secretData(
        bed.api,
        bed.namespace,
        'app-nats-credentials',
      )) as unknown as Credentials;
      const nc = await connectWith(
        pod?.ip ?? '',
        credentials,
        (await secretData(bed.api, bed.namespace, 'app-nats-client-tls')) as never,
        `${CLUSTER}.${bed.namespace}.svc`,
      );
      expect(await roundTrip(nc)).toMatch(/hello/);
      await nc.close();
    }
  });

  test('reverting the change lets the roll finish', async () => {
    await k([
      'patch',
      'natscluster',
      CLUSTER,
      '-n',
      bed.namespace,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: '/spec/image' }]),
    ]);
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
    expect(conditionOf(await natsCluster(bed.api, bed.namespace, CLUSTER), 'Degraded')?.status).toBe('False');
  });
});

describe('an operator killed in the middle of a roll', () => {
  test('finishes the roll when it starts again', async () => {
    const before = await clusterPods(bed.namespace, CLUSTER);
    await patchCluster({
      podTemplate: { annotations: { 'example.com/restarted-at': new Date().toISOString() } },
    });
    await waitUntil('the roll to pass its first pod', async () => (await partition()) <= 1, 300_000, 500);
    const [leader] = bed.operators;
    await stopOperator(leader!, true);
    bed.operators.shift();
    await new Promise((r) => setTimeout(r, 3_000));
    await bed.startOperator('operator-b');
    await waitUntil(
      'every pod to be replaced',
      async () => {
        const pods = await clusterPods(bed.namespace, CLUSTER);
        return (
          pods.length === 3 &&
          pods.every((p) => before.find((b) => b.name === p.name)?.uid !== p.uid) &&
          pods.every((p) => p.ready)
        );
      },
      900_000,
      1_000,
    );
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    expect(await partition()).toBe(0);
  });
});

describe('a second operator replica', () => {
  test('takes over within about 15 s of the leader dying, and reconciles', async () => {
    const leaseHolder = async () =>
      (await getJson(['get', 'lease', 'nats-warden-leader', '-n', bed.namespace])).spec?.holderIdentity;
    await bed.startOperator('operator-c');
    await waitUntil(
      'operator-b to hold the lease',
      async () => (await leaseHolder()) === 'operator-b',
      60_000,
    );
    const leader = bed.operators.find((o) => o.name === 'operator-b');
    await stopOperator(leader!, true);
    const killed = Date.now();
    await waitUntil(
      'operator-c to take the lease',
      async () => (await leaseHolder()) === 'operator-c',
      60_000,
      250,
    );
    const seconds = (Date.now() - killed) / 1000;
    process.stderr.write(`\nfigure: standby took over ${seconds.toFixed(1)} s after the leader was killed\n`);
    expect(seconds).toBeLessThan(20);
    await patchCluster({ limits: { maxConnections: 4321 } });
    await waitUntil(
      'the new leader to apply the change',
      async () => {
        const cm = await getJson(['get', 'configmap', `${CLUSTER}-config`, '-n', bed.namespace]);
        return cm.data['nats.conf'].includes('max_connections: 4321');
      },
      60_000,
    );
  });
});
