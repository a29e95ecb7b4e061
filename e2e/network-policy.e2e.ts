// Proof that the NetworkPolicy the operator renders is enforced by a real policy engine: kube-router's
// firewall on the first real node (local-cluster/node/network-policy.ts). The
// policy and the server pod's labels come from the project's renderer for an example NatsCluster
// (the one the operator applies, never hand-written); the server is nats-server from the project's
// image with client, route and monitoring ports; clients are pods of the operator image dialling
// with `node -e`. Without the policy every client reaches every port (so a refusal is the policy's
// doing); with it, monitoring answers only the operator's pods and the namespaces the spec names,
// client connections stay open to all and routes only to the servers; deleted, it admits all again.
import { execFileSync } from 'node:child_process';
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
  imageArchive,
  isReady,
  k,
  realNodeNames,
  repoRoot,
  waitUntil,
  type Obj,
} from '@nats-warden/local-cluster';
import { readValidated } from '../src/cli/render-command.ts';
import { generateIdentities } from '../src/identity/generate-identities.ts';
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NATS_IMAGE,
  membersOf,
  OPERATOR_IMAGE,
  PORTS,
  renderCluster,
} from '../src/render/index.ts';

jest.setTimeout(300_000);

const ns = { servers: '', elsewhere: '', monitoring: '', operator: '' };
let policy: Obj = {};
let serverLabels: Record<string, string> = {};
let operatorLabels: Record<string, string> = {};

/**
 * The example NatsCluster (minimal-tls) in the servers' namespace with its NetworkPolicy naming one
 * monitoring namespace, created in the API and rendered as the operator renders it (operator in
 * `operatorNamespace`).
 */
async function renderExample(operatorNamespace: string): Promise<Obj[]> {
  const docs = loadAll(readFileSync(join(repoRoot, 'examples', 'minimal-tls.yaml'), 'utf8')) as Obj[];
  for (const doc of docs) doc.metadata.namespace = ns.servers;
  const cluster = docs.find((d) => d.kind === 'NatsCluster')!;
  cluster.spec.networkPolicy = { enabled: true, monitoringFromNamespaces: [ns.monitoring] };
  const dir = mkdtempSync(join(tmpdir(), 'network-policy-e2e-'));
  try {
    writeFileSync(join(dir, 'cluster.yaml'), docs.map((d) => dump(d)).join('---\n'));
    const parsed = await readValidated([join(dir, 'cluster.yaml')]);
    const natsCluster = parsed.clusters[0]!;
    // The policy is owned by its NatsCluster (as the operator's is): the NatsCluster is created first
    // so the owner reference has its uid. No operator runs here; nothing else acts on it.
    await apply([cluster]);
    natsCluster.metadata.uid = (
      await getJson(['get', 'natscluster', natsCluster.metadata.name, '-n', ns.servers])
    ).metadata.uid;
    const members = membersOf(natsCluster, parsed.accounts, parsed.users);
    const generated = await generateIdentities(natsCluster, members.accounts, members.users);
    return renderCluster(natsCluster, members, {
      clusterDomain: DEFAULT_CLUSTER_DOMAIN,
      defaultImage: DEFAULT_NATS_IMAGE,
      operatorImage: OPERATOR_IMAGE,
      operatorNamespace,
      identities: generated.identities,
      trustBundle: '',
      certificateRevisions: {},
    }) as Obj[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The operator Deployment's pod labels, from the install manifest. */
function operatorPodLabels(): Record<string, string> {
  const docs = loadAll(readFileSync(join(repoRoot, 'manifests', 'install.yaml'), 'utf8')) as Obj[];
  const deployment = docs.find((d) => d?.kind === 'Deployment' && d.metadata.name === 'nats-warden');
  return deployment!.spec.template.metadata.labels;
}

/** A pod pinned to the first real node, where the engine runs. */
const pod = (
  name: string,
  namespace: string,
  labels: Record<string, string>,
  container: Record<string, unknown>,
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': realNodeNames[0] },
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', imagePullPolicy: 'Never', ...container }],
  },
});

const client = (name: string, namespace: string, labels: Record<string, string> = {}) =>
  pod(name, namespace, labels, {
    image: imageArchive('nats-warden').reference,
    command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
  });

const readyPod = (name: string, namespace: string) =>
  waitUntil(
    `pod ${namespace}/${name} Ready`,
    async () => {
      const p = await getJson(['get', 'pod', name, '-n', namespace]);
      const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && waiting.reason !== 'ContainerCreating')
        throw new Error(`${waiting.reason}: ${waiting.message ?? ''}`);
      return isReady(p) && p;
    },
    120_000,
  );

let serverIp = '';
const clients = {
  elsewhere: () => ({ name: 'elsewhere', namespace: ns.elsewhere }),
  monitoring: () => ({ name: 'prometheus', namespace: ns.monitoring }),
  operator: () => ({ name: 'operator', namespace: ns.operator }),
  unlabelled: () => ({ name: 'bystander', namespace: ns.operator }),
};
type ClientName = keyof typeof clients;

/**
 * A TCP connect from inside a client pod to the server pod: 'open', or how it failed (kube-router
 * REJECTs, so mostly ECONNREFUSED; 'timeout' after 3 s).
 */
async function dial(from: ClientName, port: number): Promise<string> {
  const { name, namespace } = clients[from]();
  const script = `const s = require('node:net').connect({ host: '${serverIp}', port: ${port} });
    s.setTimeout(3000, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('open'); process.exit(0); });
    s.on('error', (e) => { console.log(e.code); process.exit(0); });`;
  return (await k(['exec', name, '-n', namespace, '--', 'node', '-e', script], undefined, 30_000)).trim();
}

