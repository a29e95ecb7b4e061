// Proofs about single pods: a Secret update reaches the mounted files within seconds through an
// atomic `..data` swap (never half old, half new), and a preStop hook runs before the process gets
// SIGTERM (the hook and the signal handler both append to a file on a PVC, read back afterwards).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { images, probeConfigMap, probeContainer, probeVolume } from './fixtures.ts';
import {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  isReady,
  k,
  podGet,
  waitUntil,
  onLocalCluster,
} from '../harness/k8s.ts';

jest.setTimeout(300_000);

let ns = '';
const local = onLocalCluster();
// A real kubelet refreshes Secret volumes when it syncs the pod: on its periodic sync (a minute, as
// the local real nodes keep it: node/config.ts syncFrequency, plus up to half of it as jitter) or at
// once when the pod changes. The spec annotates the pod after the update, as the operator does for its servers (src/controllers/natscluster/volume-refresh.ts), so the bound is the
// kubelet's reaction, not its period.
const propagationMs = Number(process.env.E2E_SECRET_PROPAGATION_MS ?? (local ? 30_000 : 150_000));

const secret = (value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'watched', namespace: ns },
  stringData: { a: value, b: value },
});

const pod = (name: string, spec: any) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec,
});

async function readyPod(name: string): Promise<any> {
  return waitUntil(
    `pod ${name} Ready`,
    async () => {
      const p = await getJson(['get', 'pod', name, '-n', ns]);
      return isReady(p) && p;
    },
    120_000,
  );
}

