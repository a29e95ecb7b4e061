// Issue 13's install proofs with the operator as users run it: pods of the built image on the real
// nodes, under the chart's ServiceAccount, reaching the API server through
// the `kubernetes` Service. In order, sharing two NatsClusters:
//   1. `helm install --wait` (the real helm, watchNamespaces=[watched]): two pods, one Lease holder,
//      `helm test` passes; no cluster-wide Secret access; examples/secure-cluster.yaml in `watched`
//      becomes Ready and a TLS round trip works with its user's credentials, while examples/
//      minimal-tls.yaml in `unwatched` is left alone (no status, no child). The chart's NetworkPolicy
//      for the operator is on and enforced (kube-router, warden-real-1, where the operator's pods are
//      pinned). Deleting the leading pod hands the Lease to the other, which reconciles a new NatsUser.
//   2. `helm upgrade` of the same chart with logLevel changed (there is no earlier chart version to
//      upgrade from: the change is the value) rolls the operator into a new ReplicaSet; the NATS pods
//      keep their uids and restart counts and the StatefulSet its generation.
//   3. `helm uninstall` removes the operator and its RBAC; the CRDs, the NatsClusters and their
//      Secrets and servers stay.
//   4. `kubectl apply --server-side -f manifests/install.yaml` (the default, ClusterRole mode; the
//      test's copy names the imported image) runs the same
//      operator, which now does read Secrets everywhere and takes the unwatched cluster to Ready.
// Beyond those two settings and the NetworkPolicy, the values differ from the chart's defaults only
// in the image (the one the harness imported, `pullPolicy: Never`) and, for the NetworkPolicy, the
// operator's pods pinned to warden-real-1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { dump, loadAll } from 'js-yaml';
import {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  k,
  realNodeNames,
  waitUntil,
  type Obj,
} from '@nats-warden/local-cluster';
import { CHART_DIR, INSTALL_NAMESPACE, INSTALL_YAML } from '../scripts/gen-manifests.ts';
import { apiFor, waitForCondition, type Api } from './operator/cluster-api.ts';
import { exampleIn } from './operator/fixtures.ts';
import {
  canI,
  helm,
  importedImage,
  leaderAmong,
  leaseHolder,
  metricsOf,
  onRealNodes,
  operatorPods,
  readyOperatorPods,
  realNodeValues,
  sample,
} from './operator/operator-pods.ts';
import { dialFrom, dialFromHere, kubeRouterRulesFor, ownedObjects } from './operator/real-node-checks.ts';
import { clusterPods, type PodInfo } from './operator/servers.ts';
import { roundTripAs } from './operator/user-round-trip.ts';

jest.setTimeout(300_000);

const RELEASE = 'nats-warden';
const ns = { release: '', watched: '', unwatched: '' };
let api: Api;
let scratch = '';
let valuesFile = '';
let serviceAccount = '';
const figure = (line: string) => process.stderr.write(`\nfigure: ${line}\n`);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** An example re-homed into `namespace`, its servers from the imported image. */
function exampleWithImportedImage(file: string, namespace: string): Obj[] {
  const image = importedImage('nats-server');
  return exampleIn(file, namespace, (doc) => {
    if (doc.kind !== 'NatsCluster') return;
    doc.spec.image = `${image.repository}:${image.tag}`;
  });
}

/**
 * The helm install's values: watch one namespace, and the chart's NetworkPolicy for the operator on,
 * its pods on the node whose policy engine runs (kube-router guards only warden-real-1's pods),
 * egress to the API server allowed where the `kubernetes` Service really sends it (as the chart's
 * values.yaml says to look it up).
 */
async function installValues(): Promise<Obj> {
  const endpoints = await getJson(['get', 'endpoints', 'kubernetes', '-n', 'default']);
  const subset = endpoints.subsets[0];
  const values = realNodeValues({
    watchNamespaces: [ns.watched],
    networkPolicy: {
      enabled: true,
      apiServer: { cidrs: [`${subset.addresses[0].ip}/32`], ports: [subset.ports[0].port] },
    },
  });
  values.nodeSelector = { 'kubernetes.io/hostname': realNodeNames[0]! };
  return values;
}

const snapshot = (pods: PodInfo[]) => pods.map((p) => ({ name: p.name, uid: p.uid, restarts: p.restarts }));

