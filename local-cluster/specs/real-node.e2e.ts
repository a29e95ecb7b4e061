// Proof that a node of the local cluster (kubelet v1.37.2, containerd, runc) is real,
// on pods of the operator image the project builds (it has node, so each check is a `node -e`
// script): the container runs as its securityContext's UID and GID, cannot write its read-only
// root, is OOMKilled at its memory limit, sees a Secret update through the kubelet's atomic writer,
// and `kubectl logs`/`exec`/`port-forward` reach it through the kubelet's API; its pod address on
// the node's bridge answers from the cluster's network namespace. An image that would have to be
// pulled fails with the kubelet's own reason. Across the three real nodes: a StatefulSet spread over
// all three, pods reaching pods on other nodes through the namespace's routes between the nodes'
// bridges, a ClusterIP Service answered through kube-proxy's rules, and cluster DNS (CoreDNS) for a
// Service name and a StatefulSet pod's name under its headless Service; a pod's in-cluster client
// reaches the API server through the `kubernetes` Service as its ServiceAccount.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { imageArchive, toolPath } from '../tools/tools.ts';
import { get } from '../harness/health.ts';
import { freePort } from '../harness/ports.ts';
import { clusterDnsIp, clusterDomain } from '../node/config.ts';
import { realNodeNames } from '../node/real-node.ts';
import {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  isReady,
  k,
  kubeconfig,
  waitUntil,
} from '../harness/k8s.ts';

jest.setTimeout(300_000);

let ns = '';
let image = '';
const node = realNodeNames[0] ?? '';

/** A pod pinned to the first node. */
const pod = (name: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': node },
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image, imagePullPolicy: 'Never', ...container }],
    ...extra,
  },
});

/** `node -e SCRIPT` in the container, keeping it running afterwards so exec can reach it. */
const nodeScript = (script: string) => ({
  command: ['node', '-e', `${script}; setInterval(() => {}, 1 << 30)`],
});

const readyPod = (name: string) =>
  waitUntil(
    `pod ${name} Ready`,
    async () => {
      const p = await getJson(['get', 'pod', name, '-n', ns]);
      const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && waiting.reason !== 'ContainerCreating')
        throw new Error(`${waiting.reason}: ${waiting.message ?? ''}`);
      return isReady(p) && p;
    },
    120_000,
  );

/** This machine's hard nofile limit, as the harness (and so runc's base spec) sees it. */
const hostNofileHard = () =>
  Math.min(
    Number(
      readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'))
        ?.split(/\s+/)[4] ?? NaN,
    ),
    1_048_576,
  );

const exec = (name: string, script: string) => k(['exec', name, '-n', ns, '--', 'node', '-e', script]);

