// Starts and stops the local cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// the cert-manager controller and the storage provisioner, in that order, each waited for before the
// next; then the three real nodes (node/real-node.ts), kube-proxy, CoreDNS and the NetworkPolicy
// engine. The CRDs (cert-manager's and ours from crds/) are installed once the API server is ready. State goes to .cluster/state.json after every start so `down` can always clean up.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import * as c from './components.ts';
import { get, waitFor, waitHealthy } from './health.ts';
import { kubectl } from './kubectl.ts';
import { packageRoot, paths, repoRoot } from '../paths.ts';
import { ensurePki, kubeconfigYaml, type Pki } from './pki.ts';
import { freePort } from './ports.ts';
import {
  isAlive,
  logTail,
  readState,
  startProcess,
  stopProcess,
  writeState,
  type ClusterState,
  type Started,
} from './processes.ts';
import {
  ctr,
  importImages,
  kubeletIdentity,
  killContainers,
  layoutOf,
  prepareRealNode,
  realNodeNames,
  removeRealNode,
} from '../node/real-node.ts';
import {
  kubeProxyCommand,
  removeKubeletChains,
  removeKubeProxyRules,
  routeServicesFromNamespace,
  runningInThisNamespace,
} from '../node/kube-proxy.ts';
import { corednsCommand, corednsRbac, kubeDnsService } from '../node/cluster-dns.ts';
import {
  networkPolicyEngine,
  networkPolicyEngineHooked,
  removeNetworkPolicyRules,
} from '../node/network-policy.ts';

const say = (line: string) => process.stderr.write(`cluster: ${line}\n`);

export function isUp(): boolean {
  const state = readState();
  return Boolean(state && state.processes.length > 0 && state.processes.every((p) => isAlive(p.pid)));
}

async function pickPorts(): Promise<c.Ports> {
  return {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    certManagerMetrics: await freePort(),
    certManagerHealth: await freePort(),
  };
}

function writeKubeconfigs(pki: Pki, server: string): void {
  const users = [
    'admin',
    'kube-controller-manager',
    'kube-scheduler',
    'cert-manager',
    'storage-provisioner',
    'kube-proxy',
    'coredns',
  ];
  for (const user of [...users, ...realNodeNames.map(kubeletIdentity)]) {
    writeFileSync(paths.kubeconfigFor(user), kubeconfigYaml(pki, server, user), { mode: 0o600 });
  }
  writeFileSync(paths.kubeconfig, kubeconfigYaml(pki, server, 'admin'), { mode: 0o600 });
}

