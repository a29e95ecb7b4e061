// Certificate rotation never becomes an outage. RollingRestart: a forced renewal of the server
// certificate rolls the pods one at a time, highest ordinal first, never more than one unready,
// while a client publishing into an R3 stream loses no acknowledged message; afterwards /varz shows
// the new notAfter on every server. Reload: the same renewal restarts nothing and every server
// serves the new certificate.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, waitUntil } from '@nats-warden/local-cluster';
import { clientAddresses, secretData, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectAll, createStream, startPublisher, storedSequences } from './operator/publisher.ts';
import { certificate, clusterPods, forceRenewal, varz, type PodInfo } from './operator/servers.ts';

jest.setTimeout(1_200_000);
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('rot');
  await bed.startOperator();
});
// A connection left open by a failed test reconnects forever and keeps Jest from exiting.
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await bed?.teardown();
});

async function renew(cluster: string): Promise<{ revision: number; notAfter: string }> {
  const before = await certificate(bed.namespace, `${cluster}-server`);
  await forceRenewal(bed.namespace, `${cluster}-server`);
  return waitUntil(
    'cert-manager to re-issue the server certificate',
    async () => {
      const after = await certificate(bed.namespace, `${cluster}-server`);
      const ready = after.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      // cert-manager bumps the revision first and sets notAfter a moment later (readiness controller).
      const reissued =
        after.status?.revision > before.status?.revision &&
        after.status?.notAfter !== before.status?.notAfter;
      return reissued && ready
        ? { revision: after.status.revision, notAfter: after.status.notAfter }
        : undefined;
    },
    120_000,
  );
}

async function everyServerServes(cluster: string, notAfter: string): Promise<void> {
  await waitUntil(
    `every server of ${cluster} to serve the certificate valid until ${notAfter}`,
    async () => {
      // Throwing (not returning false) leaves what each server serves in the timeout message.
      const served: { pod: string; notAfter?: string }[] = [];
      for (const pod of await clusterPods(bed.namespace, cluster)) {
        served.push({
          pod: pod.name,
          notAfter: (await varz(bed.api, bed.namespace, cluster, pod)).tls_cert_not_after,
        });
      }
      if (served.some((s) => Date.parse(s.notAfter ?? '') !== Date.parse(notAfter))) {
        const cert = await certificate(bed.namespace, `${cluster}-server`);
        const list = served.map((s) => `${s.pod}=${s.notAfter}`).join(' ');
        throw new Error(
          `served ${list}; Certificate revision ${cert.status?.revision} notAfter ${cert.status?.notAfter}`,
        );
      }
      return true;
    },
    180_000,
    1_000,
  );
}

describe('RollingRestart: a forced renewal of the server certificate', () => {
  const cluster = 'secure';

  test('rolls one pod at a time, highest ordinal first, losing no acknowledged message', async () => {
    await apply(exampleIn('secure-cluster.yaml', bed.namespace));
    await waitForCondition(bed.api, bed.namespace, cluster, 'Ready', 'True', 600_000);
    const original = await clusterPods(bed.namespace, cluster);

    const creds = {
      ...(await secretData(bed.api, bed.namespace, 'app-nats-credentials')),
      ...(await secretData(bed.api, bed.namespace, 'app-nats-client-tls')),
    };
    // Connected for the whole roll: through the Service, which outlives every pod it replaces.
    const nc = await connectAll(
      await clientAddresses(bed.api, bed.namespace, cluster),
      creds,
      `${cluster}.${bed.namespace}.svc`,
    );
    open.push(nc);
    await createStream(nc, 'ROLL', 'roll.>');
    const publisher = startPublisher(nc, 'roll.events');

    // Watch the pods while the roll runs: the order pods are replaced in, and how many are unready at once.
    const replaced: string[] = [];
    let maxUnready = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const pods = await clusterPods(bed.namespace, cluster).catch(() => [] as PodInfo[]);
        maxUnready = Math.max(maxUnready, 3 - pods.filter((p) => p.ready).length);
        for (const pod of pods) {
          const was = original.find((o) => o.name === pod.name);
          if (was && was.uid !== pod.uid && !replaced.includes(pod.name)) replaced.push(pod.name);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    await new Promise((r) => setTimeout(r, 2_000)); // some messages before the roll
    const rollStarted = Date.now();
    const renewed = await renew(cluster);
    await waitUntil('every pod to be replaced', async () => replaced.length === 3, 900_000, 1_000);
    await waitForCondition(bed.api, bed.namespace, cluster, 'Ready', 'True', 300_000);
    const rollSeconds = Math.round((Date.now() - rollStarted) / 1000);
    watching = false;
    await watcher;
    const result = await publisher.stop();
    const stored = await storedSequences(nc, 'ROLL');
    await nc.close();

    process.stderr.write(
      `\nfigure: roll replaced ${replaced.join(' -> ')} in ${rollSeconds} s (renewal to Ready), at most ${maxUnready} unready, ${result.acked.size} acknowledged messages, ${result.failures} publish retries\n`,
    );
    expect(replaced).toEqual([`${cluster}-2`, `${cluster}-1`, `${cluster}-0`]);
    expect(maxUnready).toBeLessThanOrEqual(1);
    expect(result.acked.size).toBeGreaterThan(50);
    expect([...result.acked].filter((seq) => !stored.has(seq))).toEqual([]);
    await everyServerServes(cluster, renewed.notAfter);
  });
});

describe('Reload: a forced renewal of the server certificate', () => {
  const cluster = 'reload';

  test('restarts no pod, and every server serves the new certificate', async () => {
    await apply(
      exampleIn('secure-cluster.yaml', bed.namespace, (doc) => {
        if (doc.kind === 'NatsCluster') {
          doc.metadata.name = cluster;
          doc.spec.jetstream = { enabled: false };
          doc.spec.tls.rotation = { strategy: 'Reload' };
        }
        if (doc.kind === 'NatsAccount') {
          doc.metadata.name = 'reload-app';
          doc.spec.clusterRef.name = cluster;
          delete doc.spec.jetstream;
        }
        if (doc.kind === 'NatsUser') {
          doc.metadata.name = 'reload-app';
          doc.spec.accountRef.name = 'reload-app';
        }
      }),
    );
    await waitForCondition(bed.api, bed.namespace, cluster, 'Ready', 'True', 600_000);
    const before = await clusterPods(bed.namespace, cluster);
    const renewed = await renew(cluster);
    await everyServerServes(cluster, renewed.notAfter);
    await waitForCondition(bed.api, bed.namespace, cluster, 'Ready', 'True', 120_000);
    const after = await clusterPods(bed.namespace, cluster);
    expect(after.map((p) => [p.name, p.uid, p.restarts])).toEqual(
      before.map((p) => [p.name, p.uid, p.restarts]),
    );
  });
});