beforeAll(async () => {
  image = imageArchive('nats-warden').reference;
  ns = await createNamespace('real-node');
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('a real node', () => {
  test('is a kubelet v1.37.2 on containerd', async () => {
    const info = (await getJson(['get', 'node', node])).status.nodeInfo;
    expect(info.kubeletVersion).toBe('v1.37.2');
    expect(info.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
  });

  test('runs the container as its securityContext UID, on a read-only root; logs and exec work', async () => {
    await apply([
      pod(
        'identity',
        {
          ...nodeScript(`
            const fs = require('node:fs');
            let write = 'written';
            try { fs.writeFileSync('/proof', 'x'); } catch (e) { write = e.code; }
            console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(), write }));
          `),
          securityContext: {
            runAsUser: 12345,
            runAsGroup: 23456,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
        },
        { securityContext: { supplementalGroups: [34567] } },
      ),
    ]);
    const p = await readyPod('identity');
    expect(p.status.containerStatuses[0].containerID).toMatch(/^containerd:\/\//);
    // On the node's bridge: the node address is the gateway of the pods' /24.
    const nodeIp = (await getJson(['get', 'node', node])).status.addresses.find(
      (a: { type: string }) => a.type === 'InternalIP',
    ).address;
    expect(p.status.podIP.split('.').slice(0, 3)).toEqual(nodeIp.split('.').slice(0, 3));
    expect(p.status.podIP).not.toBe(nodeIp);
    const logged = await waitUntil('the identity line in kubectl logs', async () =>
      (await k(['logs', 'identity', '-n', ns])).trim(),
    );
    const seen = JSON.parse(logged);
    expect(seen).toMatchObject({ uid: 12345, gid: 23456, write: 'EROFS' });
    expect(seen.groups).toEqual(expect.arrayContaining([23456, 34567]));
    // exec: a second process in the same container, same identity, same read-only root.
    const out = await exec(
      'identity',
      `let w = 'written'; try { require('node:fs').writeFileSync('/usr/proof', 'x'); } catch (e) { w = e.code; }
       const fs = require('node:fs');
       const nofile = fs.readFileSync('/proc/self/limits', 'utf8').split('\\n').find((l) => l.startsWith('Max open files'));
       console.log(process.getuid(), w, fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0')[0], nofile.split(/\\s+/)[4])`,
    );
    // The nofile rlimit is the one the node's base spec pins: this machine's hard limit (node/config.ts).
    expect(out.trim()).toBe(`12345 EROFS node ${hostNofileHard()}`);
  });

  test('kills the container at its memory limit (OOMKilled)', async () => {
    await apply([
      pod('hungry', {
        // Prints the memory limit runc set on its cgroup, then allocates 8 MiB at a time (filled, so
        // the pages are really used) and logs the total; without a working limit it stops at 512 MiB
        // and exits 0, so the spec fails without exhausting the shared machine.
        command: [
          'node',
          '-e',
          `const fs = require('node:fs');
           console.log('limit', fs.readFileSync('/sys/fs/cgroup/memory/memory.limit_in_bytes', 'utf8').trim());
           const kept = [];
           setInterval(() => {
             const allocated = kept.length * (8 << 20);
             console.log('allocated', allocated);
             if (allocated > 512 * 1024 * 1024) { console.log('not killed'); process.exit(0); }
             kept.push(Buffer.alloc(8 << 20, 1));
           }, 5);`,
        ],
        resources: { limits: { memory: '128Mi', cpu: '500m' }, requests: { memory: '128Mi', cpu: '100m' } },
      }),
    ]);
    const terminated = await waitUntil(
      'hungry terminated',
      async () =>
        (await getJson(['get', 'pod', 'hungry', '-n', ns])).status?.containerStatuses?.[0]?.state?.terminated,
      120_000,
    );
    const lines = (await k(['logs', 'hungry', '-n', ns])).split('\n');
    const allocated = lines.filter((l) => l.startsWith('allocated ')).map((l) => Number(l.split(' ')[1]));
    expect(terminated.reason).toBe('OOMKilled');
    expect(terminated.exitCode).toBe(137);
    // The kubelet's limit is on the container's memory cgroup; the container ran and grew (the
    // limit, not a failed start, ended it) and was killed before it held more than the limit.
    expect(lines).toContain(`limit ${128 * 1024 * 1024}`);
    expect(allocated.length).toBeGreaterThan(2);
    expect(Math.max(...allocated)).toBeLessThan(128 * 1024 * 1024);
  });

  test("sees a Secret update through the kubelet's atomic writer", async () => {
    const secret = (value: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'watched', namespace: ns },
      stringData: { token: value },
    });
    await apply([secret('one')]);
    await apply([
      pod(
        'reader',
        {
          ...nodeScript(`console.log('reading')`),
          securityContext: { runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'watched', mountPath: '/etc/watched', readOnly: true }],
        },
        { volumes: [{ name: 'watched', secret: { secretName: 'watched' } }] },
      ),
    ]);
    await readyPod('reader');
    const look = async () =>
      JSON.parse(
        await exec(
          'reader',
          `const fs = require('node:fs');
           let write = 'written'; try { fs.writeFileSync('/etc/watched/x', 'x'); } catch (e) { write = e.code; }
           console.log(JSON.stringify({ data: fs.readlinkSync('/etc/watched/..data'), token: fs.readlinkSync('/etc/watched/token'),
             value: fs.readFileSync('/etc/watched/token', 'utf8'), write }))`,
        ),
      );
    const before = await look();
    expect(before).toMatchObject({ token: '..data/token', value: 'one', write: 'EROFS' });
    expect(before.data).toMatch(/^\.\.\d{4}_/); // the writer's timestamped directory
    const changed = Date.now();
    await apply([secret('two')]);
    // The kubelet syncs a pod, and so refreshes its Secret volumes, every minute (node/config.ts
    // syncFrequency, the default) or at once when the pod changes: this annotation, as the operator
    // annotates its servers (src/controllers/natscluster/volume-refresh.ts).
    await k(['annotate', 'pod', 'reader', '-n', ns, '--overwrite', `natswarden.io/touched=${changed}`]);
    const after = await waitUntil(
      'the new Secret value in the pod',
      async () => {
        const now = await look();
        return now.value === 'two' && now;
      },
      30_000,
      1_000,
    );
    process.stderr.write(`real-node.e2e: Secret update seen after ${Date.now() - changed} ms\n`);
    expect(after.token).toBe('..data/token');
    expect(after.data).not.toBe(before.data); // a new directory swapped in, not a file rewritten
  });

  test('serves a pod port on its bridge address and through kubectl port-forward', async () => {
    await apply([
      pod(
        'web',
        nodeScript(
          `require('node:http').createServer((q, s) => s.end('hello from ' + require('node:os').hostname())).listen(8080)`,
        ),
      ),
    ]);
    const p = await readyPod('web');
    const direct = await waitUntil('GET on the pod address', async () => {
      const r = await get(`http://${p.status.podIP}:8080/`);
      return r.status === 200 && r.body;
    });
    expect(direct).toBe('hello from web');
    const local = await freePort();
    const forward = spawn(
      toolPath('kubectl'),
      [`--kubeconfig=${kubeconfig()}`, 'port-forward', '-n', ns, 'pod/web', `${local}:8080`],
      { stdio: 'ignore' },
    );
    try {
      const forwarded = await waitUntil('GET through kubectl port-forward', async () => {
        const r = await get(`http://127.0.0.1:${local}/`);
        return r.status === 200 && r.body;
      });
      expect(forwarded).toBe('hello from web');
    } finally {
      forward.kill();
    }
  });

  test('refuses clearly an image that would have to be pulled', async () => {
    await apply([
      pod('never-pull', { image: 'localhost/not-imported:1', command: ['node'] }),
      pod('always-pull', { imagePullPolicy: 'Always', command: ['node'] }),
    ]);
    const waitingReason = (name: string, reasons: string[]) =>
      waitUntil(`${name} waiting with ${reasons.join(' or ')}`, async () => {
        const w = (await getJson(['get', 'pod', name, '-n', ns])).status?.containerStatuses?.[0]?.state
          ?.waiting;
        return reasons.includes(w?.reason) && w;
      });
    const never = await waitingReason('never-pull', ['ErrImageNeverPull']);
    expect(never.message).toContain('localhost/not-imported:1');
    const always = await waitingReason('always-pull', ['ErrImagePull', 'ImagePullBackOff']);
    expect(always.message ?? '').toContain(image);
  });
});

/** `node -e SCRIPT` in a pod of the spread StatefulSet; SCRIPT prints its answer. */
const execIn = (name: string, script: string) => k(['exec', name, '-n', ns, '--', 'node', '-e', script]);

/** An HTTP GET from inside a pod, each on a new connection; prints the bodies as a JSON array. */
const getFrom = (name: string, url: string, times = 1) =>
  execIn(
    name,
    `const http = require('node:http');
     const once = () => new Promise((ok, fail) => {
       const q = http.get(${JSON.stringify(url)}, { agent: false, timeout: 5000 }, (r) => {
         let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => ok(b));
       });
       q.on('timeout', () => q.destroy(new Error('timeout'))); q.on('error', fail);
     });
     (async () => { const out = []; for (let i = 0; i < ${times}; i++) out.push(await once()); console.log(JSON.stringify(out)); })()
       .catch((e) => { console.error(e.message); process.exit(1); });`,
  ).then((out) => JSON.parse(out) as string[]);

const subnet24 = (ip: string) => ip.split('.').slice(0, 3).join('.');

describe('three real nodes', () => {
  const labels = { app: 'spread' };
  let pods: { name: string; node: string; ip: string }[] = [];

  beforeAll(async () => {
    const port = { name: 'http', port: 8080, targetPort: 8080 };
    await apply([
      // Headless: DNS names each pod (spread-0.spread.<ns>.svc.cluster.local).
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'spread', namespace: ns },
        spec: { clusterIP: 'None', selector: labels, ports: [port] },
      },
      // A ClusterIP on port 80, translated by kube-proxy to the pods' 8080.
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { selector: labels, ports: [{ ...port, port: 80 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'spread', namespace: ns },
        spec: {
          serviceName: 'spread',
          replicas: 3,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              // One per node, so every pair of pods is a pair of nodes.
              affinity: {
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' },
                  ],
                },
              },
              terminationGracePeriodSeconds: 1,
              containers: [
                {
                  name: 'main',
                  image,
                  imagePullPolicy: 'Never',
                  ...nodeScript(
                    `require('node:http').createServer((q, s) => s.end(require('node:os').hostname())).listen(8080)`,
                  ),
                  readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      },
    ]);
    const ready = await waitUntil(
      'three spread pods Ready',
      async () => {
        const items = (await getJson(['get', 'pods', '-n', ns, '-l', 'app=spread'])).items;
        return items.length === 3 && items.every(isReady) && items;
      },
      180_000,
    );
    pods = ready.map(
      (p: { metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string } }) => ({
        name: p.metadata.name,
        node: p.spec.nodeName,
        ip: p.status.podIP,
      }),
    );
    pods.sort((a, b) => a.name.localeCompare(b.name));
  });

  test('each node is its own kubelet v1.37.2 on its own containerd; the pods land on all three', async () => {
    for (const name of realNodeNames) {
      const n = await getJson(['get', 'node', name]);
      expect(n.status.nodeInfo.kubeletVersion).toBe('v1.37.2');
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
      expect(isReady(n)).toBe(true);
    }
    expect(new Set(pods.map((p) => p.node))).toEqual(new Set(realNodeNames));
    // Each pod is on its own node's subnet: the node's address is the gateway of its pods' /24.
    for (const p of pods) {
      const nodeIp = (await getJson(['get', 'node', p.node])).status.addresses.find(
        (a: { type: string }) => a.type === 'InternalIP',
      ).address;
      expect(subnet24(p.ip)).toBe(subnet24(nodeIp));
    }
    expect(new Set(pods.map((p) => subnet24(p.ip))).size).toBe(3);
  });

  test('a pod reaches the pods on the other two nodes by their pod addresses', async () => {
    const [from, ...others] = pods;
    for (const other of others) {
      const answers = await getFrom(from!.name, `http://${other.ip}:8080/`);
      expect(answers).toEqual([other.name]);
    }
  });

  test('a pod reaches a ClusterIP Service through kube-proxy, answered by the pods on all three nodes (itself included)', async () => {
    const clusterIp = (await getJson(['get', 'service', 'web', '-n', ns])).spec.clusterIP;
    expect(clusterIp).toMatch(/^10\.96\./);
    // 30 new connections from spread-0 to the ClusterIP's port 80: kube-proxy's rules pick an
    // endpoint at random each time (and map 80 to 8080), so all three pods answer (a miss has odds
    // of 3 x (2/3)^30, about 1 in 65,000): the two on other nodes, and spread-0 itself, which is
    // the hairpin case (the reply must be un-NATed on the pod's own bridge).
    const answers = await waitUntil('answers through the ClusterIP', async () =>
      getFrom(pods[0]!.name, `http://${clusterIp}:80/`, 30),
    );
    expect(answers).toHaveLength(30);
    expect(new Set(answers)).toEqual(new Set(pods.map((p) => p.name)));
  });

  test('a pod reaches the API server through the `kubernetes` Service as its ServiceAccount, and RBAC decides', async () => {
    // In-cluster configuration as client libraries read it: the kubelet's KUBERNETES_SERVICE_*
    // variables, the projected token and CA. 403 names the pod's ServiceAccount (the request came
    // through with its token); a RoleBinding then lets the same request list the namespace's pods.
    const listPods = async () =>
      JSON.parse(
        await execIn(
          pods[1]!.name,
          `const fs = require('node:fs');
           const sa = '/var/run/secrets/kubernetes.io/serviceaccount/';
           const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
           require('node:https').get({ host, port, path: '/api/v1/namespaces/${ns}/pods',
             ca: fs.readFileSync(sa + 'ca.crt'), servername: 'kubernetes.default.svc',
             headers: { authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } }, (r) => {
             let body = ''; r.on('data', (d) => (body += d));
             r.on('end', () => console.log(JSON.stringify({ host, status: r.statusCode, body: JSON.parse(body) })));
           }).on('error', (e) => { console.error(e.code); process.exit(1); });`,
        ),
      );
    const refused = await listPods();
    expect(refused.host).toBe('10.96.0.1');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(`system:serviceaccount:${ns}:default`);
    await apply([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'list-pods', namespace: ns },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'list-pods', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'list-pods' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
      },
    ]);
    const allowed = await waitUntil('the RoleBinding in effect', async () => {
      const r = await listPods();
      return r.status === 200 && r;
    });
    const listed = allowed.body.items.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect(listed).toEqual(expect.arrayContaining(pods.map((p) => p.name)));
  });

  test('a pod resolves a Service and a StatefulSet pod by name through cluster DNS (CoreDNS)', async () => {
    const clusterIp = (await getJson(['get', 'service', 'web', '-n', ns])).spec.clusterIP;
    const target = pods[2]!;
    const seen = JSON.parse(
      await execIn(
        pods[0]!.name,
        `const dns = require('node:dns').promises;
         const fs = require('node:fs');
         (async () => console.log(JSON.stringify({
           resolvConf: fs.readFileSync('/etc/resolv.conf', 'utf8'),
           short: (await dns.lookup('web', { family: 4 })).address,
           service: await dns.resolve4('web.${ns}.svc.${clusterDomain}'),
           pod: await dns.resolve4('${target.name}.spread.${ns}.svc.${clusterDomain}'),
         })))().catch((e) => { console.error(e.code, e.hostname); process.exit(1); });`,
      ),
    );
    // The kubelet's resolv.conf names the kube-dns ClusterIP; the short name resolves through the
    // search path the kubelet wrote.
    expect(seen.resolvConf).toContain(`nameserver ${clusterDnsIp}`);
    expect(seen.resolvConf).toContain(`search ${ns}.svc.${clusterDomain}`);
    expect(seen.short).toBe(clusterIp);
    expect(seen.service).toEqual([clusterIp]);
    expect(seen.pod).toEqual([target.ip]);
    // And by name, through kube-proxy, to a pod.
    const answers = await getFrom(pods[0]!.name, 'http://web/', 3);
    for (const a of answers) expect(pods.map((p) => p.name)).toContain(a);
  });
});
