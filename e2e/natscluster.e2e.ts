// Issue 4's first proofs on the local control plane, with real cert-manager, real nats-servers and
// real clients: a 3-replica NatsCluster with mTLS and route auth becomes Ready; clients with a
// certificate from the cluster's CA round-trip through the client Service (nats.js and the nats
// CLI), a client without one is refused; every server routes to both peers over verified TLS;
// deleting the NatsCluster removes what it owned.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, imageArchive, k, onLocalCluster, waitUntil } from '@nats-warden/local-cluster';
import { secretData, serviceAddresses, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { subscribeThenPublish } from './operator/nats-cli-script.ts';
import { connectWith, roundTrip, type Credentials } from './operator/nats-client.ts';
import { clusterPods, routez, varz } from './operator/servers.ts';

jest.setTimeout(900_000);
// On the local cluster nothing can be pulled: the nats-box built here (a shell and the pinned nats CLI).
const natsBox = () => (onLocalCluster() ? imageArchive('nats-box').reference : 'natsio/nats-box:0.18');
const CLUSTER = 'secure';
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('nc');
  await bed.startOperator();
});
afterAll(async () => bed?.teardown());

describe('a 3-replica NatsCluster with mTLS and route auth', () => {
  test('becomes Ready', async () => {
    const started = Date.now();
    await apply(exampleIn('secure-cluster.yaml', bed.namespace));
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stderr.write(
      `\nfigure: NatsCluster ${CLUSTER} (3 replicas, mTLS, JetStream) Ready ${seconds} s after apply\n`,
    );
    expect((await clusterPods(bed.namespace, CLUSTER)).filter((p) => p.ready)).toHaveLength(3);
  });

  test('a client with a certificate from the cluster CA pub/subs through the client Service (nats.js)', async () => {
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'app-nats-credentials',
    )) as unknown as Credentials;
    const certificate = await secretData(bed.api, bed.namespace, 'app-nats-client-tls');
    // EndpointSlices trail pod readiness by a moment: wait until the Service routes to all three.
    const addresses = await waitUntil(
      'the client Service to list three ready addresses',
      async () => {
        const found = await serviceAddresses(bed.api, bed.namespace, CLUSTER);
        return found.length === 3 ? found : undefined;
      },
      60_000,
    );
    for (const address of addresses) {
      const nc = await connectWith(
        address,
        credentials,
        certificate as never,
        `${CLUSTER}.${bed.namespace}.svc`,
      );
      expect(await roundTrip(nc)).toMatch(/hello through TLS/);
      await nc.close();
    }
  });

  test('the nats CLI in a pod pub/subs by the Service DNS name with the mounted credentials Secret', async () => {
    const server = `tls://${CLUSTER}.${bed.namespace}.svc.cluster.local:4222`;
    const nats = `nats --server ${server} --tlsca /creds/ca.crt --tlscert /tls/tls.crt --tlskey /tls/tls.key --nkey /creds/nkey.seed`;
    const script = subscribeThenPublish(nats, 'cli.proof', 'hello-from-cli', '/scratch/out');
    await apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nats-cli', namespace: bed.namespace },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'cli',
              image: natsBox(),
              command: ['sh', '-c', script],
              volumeMounts: [
                { name: 'creds', mountPath: '/creds' },
                { name: 'tls', mountPath: '/tls' },
                // Not /work: a checkout under /work holds the kubelet's bin directory, which it would hide.
                { name: 'work', mountPath: '/scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'creds', secret: { secretName: 'app-nats-credentials' } },
            { name: 'tls', secret: { secretName: 'app-nats-client-tls' } },
            { name: 'work', emptyDir: {} },
          ],
        },
      },
    ]);
    let seen = '';
    const phase = await waitUntil(
      'the nats CLI pod to finish',
      async () => {
        const pod = await getJson(['get', 'pod', 'nats-cli', '-n', bed.namespace]);
        seen = JSON.stringify({ phase: pod.status?.phase, containers: pod.status?.containerStatuses });
        return ['Succeeded', 'Failed'].includes(pod.status?.phase) && pod.status.phase;
      },
      120_000,
    ).catch(async (error: Error) => {
      // Say where it stood: the pod's last status and what the CLI printed so far.
      const logs = await k(['logs', 'nats-cli', '-n', bed.namespace]).catch(String);
      throw new Error(`${error.message}\nlast status: ${seen}\nlogs: ${logs}`);
    });
    // The CLI's own words when it failed.
    const logs =
      phase === 'Succeeded' ? '' : await k(['logs', 'nats-cli', '-n', bed.namespace]).catch(String);
    expect({ phase, logs }).toMatchObject({ phase: 'Succeeded' });
  });

  // nats-server's image has no shell: the reloader, sharing the pod's process namespace, reads the
  // server's process.
  test('the servers run as uid 1000 on a read-only root filesystem', async () => {
    const script = [
      'pid=$(cat /var/run/nats/nats.pid)',
      'echo "reloader uid $(id -u)"',
      'echo "server $(grep ^Uid: /proc/$pid/status | tr -s "\t " " ")"',
      'echo "server root $(grep -c " / / ro," /proc/$pid/mountinfo)"',
      'touch /written 2>/dev/null && echo "reloader root writable" || echo "reloader root read-only"',
    ].join('; ');
    const out = await k([
      'exec',
      `${CLUSTER}-0`,
      '-n',
      bed.namespace,
      '-c',
      'reloader',
      '--',
      'sh',
      '-c',
      script,
    ]);
    expect(out.trim().split('\n')).toEqual([
      'reloader uid 1000',
      'server Uid: 1000 1000 1000 1000',
      'server root 1',
      'reloader root read-only',
    ]);
  });

  test('a client without a certificate is refused', async () => {
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'app-nats-credentials',
    )) as unknown as Credentials;
    const [address] = await serviceAddresses(bed.api, bed.namespace, CLUSTER);
    await expect(
      connectWith(address ?? '', credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`, { attempts: 1 }),
    ).rejects.toThrow(/certificate required|handshake|closed|ECONNRESET/i);
  });

  test('every server routes to both peers over mutually verified TLS', async () => {
    const pods = await clusterPods(bed.namespace, CLUSTER);
    expect(pods.map((p) => p.name)).toEqual([`${CLUSTER}-0`, `${CLUSTER}-1`, `${CLUSTER}-2`]);
    for (const pod of pods) {
      const peers = new Set(
        (await routez(bed.api, bed.namespace, CLUSTER, pod)).routes?.map((r) => r.remote_name),
      );
      expect([...peers].sort()).toEqual(pods.filter((p) => p.name !== pod.name).map((p) => p.name));
      const v = (await varz(bed.api, bed.namespace, CLUSTER, pod)) as any;
      expect(v.cluster).toMatchObject({ tls_required: true, tls_verify: true });
    }
  });

  test('deleting the NatsCluster removes everything it owned', async () => {
    await k(['delete', 'natscluster', CLUSTER, '-n', bed.namespace, '--wait=true']);
    const kinds =
      'statefulsets,services,configmaps,secrets,certificates,issuers,poddisruptionbudgets,serviceaccounts,pods';
    const left = await waitUntil(
      'owned objects to be garbage-collected',
      async () => {
        const list = await getJson([
          'get',
          kinds,
          '-n',
          bed.namespace,
          '-l',
          `app.kubernetes.io/instance=${CLUSTER}`,
        ]);
        if ((list.items ?? []).length === 0) return list.items;
        throw new Error(
          `left: ${list.items.map((o: any) => `${o.kind}/${o.metadata.name}${o.metadata.deletionTimestamp ? ' (deleting)' : ''}`).join(', ')}`,
        );
      },
      180_000,
    );
    expect(left).toEqual([]);
    // Data volumes are retained by design (persistentVolumeClaimRetentionPolicy: Retain); nothing else is left.
    const claims = await getJson(['get', 'pvc', '-n', bed.namespace]);
    expect((claims.items ?? []).every((c: any) => c.metadata.ownerReferences === undefined)).toBe(true);
  });
});