/** kube-router's iptables rules for the rendered policy (the spec runs in the cluster's network namespace). */
const policyRules = () =>
  execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`policy name minimal namespace ${ns.servers}"`))
    .join('\n');

const reach = async (pairs: [ClientName, number][]) =>
  Object.fromEntries(await Promise.all(pairs.map(async ([c, p]) => [`${c}:${p}`, await dial(c, p)])));

beforeAll(async () => {
  ns.servers = await createNamespace('np-servers');
  ns.elsewhere = await createNamespace('np-elsewhere');
  ns.monitoring = await createNamespace('np-monitoring');
  ns.operator = await createNamespace('np-operator');
  const objects = await renderExample(ns.operator);
  policy = objects.find((o) => o.kind === 'NetworkPolicy')!;
  serverLabels = objects.find((o) => o.kind === 'StatefulSet')!.spec.template.metadata.labels;
  operatorLabels = operatorPodLabels();
  await apply([
    pod('nats-0', ns.servers, serverLabels, {
      image: imageArchive('nats-server').reference,
      args: [
        '--port',
        String(PORTS.client),
        '--http_port',
        String(PORTS.monitor),
        '--cluster',
        `nats://0.0.0.0:${PORTS.cluster}`,
        '--cluster_name',
        'np',
      ],
      securityContext: { runAsUser: 65532, runAsNonRoot: true, readOnlyRootFilesystem: true },
    }),
    client('elsewhere', ns.elsewhere),
    client('prometheus', ns.monitoring),
    client('operator', ns.operator, operatorLabels),
    client('bystander', ns.operator),
  ]);
  serverIp = (await readyPod('nats-0', ns.servers)).status.podIP;
  for (const c of Object.values(clients)) await readyPod(c().name, c().namespace);
});

afterAll(async () => {
  for (const name of Object.values(ns)) if (name) await deleteNamespace(name);
});

describe('the rendered NetworkPolicy on the real node (kube-router)', () => {
  test('is the renderer’s: monitoring from the operator’s pods and the named namespace only', () => {
    expect(policy.metadata.namespace).toBe(ns.servers);
    expect(policy.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'nats',
      'app.kubernetes.io/instance': 'minimal',
    });
    const monitor = policy.spec.ingress.find((r: Obj) => r.ports[0].port === PORTS.monitor);
    expect(monitor.from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.operator } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats-warden' } },
      },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.monitoring } } },
    ]);
    expect(operatorLabels['app.kubernetes.io/name']).toBe('nats-warden');
  });

  test('without it, every client reaches every port (the refusals below are the policy’s)', async () => {
    const all: [ClientName, number][] = (Object.keys(clients) as ClientName[]).flatMap((c) =>
      [PORTS.client, PORTS.monitor, PORTS.cluster].map((p): [ClientName, number] => [c, p]),
    );
    const seen = await waitUntil('every port open to every client', async () => {
      const r = await reach(all);
      return Object.values(r).every((v) => v === 'open') && r;
    });
    expect(Object.keys(seen)).toHaveLength(12);
  });

  test('applied, monitoring refuses other namespaces and unlabelled pods; clients stay open', async () => {
    await apply([policy]);
    const applied = Date.now();
    await waitUntil('monitoring refused from a namespace the spec does not name', async () => {
      const r = await dial('elsewhere', PORTS.monitor);
      return r !== 'open' && r;
    });
    process.stderr.write(`network-policy.e2e: enforced ${Date.now() - applied} ms after apply\n`);
    // The refusals are kube-router's: its rules for this policy are in the cluster's network
    // namespace, which this spec shares (comments of pkg/controllers/netpol/policy.go:227).
    expect(policyRules()).toContain(`--dport ${PORTS.monitor}`);
    const seen = await reach([
      ['elsewhere', PORTS.client],
      ['elsewhere', PORTS.monitor],
      ['elsewhere', PORTS.cluster],
      ['monitoring', PORTS.monitor],
      ['monitoring', PORTS.client],
      ['operator', PORTS.monitor],
      ['unlabelled', PORTS.monitor],
      ['unlabelled', PORTS.client],
    ]);
    expect(seen).toEqual({
      // (a) a namespace the spec does not name: clients yes, monitoring and routes no
      [`elsewhere:${PORTS.client}`]: 'open',
      [`elsewhere:${PORTS.monitor}`]: 'ECONNREFUSED',
      [`elsewhere:${PORTS.cluster}`]: 'ECONNREFUSED',
      // (b) the namespace the spec names
      [`monitoring:${PORTS.monitor}`]: 'open',
      [`monitoring:${PORTS.client}`]: 'open',
      // (c) the operator's pods in the operator's namespace
      [`operator:${PORTS.monitor}`]: 'open',
      // another pod in the operator's namespace, without the operator's labels
      [`unlabelled:${PORTS.monitor}`]: 'ECONNREFUSED',
      [`unlabelled:${PORTS.client}`]: 'open',
    });
  });

  test('deleted, monitoring is open to a namespace the spec does not name again', async () => {
    await k(['delete', 'networkpolicy', policy.metadata.name, '-n', ns.servers]);
    const reopened = await waitUntil('monitoring open from elsewhere again', async () => {
      const r = await dial('elsewhere', PORTS.monitor);
      return r === 'open' && r;
    });
    // What the previous test refused is the policy's work: without it the same dial connects.
    expect(reopened).toBe('open');
    expect(await dial('unlabelled', PORTS.monitor)).toBe('open');
    expect(policyRules()).toBe('');
  });
});
