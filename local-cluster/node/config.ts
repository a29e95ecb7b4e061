// The configuration files of one real node, all written under the node's own directory in the
// cluster dir: containerd's config.toml (its own root, state and socket; runc with a base spec whose
// rlimits stay at or below this machine's hard limits), the CNI bridge + host-local network (its
// own conf dir, never /etc/cni/net.d) and the kubelet's KubeletConfiguration (cgroupfs, cgroup v1
// allowed, authenticated and authorized API, a taint so only pods that ask for it land here).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeLayout {
  name: string;
  /** The node's slot (1-250, real-node.ts): its pods get 10.245.<slot>.0/24, the node itself (the pods' gateway) .1. */
  slot: number;
  dir: string;
  containerdRoot: string;
  containerdState: string;
  socket: string;
  runcRoot: string;
  baseSpec: string;
  containerdConfig: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  /** Bind-mounted over the kubelet's fixed /var/lib/kubelet/device-plugins in its own mount namespace. */
  devicePlugins: string;
  kubeletConfig: string;
  podLogs: string;
  /** The cgroup (under every v1 hierarchy) the node's pods live in. */
  cgroupRoot: string;
  nodeIp: string;
  podSubnet: string;
  bridge: string;
}

/** The kube-dns Service's ClusterIP (in the API server's 10.96.0.0/16), which every real kubelet gives its pods as nameserver. */
export const clusterDnsIp = '10.96.0.10';
export const clusterDomain = 'cluster.local';

export function nodeLayout(root: string, name: string, slot: number, clusterKey: string): NodeLayout {
  const dir = join(root, 'nodes', name);
  return {
    name,
    slot,
    dir,
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    socket: join(dir, 'containerd.sock'),
    runcRoot: join(dir, 'runc'),
    baseSpec: join(dir, 'base-spec.json'),
    containerdConfig: join(dir, 'containerd.toml'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    devicePlugins: join(dir, 'device-plugins'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    podLogs: join(dir, 'pod-logs'),
    cgroupRoot: `/nats-warden-${clusterKey}-${name}`,
    nodeIp: `10.245.${slot}.1`,
    podSubnet: `10.245.${slot}.0/24`,
    bridge: `nwr${slot}`,
  };
}

/** This process's hard limit for a resource (from /proc/self/limits), or undefined when unlimited. */
function hardLimit(resource: string): number | undefined {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(resource));
  const hard = line?.slice(resource.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? undefined : Number(hard);
}

/**
 * runc's base spec: containerd's default (`ctr oci spec`) with a nofile rlimit a process without
 * CAP_SYS_RESOURCE may set (at most the hard limit it has itself). Issue 12's probe saw `error
 * setting rlimit type 7: operation not permitted` (7 is RLIMIT_NOFILE); started by this harness,
 * containerd's own defaults did not fail, so this pins the limit as a guard.
 */
function writeBaseSpec(node: NodeLayout): void {
  const spec = JSON.parse(execFileSync('ctr', ['oci', 'spec'], { encoding: 'utf8' })) as {
    process: { rlimits?: { type: string; hard: number; soft: number }[] };
  };
  const nofile = Math.min(hardLimit('Max open files') ?? 1_048_576, 1_048_576);
  spec.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }];
  writeFileSync(node.baseSpec, JSON.stringify(spec, null, 2) + '\n');
}

function writeContainerdConfig(node: NodeLayout, sandboxImage: string): void {
  const q = JSON.stringify;
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  writeFileSync(
    node.containerdConfig,
    [
      'version = 2',
      `root = ${q(node.containerdRoot)}`,
      `state = ${q(node.containerdState)}`,
      // Snapshotters this machine cannot use only log errors; leave them out.
      'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
      '[grpc]',
      `  address = ${q(node.socket)}`,
      '[ttrpc]',
      `  address = ${q(`${node.socket}.ttrpc`)}`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = ${q(join(node.dir, 'opt'))}`,
      `${cri}]`,
      `  sandbox_image = ${q(sandboxImage)}`,
      // No CAP_SYS_RESOURCE here: a pod may not get a lower oom_score_adj than containerd's.
      '  restrict_oom_score_adj = true',
      '  enable_selinux = false',
      `${cri}.containerd]`,
      '  snapshotter = "overlayfs"',
      '  default_runtime_name = "runc"',
      `${cri}.containerd.runtimes.runc]`,
      '  runtime_type = "io.containerd.runc.v2"',
      `  base_runtime_spec = ${q(node.baseSpec)}`,
      `${cri}.containerd.runtimes.runc.options]`,
      '  BinaryName = "runc"',
      `  Root = ${q(node.runcRoot)}`,
      '  SystemdCgroup = false',
      `${cri}.cni]`,
      '  bin_dir = "/usr/lib/cni"',
      `  conf_dir = ${q(node.cniConfDir)}`,
      '  max_conf_num = 1',
      '',
    ].join('\n'),
  );
}

/** A bridge in the cluster's network namespace with the node's pod subnet; no masquerading, no port maps. */
function writeCniConfig(node: NodeLayout): void {
  const conflist = {
    cniVersion: '1.0.0',
    name: `nats-warden-${node.name}`,
    plugins: [
      {
        type: 'bridge',
        bridge: node.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: node.podSubnet, gateway: node.nodeIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: node.cniIpamDir,
        },
      },
    ],
  };
  writeFileSync(join(node.cniConfDir, '10-nats-warden.conflist'), JSON.stringify(conflist, null, 2) + '\n');
}

export interface KubeletPorts {
  port: number;
  healthz: number;
}

function writeKubeletConfig(node: NodeLayout, ports: KubeletPorts, caCert: string): void {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // cgroup v1 hybrid here: kubelet 1.35+ refuses it unless told not to.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: node.cgroupRoot,
    containerRuntimeEndpoint: `unix://${node.socket}`,
    address: node.nodeIp,
    port: ports.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: ports.healthz,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: caCert },
    },
    authorization: { mode: 'Webhook' },
    podLogsDir: node.podLogs,
    // The kubelet's default, as in production: a pod's Secret and ConfigMap volumes are refreshed on
    // its periodic sync (this often) or when the pod changes, which the operator uses to bring a
    // changed config to its servers at once (src/controllers/natscluster/volume-refresh.ts).
    syncFrequency: '1m',
    failSwapOn: false,
    // The machine's disk and memory are shared; evict only when nearly nothing is left, and never
    // garbage-collect the imported images (they cannot be pulled back).
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Pods (dnsPolicy ClusterFirst) get CoreDNS (node/cluster-dns.ts) and the cluster's search path;
    // nothing of the host's resolver.
    resolvConf: '',
    clusterDNS: [clusterDnsIp],
    clusterDomain,
    maxPods: 30,
    serializeImagePulls: false,
  };
  writeFileSync(node.kubeletConfig, JSON.stringify(config, null, 2) + '\n');
}

export function writeNodeConfig(
  node: NodeLayout,
  sandboxImage: string,
  ports: KubeletPorts,
  caCert: string,
): void {
  for (const d of [
    node.dir,
    node.cniConfDir,
    node.cniIpamDir,
    node.kubeletRoot,
    node.devicePlugins,
    node.podLogs,
  ])
    mkdirSync(d, { recursive: true });
  writeBaseSpec(node);
  writeContainerdConfig(node, sandboxImage);
  writeCniConfig(node);
  writeKubeletConfig(node, ports, caCert);
}