beforeAll(async () => {
  ns = await createNamespace('pod');
  await apply([probeConfigMap(ns)]);
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('pod lifecycle', () => {
  test('a Secret update reaches the mounted file within a few seconds, atomically', async () => {
    await apply([secret('one')]);
    await apply([
      pod('watcher', {
        containers: [probeContainer([{ name: 'watched', mountPath: '/etc/watched', readOnly: true }])],
        volumes: [probeVolume, { name: 'watched', secret: { secretName: 'watched' } }],
      }),
    ]);
    await readyPod('watcher');
    const look = async () => JSON.parse(await podGet(ns, 'watcher', 8080, '/atomic?dir=/etc/watched'));
    const first = await look();
    expect(first.files).toEqual({ a: 'one', b: 'one' });
    expect(first.visible).toEqual({ a: '..data/a', b: '..data/b' });
    const updatedAt = Date.now();
    await apply([secret('two')]);
    await k(['annotate', 'pod', 'watcher', '-n', ns, '--overwrite', `natswarden.io/touched=${updatedAt}`]);
    const observations: any[] = [];
    const after = await waitUntil(
      'the new value in the mounted files',
      async () => {
        const o = await look();
        observations.push(o);
        return o.direct.a === 'two' && o;
      },
      propagationMs,
      100,
    );
    const took = Date.now() - updatedAt;
    expect(took).toBeLessThan(propagationMs);
    expect(after.files).toEqual({ a: 'two', b: 'two' });
    expect(after.link).not.toBe(first.link);
    for (const o of observations) expect(o.files.a).toBe(o.files.b);
  });

  test('env from Secrets, ConfigMaps and fieldRefs, and a bound service-account token through a projected volume', async () => {
    await apply([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns },
        data: { mode: 'strict' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: ns },
        stringData: { password: 's3cret' },
      },
    ]);
    const probe = probeContainer([]);
    probe.env = [
      ...probe.env,
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'GREETING', value: 'hello $(POD_NAME) in $(POD_NAMESPACE)' },
    ];
    await apply([pod('envy', { containers: [probe], volumes: [probeVolume] })]);
    const p = await readyPod('envy');
    const env = async (name: string) => podGet(ns, 'envy', 8080, `/env?name=${name}`);
    expect(await env('MODE')).toBe('strict');
    expect(await env('PASSWORD')).toBe('s3cret');
    expect(await env('GREETING')).toBe(`hello envy in ${ns}`);
    expect(await env('POD_IP')).toBe(p.status.podIP);
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    expect(await podGet(ns, 'envy', 8080, `/file?path=${sa}/namespace`)).toBe(ns);
    expect(await podGet(ns, 'envy', 8080, `/file?path=${sa}/ca.crt`)).toContain('BEGIN CERTIFICATE');
    const token = await podGet(ns, 'envy', 8080, `/file?path=${sa}/token`);
    const review = JSON.parse(
      await k(
        ['create', '-o', 'json', '-f', '-'],
        JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token },
        }),
      ),
    );
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user.username).toBe(`system:serviceaccount:${ns}:default`);
    expect(review.status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['envy']);
  });

  test('Service names resolve to the ready pod addresses behind them', async () => {
    const watcher = await readyPod('watcher');
    await k(['label', 'pod', 'watcher', '-n', ns, 'role=watcher', '--overwrite']);
    await apply([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'watched', namespace: ns },
        // A Service with a ClusterIP resolves to that address (kube-proxy's); the name of a headless
        // one resolves to the ready pods behind it, what this test is about.
        spec: {
          clusterIP: 'None',
          selector: { role: 'watcher' },
          ports: [{ port: 8080 }],
        },
      },
    ]);
    const resolve = async (name: string) =>
      JSON.parse(await podGet(ns, 'watcher', 8080, `/resolve?name=${name}`));
    const fqdn = `watched.${ns}.svc.cluster.local`;
    await waitUntil(
      `${fqdn} -> the pod`,
      async () => JSON.stringify(await resolve(fqdn)) === JSON.stringify([watcher.status.podIP]),
      60_000,
    );
    if (local) expect(await resolve(`watched.${ns}`)).toEqual([watcher.status.podIP]);
  });

  test('a crashing container is restarted and its restartCount reported', async () => {
    await apply([
      pod('crasher', {
        containers: [{ name: 'main', image: images.busybox, command: ['sh', '-c', 'sleep 1; exit 3'] }],
      }),
    ]);
    const crashed = await waitUntil(
      'two restarts',
      async () => {
        const p = await getJson(['get', 'pod', 'crasher', '-n', ns]);
        const status = p.status?.containerStatuses?.[0];
        return status?.restartCount >= 2 && status;
      },
      120_000,
    );
    expect(crashed.lastState.terminated.exitCode).toBe(3);
  });

  test('a preStop hook runs before the process receives SIGTERM', async () => {
    await apply([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'out', namespace: ns },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
      },
    ]);
    const out = { name: 'out', persistentVolumeClaim: { claimName: 'out' } };
    await apply([
      pod('stopper', {
        terminationGracePeriodSeconds: 20,
        containers: [
          {
            name: 'main',
            image: images.busybox,
            command: [
              'sh',
              '-c',
              'echo started >> /out/log; trap "echo SIGTERM >> /out/log; exit 0" TERM; while true; do sleep 0.2; done',
            ],
            lifecycle: {
              preStop: {
                exec: {
                  command: ['sh', '-c', 'echo preStop >> /out/log; sleep 2; echo preStop-done >> /out/log'],
                },
              },
            },
            readinessProbe: { exec: { command: ['test', '-f', '/out/log'] }, periodSeconds: 1 },
            volumeMounts: [{ name: 'out', mountPath: '/out' }],
          },
        ],
        volumes: [out],
      }),
    ]);
    await readyPod('stopper');
    await k(['delete', 'pod', 'stopper', '-n', ns, '--wait=true', '--timeout=60s'], undefined, 70_000);
    await apply([
      pod('reader', {
        containers: [probeContainer([{ name: 'out', mountPath: '/out', readOnly: true }])],
        volumes: [probeVolume, out],
      }),
    ]);
    await readyPod('reader');
    const log = (await podGet(ns, 'reader', 8080, '/file?path=/out/log')).trim().split('\n');
    expect(log).toEqual(['started', 'preStop', 'preStop-done', 'SIGTERM']);
  });
});