beforeAll(async () => {
  api = apiFor(process.env.KUBECONFIG!);
  ns.release = await createNamespace('helm-op');
  ns.watched = await createNamespace('helm-watched');
  ns.unwatched = await createNamespace('helm-unwatched');
  scratch = mkdtempSync(join(tmpdir(), 'helm-e2e-'));
  valuesFile = join(scratch, 'real-nodes.values.yaml');
  writeFileSync(valuesFile, dump(await installValues()));
  serviceAccount = `system:serviceaccount:${ns.release}:${RELEASE}`;
});

afterAll(async () => {
  await helm(['uninstall', RELEASE, '-n', ns.release, '--wait']).catch(() => undefined);
  // The manifest's objects but its CRDs (other specs of the run use them) and its Namespace (below).
  await k(['delete', 'clusterrole,clusterrolebinding', '-l', 'app.kubernetes.io/instance=nats-warden']).catch(
    () => undefined,
  );
  for (const name of [...Object.values(ns), INSTALL_NAMESPACE]) if (name) await deleteNamespace(name);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the chart, installed with helm, as pods on the real nodes', () => {
  let nats: PodInfo[] = [];
  let generation = 0;

  test('helm install --wait: two operator pods of the image under the chart ServiceAccount, one leads, helm test passes', async () => {
    const started = Date.now();
    await helm([
      'install',
      RELEASE,
      CHART_DIR,
      '-n',
      ns.release,
      '-f',
      valuesFile,
      '--wait',
      '--timeout',
      '4m',
    ]);
    const pods = await readyOperatorPods(ns.release, 2);
    figure(`helm install --wait → 2 operator pods Ready ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(onRealNodes(pods)).toBe(true);
    const image = importedImage('nats-warden');
    expect(pods.map((p) => [p.serviceAccount, p.image])).toEqual([
      [RELEASE, `${image.repository}:${image.tag}`],
      [RELEASE, `${image.repository}:${image.tag}`],
    ]);
    const leader = await leaderAmong(
      ns.release,
      pods.map((p) => p.name),
    );
    figure(`helm install → Lease held by ${leader} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Exactly one leads: the Lease names it, and only its /metrics says so.
    const leading = await Promise.all(
      pods.map(async (p) => sample(await metricsOf(p), 'nats_warden_leader')),
    );
    expect(leading.sort()).toEqual([0, 1]);
    const out = await helm(['test', RELEASE, '-n', ns.release, '--timeout', '2m']);
    expect(out).toMatch(/TEST SUITE:\s+nats-warden-test-ready\s+Last Started:[\s\S]*Phase:\s+Succeeded/);
  });

  test('with watchNamespaces, its ServiceAccount reads no Secret cluster-wide, only in the watched namespace', async () => {
    expect(await canI(serviceAccount, 'list', 'secrets', ['-A'])).toBe('no');
    expect(await canI(serviceAccount, 'list', 'secrets', ['-n', ns.unwatched])).toBe('no');
    // The "no" above is about the scope: in the watched namespace the same question is a yes.
    expect(await canI(serviceAccount, 'list', 'secrets', ['-n', ns.watched])).toBe('yes');
  });

  test('secure-cluster in the watched namespace becomes Ready and a TLS round trip works', async () => {
    const started = Date.now();
    await apply([
      ...exampleWithImportedImage('secure-cluster.yaml', ns.watched),
      ...exampleWithImportedImage('minimal-tls.yaml', ns.unwatched),
    ]);
    await waitForCondition(api, ns.watched, 'secure', 'Ready', 'True', 240_000);
    figure(
      `NatsCluster secure (3 replicas, mTLS, JetStream) Ready ${((Date.now() - started) / 1000).toFixed(1)} s after apply, the operator as pods`,
    );
    nats = await clusterPods(ns.watched, 'secure');
    expect(nats.filter((p) => p.ready)).toHaveLength(3);
    const onNodes = await getJson(['get', 'pods', '-n', ns.watched, '-l', 'app.kubernetes.io/name=nats']);
    expect(onRealNodes((onNodes.items as Obj[]).map((p) => ({ node: p.spec.nodeName })))).toBe(true);
    figure(
      `NatsUser app Ready → its round trip works on all 3 servers ${seconds(await roundTripAs(api, ns.watched, 'secure', 'app'))} s later`,
    );
  });

  test("the operator's own NetworkPolicy is enforced: from its pods, a server's client port opens, its route port does not", async () => {
    const [from] = await operatorPods(ns.release);
    // A server on another node: kube-router guards only warden-real-1's pods, so nothing limits
    // what this server accepts, and a refusal can only be the operator pod's egress policy.
    const onNodes = await getJson(['get', 'pods', '-n', ns.watched, '-l', 'app.kubernetes.io/name=nats']);
    const server = (onNodes.items as Obj[]).find((p) => p.spec.nodeName !== realNodeNames[0])!;
    const ip = server.status.podIP as string;
    expect(await dialFromHere(ip, 6222)).toBe('open');
    expect(await dialFrom(from!, ns.release, ip, 4222)).toBe('open');
    expect(await dialFrom(from!, ns.release, ip, 8222)).toBe('open');
    const refused = await dialFrom(from!, ns.release, ip, 6222);
    // On failure, kube-router's rules for the pod say why (the spec runs in the cluster's namespace).
    expect([refused, refused === 'open' ? kubeRouterRulesFor(from!.ip) : '']).toEqual(['ECONNREFUSED', '']);
  });

  test('a NatsCluster in a namespace it does not watch gets no status and no object', async () => {
    const minimal = await getJson(['get', 'natscluster', 'minimal', '-n', ns.unwatched]);
    expect(minimal.status).toBeUndefined();
    expect(await ownedObjects(ns.unwatched)).toEqual([]);
    // The same question in the watched namespace finds what the operator made there.
    expect((await ownedObjects(ns.watched)).length).toBeGreaterThan(5);
  });

  test('deleting the leading pod hands the Lease to the other, which reconciles a change', async () => {
    const pods = await operatorPods(ns.release);
    const leader = await leaseHolder(ns.release);
    const standby = pods.find((p) => p.name !== leader)!.name;
    const deleted = Date.now();
    await k(['delete', 'pod', leader, '-n', ns.release, '--wait=false']);
    // The leader releases the Lease as it stops, so the standby and the pod the ReplicaSet starts in
    // its place race for it (a quiet run once saw the replacement win); either is a takeover.
    const next = await waitUntil(`a pod other than ${leader} holding the Lease`, async () => {
      const holder = await leaseHolder(ns.release);
      if (holder && holder !== leader) return holder;
      throw new Error(`holder: ${holder || 'none'}`);
    });
    const taker = next === standby ? 'the standby' : `its replacement ${next}`;
    figure(`leader pod deleted → Lease taken by ${taker} ${((Date.now() - deleted) / 1000).toFixed(1)} s`);
    // A change only the new leader can act on: a second user, with its credentials Secret.
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'late', namespace: ns.watched },
        spec: { accountRef: { name: 'app' }, authType: 'NKey' },
      },
    ]);
    figure(
      `NatsUser late Ready → its round trip works on all 3 servers ${seconds(await roundTripAs(api, ns.watched, 'secure', 'late'))} s later`,
    );
    await readyOperatorPods(ns.release, 2);
  });

  test('helm upgrade with a changed value rolls the operator into a new ReplicaSet and leaves the NATS pods alone', async () => {
    nats = await clusterPods(ns.watched, 'secure');
    generation = (await getJson(['get', 'statefulset', 'secure', '-n', ns.watched])).metadata.generation;
    const before = new Set((await operatorPods(ns.release)).map((p) => p.replicaSet));
    expect(before.size).toBe(1);
    const started = Date.now();
    await helm([
      'upgrade',
      RELEASE,
      CHART_DIR,
      '-n',
      ns.release,
      '-f',
      valuesFile,
      '--set',
      'logLevel=debug',
      '--wait',
      '--timeout',
      '4m',
    ]);
    const pods = await readyOperatorPods(ns.release, 2);
    figure(`helm upgrade --wait → 2 new operator pods Ready ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const after = new Set(pods.map((p) => p.replicaSet));
    expect(after.size).toBe(1);
    expect(before.has([...after][0]!)).toBe(false);
    const deployment = await getJson(['get', 'deployment', RELEASE, '-n', ns.release]);
    const env = deployment.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'LOG_LEVEL')?.value).toBe('debug');
    // The new leader has reconciled the cluster (its own counter), and nothing of the servers moved.
    const leader = await leaderAmong(
      ns.release,
      pods.map((p) => p.name),
    );
    const leaderPod = pods.find((p) => p.name === leader)!;
    await waitUntil(
      `${leader} reconciled the NatsCluster`,
      async () =>
        sample(
          await metricsOf(leaderPod),
          'nats_warden_reconcile_total{controller="natscluster",result="success"}',
        ) > 0,
      60_000,
      1_000,
    );
    expect(snapshot(await clusterPods(ns.watched, 'secure'))).toEqual(snapshot(nats));
    expect((await getJson(['get', 'statefulset', 'secure', '-n', ns.watched])).metadata.generation).toBe(
      generation,
    );
    await waitForCondition(api, ns.watched, 'secure', 'Ready', 'True', 30_000);
  });

  test('helm uninstall removes the operator and its RBAC, and leaves the CRDs, the clusters and their Secrets', async () => {
    const manifest = loadAll(await helm(['get', 'manifest', RELEASE, '-n', ns.release])).filter(
      Boolean,
    ) as Obj[];
    const installed = manifest.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(installed).toEqual(
      expect.arrayContaining([
        `Deployment/${RELEASE}`,
        `ServiceAccount/${RELEASE}`,
        'Role/' + RELEASE,
        'ClusterRole/' + RELEASE,
      ]),
    );
    await helm(['uninstall', RELEASE, '-n', ns.release, '--wait']);
    for (const o of manifest) {
      const where = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      const out = await k(['get', o.kind, o.metadata.name, ...where, '--ignore-not-found', '-o', 'name']);
      expect([`${o.kind}/${o.metadata.name}`, out.trim()]).toEqual([`${o.kind}/${o.metadata.name}`, '']);
    }
    await waitUntil(
      'the operator pods gone',
      async () => (await operatorPods(ns.release)).length === 0,
      60_000,
    );
    for (const crd of ['natsclusters', 'natsaccounts', 'natsusers'])
      expect(await k(['get', 'crd', `${crd}.natswarden.io`, '-o', 'name'])).toContain(crd);
    for (const kind of [
      'natscluster/secure',
      'natsaccount/app',
      'natsuser/app',
      'natsuser/late',
      'secret/app-nats-credentials',
    ])
      expect(await k(['get', kind, '-n', ns.watched, '-o', 'name'])).toContain(kind.split('/')[1]);
    expect(snapshot(await clusterPods(ns.watched, 'secure'))).toEqual(snapshot(nats));
  });
});

describe('manifests/install.yaml, applied server-side', () => {
  test('runs the same operator, cluster-wide: Available, one leader, the formerly unwatched cluster Ready', async () => {
    const image = importedImage('nats-warden');
    const reference = `${image.repository}:${image.tag}`;
    const docs = (loadAll(readFileSync(INSTALL_YAML, 'utf8')) as Obj[]).filter(Boolean);
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    // The test's copy only: the imported image for the operator and its reloader sidecar (the
    // manifest names the published ghcr.io image, which no node has).
    const container = deployment.spec.template.spec.containers[0];
    const published = container.image as string;
    container.image = reference;
    container.imagePullPolicy = 'Never';
    container.args = (container.args as string[]).map((a) => a.replace(published, reference));
    expect(container.args).toContain(`--reloader-image=${reference}`);
    const file = join(scratch, 'install.yaml');
    writeFileSync(file, docs.map((d) => dump(d)).join('---\n'));
    const started = Date.now();
    await k(['apply', '--server-side', '--force-conflicts', '-f', file], undefined, 120_000);
    await k(
      ['rollout', 'status', 'deployment/nats-warden', '-n', INSTALL_NAMESPACE, '--timeout=180s'],
      undefined,
      200_000,
    );
    const pods = await readyOperatorPods(INSTALL_NAMESPACE, 2);
    expect(onRealNodes(pods)).toBe(true);
    await leaderAmong(
      INSTALL_NAMESPACE,
      pods.map((p) => p.name),
    );
    figure(
      `kubectl apply install.yaml → Deployment Available, leader elected ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    // The default install is cluster-wide: a ClusterRole, so Secrets everywhere.
    const sa = `system:serviceaccount:${INSTALL_NAMESPACE}:nats-warden`;
    expect(await canI(sa, 'list', 'secrets', ['-A'])).toBe('yes');
    await waitForCondition(api, ns.unwatched, 'minimal', 'Ready', 'True', 240_000);
    figure(
      `install.yaml applied → NatsCluster minimal Ready ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect((await ownedObjects(ns.unwatched)).length).toBeGreaterThan(5);
  });
});
