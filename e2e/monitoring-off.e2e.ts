// spec.monitoring.enabled: false (issue 10 item 4) on a live cluster, examples/monitoring-off.yaml
// with two servers: nothing listens on 8222 (a connect is refused where the client port of the same
// pod accepts), nats.conf, the Services and the NetworkPolicy name no monitoring port, and yet the
// cluster becomes Ready, its Config-mode account Ready (saying no server was asked), a client's
// round trip works, and a forced renewal of the server certificate rolls on pod readiness.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, waitUntil } from '@nats-warden/local-cluster';
import { connect as tcpConnect } from 'node:net';
import { conditionOf, natsCluster, secretData, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip } from './operator/nats-client.ts';
import { certificate, clusterPods, forceRenewal, type PodInfo } from './operator/servers.ts';

jest.setTimeout(900_000);
const CLUSTER = 'dark';
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('dark');
  await bed.startOperator();
  await apply(
    exampleIn('monitoring-off.yaml', bed.namespace, (doc) => {
      if (doc.kind === 'NatsCluster') doc.spec.replicas = 2; // routes exist; two servers are enough
    }),
  );
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
});
afterAll(async () => bed?.teardown());

/** A plain TCP connect: 'open', or the socket error's code (ECONNREFUSED when nothing listens). */
const tcpProbe = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

async function roundTripAs(user: string, pod: PodInfo): Promise<string> {
  const credentials = await secretData(bed.api, bed.namespace, `${user}-nats-credentials`);
  const tls = await secretData(bed.api, bed.namespace, `${user}-nats-client-tls`);
  const nc = await connectWith(
    pod.ip,
    credentials as never,
    { 'tls.crt': tls['tls.crt']!, 'tls.key': tls['tls.key']! },
    `${CLUSTER}.${bed.namespace}.svc`,
  );
  try {
    return await roundTrip(nc, `telemetry.dark.${Date.now()}`);
  } finally {
    await nc.close();
  }
}

describe('monitoring.enabled: false', () => {
  test('no monitoring port anywhere; the servers and their account are Ready and a client round trip works', async () => {
    const pods = await clusterPods(bed.namespace, CLUSTER);
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(await tcpProbe(pod.ip, 4222)).toBe('open'); // control: the same pod, another port
      expect(await tcpProbe(pod.ip, 8222)).toBe('ECONNREFUSED');
    }

    const conf = await getJson(['get', 'configmap', `${CLUSTER}-config`, '-n', bed.namespace]);
    expect(conf.data['nats.conf']).not.toMatch(/http_port|https_port|8222/);
    for (const service of [CLUSTER, `${CLUSTER}-headless`]) {
      const svc = await getJson(['get', 'service', service, '-n', bed.namespace]);
      expect(svc.spec.ports.map((p: { port: number }) => p.port)).not.toContain(8222);
    }
    const policy = await getJson([
      'get',
      'networkpolicy',
      '-n',
      bed.namespace,
      '-l',
      `app.kubernetes.io/instance=${CLUSTER}`,
    ]);
    const ports = policy.items.flatMap((p: any) =>
      p.spec.ingress.flatMap((rule: any) => rule.ports.map((port: any) => port.port)),
    );
    expect(ports).toEqual(expect.arrayContaining([4222, 6222]));
    expect(ports).not.toContain(8222);
    const sts = await getJson(['get', 'statefulset', CLUSTER, '-n', bed.namespace]);
    const nats = sts.spec.template.spec.containers.find((c: { name: string }) => c.name === 'nats');
    expect(nats.readinessProbe.tcpSocket).toEqual({ port: 'client' });

    const account = await waitUntil(
      'NatsAccount telemetry Ready',
      async () => {
        const a = await getJson(['get', 'natsaccount', 'telemetry', '-n', bed.namespace]);
        return conditionOf(a, 'Ready')?.status === 'True' && a;
      },
      120_000,
    );
    expect(conditionOf(account, 'Ready')).toMatchObject({ reason: 'Configured' });
    expect(conditionOf(account, 'Ready')?.message).toMatch(/monitoring is off .* no server was asked/);
    // The same for its user: in the applied configuration, and said to be unconfirmed by any server.
    const user = await waitUntil('NatsUser collector Ready', async () => {
      const u = await getJson(['get', 'natsuser', 'collector', '-n', bed.namespace]);
      return conditionOf(u, 'Ready')?.status === 'True' && u;
    });
    expect(conditionOf(user, 'Ready')).toMatchObject({ reason: 'Configured' });
    expect(conditionOf(user, 'Ready')?.message).toMatch(/monitoring is off .* no server was asked/);

    await waitUntil('the collector credentials', async () =>
      secretData(bed.api, bed.namespace, 'collector-nats-client-tls').then((s) => !!s['tls.crt']),
    );
    for (const pod of pods) expect(await roundTripAs('collector', pod)).toMatch(/^hello through TLS/);
  });

  test('a forced renewal of the server certificate rolls both servers, gated on pod readiness', async () => {
    const before = await clusterPods(bed.namespace, CLUSTER);
    const revision = (await certificate(bed.namespace, `${CLUSTER}-server`)).status?.revision ?? 0;
    await forceRenewal(bed.namespace, `${CLUSTER}-server`);
    await waitUntil(
      'every server replaced',
      async () => {
        const cert = await certificate(bed.namespace, `${CLUSTER}-server`);
        if ((cert.status?.revision ?? 0) <= revision) return false;
        const now = await clusterPods(bed.namespace, CLUSTER);
        return now.length === 2 && now.every((p) => p.ready && !before.some((b) => b.uid === p.uid));
      },
      600_000,
      1_000,
    );
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    expect(conditionOf(await natsCluster(bed.api, bed.namespace, CLUSTER), 'Degraded')?.status).toBe('False');
    for (const pod of await clusterPods(bed.namespace, CLUSTER)) {
      expect(await tcpProbe(pod.ip, 8222)).toBe('ECONNREFUSED');
      expect(await roundTripAs('collector', pod)).toMatch(/^hello through TLS/);
    }
  });
});