async function installCrds(): Promise<void> {
  const dirs = [toolPath('cert-manager-crds'), join(repoRoot, 'crds')].filter(
    (d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.yaml') || f.endsWith('.yml')),
  );
  for (const dir of dirs)
    await kubectl(paths.kubeconfig, ['apply', '--server-side', '-f', dir], undefined, 120_000);
  if (dirs.length)
    await kubectl(
      paths.kubeconfig,
      ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s'],
      undefined,
      70_000,
    );
  await kubectl(paths.kubeconfig, ['create', 'namespace', 'cert-manager']).catch(() => undefined);
}

async function nodeReady(name: string): Promise<boolean> {
  const out = await kubectl(paths.kubeconfig, ['get', 'node', name, '--ignore-not-found', '-o', 'json']);
  if (!out.trim()) return false;
  const node = JSON.parse(out) as { status?: { conditions?: { type: string; status: string }[] } };
  return Boolean(node.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
}

/**
 * One real node (node/real-node.ts): containerd, the images imported into it, then the kubelet.
 * Resolves once the kubelet runs; `ready` waits for its Node to be Ready.
 */
async function startRealNode(
  name: string,
  ports: { port: number; healthz: number },
  caCert: string,
  start: (name: string, command: string[]) => Started,
): Promise<{ ready: () => Promise<void> }> {
  const t = Date.now();
  const { node, containerd, kubelet } = prepareRealNode(name, ports, caCert);
  const runtime = start(`containerd-${name}`, containerd);
  await waitFor(
    `containerd of ${name}`,
    async () => {
      try {
        ctr(node, ['version'], 5_000);
        return true;
      } catch {
        return false;
      }
    },
    30_000,
    runtime,
  );
  const images = await importImages(node);
  say(`${name}: containerd up, ${images.length} images imported (${Math.round((Date.now() - t) / 1000)} s)`);
  const k = start(`kubelet-${name}`, kubelet);
  return {
    ready: async () => {
      try {
        await waitFor(`real node ${name} Ready`, () => nodeReady(name), 90_000, k);
      } catch (error) {
        throw new Error(`${String(error)}\n${logTail(`kubelet-${name}`)}`, { cause: error });
      }
      say(`${name}: Ready ${Math.round((Date.now() - t) / 1000)} s after its start`);
    },
  };
}

/**
 * Every real node at once (the image imports are the slow part), then all waited for together.
 * Each is prepared (its slot claimed, its bridge made) before its first await, so in name order.
 */
async function startRealNodes(caCert: string, start: (name: string, command: string[]) => Started) {
  const ports: { port: number; healthz: number }[] = [];
  while (ports.length < realNodeNames.length)
    ports.push({ port: await freePort(), healthz: await freePort() });
  // Settled, not all: a node that fails must not leave the others starting kubelets after `up`
  // has given up and `down` has read the state.
  const outcomes = await Promise.allSettled(
    realNodeNames.map((name, i) => startRealNode(name, ports[i]!, caCert, start)),
  );
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  const started = outcomes.map((o) => (o as PromiseFulfilledResult<{ ready: () => Promise<void> }>).value);
  const ready = await Promise.allSettled(started.map((s) => s.ready()));
  const notReady = ready.find((o) => o.status === 'rejected');
  if (notReady) throw notReady.reason;
  await startKubeProxy(start);
  routeServicesFromNamespace(c.serviceCidr, layoutOf(realNodeNames[0]!).bridge);
  await startClusterDns(start);
  await startNetworkPolicyEngine(start);
}

/**
 * kube-router's firewall (node/network-policy.ts) for the first real node. It guards only the pods
 * of its own node and rewrites all its chains on every sync, so two in one network namespace would
 * undo each other: NetworkPolicy is enforced for pods on the first node only (specs that prove it
 * pin their pods there).
 */
async function startNetworkPolicyEngine(start: (name: string, command: string[]) => Started) {
  const other = runningInThisNamespace('kube-router');
  if (other !== undefined) {
    say(`kube-router: pid ${other} already guards this network namespace (another cluster); none started`);
    return;
  }
  const t = Date.now();
  const name = realNodeNames[0]!;
  // The engine reads the Node (its address picks the pods it guards), so it starts after Ready.
  const engine = start(`kube-router-${name}`, networkPolicyEngine(name, paths.kubeconfig));
  await waitFor(`NetworkPolicy engine of ${name}`, async () => networkPolicyEngineHooked(), 60_000, engine);
  say(`${name}: NetworkPolicy engine (kube-router) hooked in ${Math.round((Date.now() - t) / 1000)} s`);
}

/** CoreDNS on the first real node's address, behind the kube-dns Service (node/cluster-dns.ts). */
async function startClusterDns(start: (name: string, command: string[]) => Started): Promise<void> {
  const t = Date.now();
  const first = layoutOf(realNodeNames[0]!);
  const apply = (objects: unknown[]) =>
    kubectl(
      paths.kubeconfig,
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
  await apply(corednsRbac);
  const readyPort = await freePort();
  const dns = start('coredns', corednsCommand(first.nodeIp, readyPort));
  await waitHealthy(dns, `http://127.0.0.1:${readyPort}/ready`, {}, 60_000);
  await apply(kubeDnsService(first.nodeIp, first.name));
  say(`coredns: serving on ${first.nodeIp}:53 behind kube-dns (${Math.round((Date.now() - t) / 1000)} s)`);
}

/** kube-proxy for the namespace (node/kube-proxy.ts), unless another cluster's already serves it. */
async function startKubeProxy(start: (name: string, command: string[]) => Started): Promise<void> {
  const other = runningInThisNamespace('kube-proxy');
  if (other !== undefined) {
    say(`kube-proxy: pid ${other} already serves this network namespace (another cluster); none started`);
    return;
  }
  const t = Date.now();
  const healthz = await freePort();
  const proxy = start(
    'kube-proxy',
    kubeProxyCommand(realNodeNames[0]!, { healthz, metrics: await freePort() }),
  );
  await waitHealthy(proxy, `http://127.0.0.1:${healthz}/healthz`, {}, 60_000);
  say(`kube-proxy: rules synced (${Math.round((Date.now() - t) / 1000)} s)`);
}

const storageProvisionerCommand = () => [
  process.execPath,
  join(packageRoot, 'node', 'storage-provisioner.ts'),
  `--kubeconfig=${paths.kubeconfigFor('storage-provisioner')}`,
  `--dir=${join(paths.root, 'pv')}`,
];

/** An address on the network namespace's loopback (kept when another cluster here added it first). */
function addLoopbackAddress(address: string): void {
  if (!process.env.NATS_WARDEN_NETNS)
    throw new Error(
      `refusing to add ${address} outside the cluster's network namespace (local-cluster/harness/netns.sh)`,
    );
  const present = execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (!present.includes(` ${address}/`)) execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
}

/** Starts everything; returns the admin kubeconfig path. Reuses a running cluster. */
export async function up(): Promise<string> {
  if (isUp()) {
    say(`already up (${paths.kubeconfig})`);
    return paths.kubeconfig;
  }
  await down();
  const started = Date.now();
  mkdirSync(paths.root, { recursive: true });
  const pki = ensurePki(paths.pki);
  const ports = await pickPorts();
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const state: ClusterState = {
    startedAt: new Date().toISOString(),
    server,
    ports: { ...ports },
    processes: [],
  };
  const start = (name: string, command: string[]) => {
    const p = startProcess(name, command);
    state.processes.push(p);
    writeState(state);
    return p;
  };
  try {
    writeKubeconfigs(pki, server);
    const etcd = start('etcd', c.etcd(ports));
    await waitHealthy(etcd, `http://127.0.0.1:${ports.etcdClient}/health`, {}, 30_000);
    addLoopbackAddress(c.apiserverPodAddress);
    const api = start('kube-apiserver', c.apiserver(ports, pki));
    const admin = { ca: pki.caCert, ...pki.client('admin') };
    await waitHealthy(api, `${server}/readyz`, admin, 90_000);
    say(`apiserver ready at ${server} (${Math.round((Date.now() - started) / 1000)} s)`);
    const kcm = start('kube-controller-manager', c.controllerManager(ports, pki));
    const sched = start('kube-scheduler', c.scheduler(ports));
    await installCrds();
    await waitHealthy(kcm, `https://127.0.0.1:${ports.controllerManager}/healthz`, {}, 60_000);
    await waitHealthy(sched, `https://127.0.0.1:${ports.scheduler}/healthz`, {}, 60_000);
    const cm = start('cert-manager', c.certManager(ports));
    start('storage-provisioner', storageProvisionerCommand());
    await waitHealthy(cm, `http://127.0.0.1:${ports.certManagerHealth}/livez`, {}, 60_000);
    // Pods are admitted only once their namespace's default service account exists.
    await waitFor(
      'service account default/default',
      async () =>
        (await kubectl(paths.kubeconfig, [
          'get',
          'serviceaccount',
          'default',
          '-n',
          'default',
          '--ignore-not-found',
        ])) !== '',
      60_000,
    );
    await startRealNodes(pki.caCert, start);
    say(`up in ${Math.round((Date.now() - started) / 1000)} s; KUBECONFIG=${paths.kubeconfig}`);
    return paths.kubeconfig;
  } catch (error) {
    say(`start failed, stopping what was started: ${String(error)}`);
    await down();
    throw error;
  }
}

/**
 * Real nodes first: their kubelets (so nothing restarts a container), then every container through
 * the node's containerd, then containerd; then what they leave on disk and in the cgroup tree.
 */
async function stopRealNodes(state: ClusterState): Promise<void> {
  const named = (n: string) => state.processes.filter((p) => p.name === n);
  const timed = async (what: string, step: () => Promise<void> | void) => {
    const t = Date.now();
    await step();
    if (Date.now() - t > 3_000) say(`${what} took ${Math.round((Date.now() - t) / 1000)} s`);
  };
  const engines = realNodeNames.flatMap((n) => named(`kube-router-${n}`));
  await timed('stopping the real kubelets and NetworkPolicy engines', () =>
    Promise.all(
      [...realNodeNames.flatMap((n) => named(`kubelet-${n}`)), ...engines].map((p) => stopProcess(p, 10_000)),
    ).then(() => undefined),
  );

  for (const name of realNodeNames) {
    const runtime = named(`containerd-${name}`);
    if (runtime.some((p) => isAlive(p.pid)))
      await timed(`killing the containers of ${name}`, () => killContainers(layoutOf(name)));
    await timed(`stopping containerd of ${name}`, () =>
      Promise.all(runtime.map((p) => stopProcess(p, 10_000))).then(() => undefined),
    );
  }
  await timed('stopping coredns', () =>
    Promise.all(named('coredns').map((p) => stopProcess(p, 10_000))).then(() => undefined),
  );
  const proxy = named('kube-proxy');
  if (proxy.length)
    await timed('stopping kube-proxy and removing its rules', async () => {
      await Promise.all(proxy.map((p) => stopProcess(p, 10_000)));
      removeKubeProxyRules();
    });
  // After kube-proxy: its rules and the engine's share the filter table. A failure here must not
  // stop `down` halfway (containerd, the control plane and the state would be left behind).
  if (engines.length)
    try {
      removeNetworkPolicyRules();
    } catch (error) {
      say(`removing the NetworkPolicy engine's rules failed: ${String(error)}`);
    }
  if (state.processes.some((p) => p.name.startsWith('kubelet-'))) removeKubeletChains();
  const nodeProcess = (p: Started) =>
    p.name === 'kube-proxy' ||
    p.name === 'coredns' ||
    realNodeNames.some((n) => [`kubelet-${n}`, `containerd-${n}`, `kube-router-${n}`].includes(p.name));
  state.processes = state.processes.filter((p) => !nodeProcess(p));
}

/** Stops every recorded process (the nodes first, so pods end before the API goes) and wipes state. */
export async function down(): Promise<void> {
  const state = readState();
  if (state) await stopRealNodes(state);
  if (state) {
    // After the nodes: the other clients of the API together, then the API server, then etcd.
    const stop = async (names: string[]) =>
      Promise.all(
        state.processes
          .filter((p) => names.includes(p.name))
          .map(async (p) => {
            const t = Date.now();
            await stopProcess(p, 10_000);
            if (Date.now() - t > 3_000)
              say(`${p.name} took ${Math.round((Date.now() - t) / 1000)} s to stop`);
          }),
      );
    const known = ['cert-manager', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'];
    await stop(state.processes.map((p) => p.name).filter((n) => !known.includes(n)));
    await stop(['cert-manager', 'kube-scheduler', 'kube-controller-manager']);
    await stop(['kube-apiserver']);
    await stop(['etcd']);
  }
  for (const name of realNodeNames)
    if (existsSync(layoutOf(name).dir)) {
      const t = Date.now();
      removeRealNode(name);
      if (Date.now() - t > 3_000) say(`removing ${name} took ${Math.round((Date.now() - t) / 1000)} s`);
    }
  for (const dir of ['kube-proxy', 'coredns', 'pv'])
    rmSync(join(paths.root, dir), { recursive: true, force: true });
  for (const dir of [paths.etcdData, paths.state]) rmSync(dir, { recursive: true, force: true });
}

export async function status(): Promise<{ up: boolean; lines: string[] }> {
  const state = readState();
  if (!state) return { up: false, lines: ['down (no .cluster/state.json)'] };
  const lines = [`started ${state.startedAt}, API ${state.server}, KUBECONFIG=${paths.kubeconfig}`];
  for (const p of state.processes)
    lines.push(`${p.name.padEnd(24)} pid ${p.pid} ${isAlive(p.pid) ? 'running' : 'EXITED'}`);
  try {
    const pki = ensurePki(paths.pki);
    const r = await get(`${state.server}/readyz`, { ca: pki.caCert, ...pki.client('admin') });
    lines.push(`apiserver /readyz: ${r.status} ${r.body.trim()}`);
    lines.push(
      (await kubectl(paths.kubeconfig, ['get', 'nodes', '-o', 'wide'], undefined, 10_000)).trimEnd(),
    );
  } catch (error) {
    lines.push(`apiserver unreachable: ${String(error)}`);
  }
  return { up: isUp(), lines };
}
