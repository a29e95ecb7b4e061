// The three nodes of the local cluster, each containerd + runc and a kubelet v1.37.2 registered to the local API server, pods on a CNI bridge of its own inside
// the cluster's private network namespace, which routes between the bridges. The project's images
// are imported into each node's containerd (no registry is reachable, so nothing can be pulled).
// Everything lives under .cluster/nodes/<name>; `down` kills the node's containers, unmounts what
// they left and removes the cgroups.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { imageArchive, toolPath } from '../tools/tools.ts';
import { IMAGE_NAMES } from '../tools/images.ts';
import { paths } from '../paths.ts';
import { nodeLayout, writeNodeConfig, type NodeLayout } from './config.ts';
import { pauseImage } from './pause-image.ts';

const execFileAsync = promisify(execFile);

export const realNodeNames = ['warden-real-1', 'warden-real-2', 'warden-real-3'];

/** The pki identity of a real node's kubelet (pki.ts clientIdentities). */
export const kubeletIdentity = (name: string) => `node-${name}`;

const clusterKey = () => createHash('sha256').update(paths.root).digest('hex').slice(0, 8);

/**
 * The node's slot names its bridge (nwr<slot>), its address (10.245.<slot>.1) and its pods' subnet
 * (10.245.<slot>.0/24). Two clusters may share a network namespace (the named one, or a spec that
 * starts a second cluster), so `up` claims the first slot whose address no interface here has yet,
 * and records it in the node's directory for `down`.
 */
const slotFile = (name: string) => join(paths.root, 'nodes', name, 'slot');

export const layoutOf = (name: string): NodeLayout => {
  const recorded = existsSync(slotFile(name)) ? Number(readFileSync(slotFile(name), 'utf8')) : NaN;
  const slot = Number.isInteger(recorded) ? recorded : realNodeNames.indexOf(name) + 1;
  return nodeLayout(paths.root, name, slot, clusterKey());
};

function claimSlot(name: string): void {
  const addresses = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  for (let slot = 1; slot <= 250; slot++)
    if (!addresses.includes(` 10.245.${slot}.1/`)) {
      mkdirSync(dirname(slotFile(name)), { recursive: true });
      writeFileSync(slotFile(name), `${slot}\n`);
      return;
    }
  throw new Error('no free real-node slot (10.245.1-250.0/24) in this network namespace');
}

/** The cgroup hierarchies mounted under /sys/fs/cgroup; `unified` (the hybrid layout's cgroup v2 tree) only when asked. */
const hierarchies = (withUnified = false) =>
  readdirSync('/sys/fs/cgroup').filter(
    (d) => (withUnified || d !== 'unified') && existsSync(join('/sys/fs/cgroup', d, 'cgroup.procs')),
  );

/** The node's cgroup root in every v1 hierarchy (the kubelet requires it to exist); cpuset gets its parent's CPUs and memory nodes. */
function createCgroupRoot(node: NodeLayout): void {
  for (const h of hierarchies()) {
    const dir = join('/sys/fs/cgroup', h, node.cgroupRoot);
    mkdirSync(dir, { recursive: true });
    if (h === 'cpuset')
      for (const file of ['cpuset.cpus', 'cpuset.mems'])
        writeFileSync(join(dir, file), readFileSync(join('/sys/fs/cgroup', h, file), 'utf8'));
  }
}

/** Removes the node's cgroups, deepest first (each must be empty of processes by now); the kubelet also makes them in the unified tree. */
function removeCgroupRoot(node: NodeLayout): void {
  const removeTree = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      rmSync(dir, { recursive: false });
    } catch {
      try {
        execFileSync('rmdir', [dir], { stdio: 'ignore' });
      } catch {
        // a process is still in it; left for the next `down`
      }
    }
  };
  for (const h of hierarchies(true)) removeTree(join('/sys/fs/cgroup', h, node.cgroupRoot));
}

/**
 * The node address (the kubelet refuses a loopback one) is the pods' gateway on the node's bridge:
 * the bridge is made here, in the cluster's network namespace, before the CNI plugin would make it,
 * so the kubelet can listen on it from the start (this kernel has no dummy interfaces).
 */
function addNodeAddress(node: NodeLayout): void {
  const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    ip(['link', 'show', node.bridge]);
  } catch {
    ip(['link', 'add', node.bridge, 'type', 'bridge']);
  }
  ip(['addr', 'replace', `${node.nodeIp}/24`, 'dev', node.bridge]);
  ip(['link', 'set', node.bridge, 'up']);
  // Pods of one node reach pods of another through the namespace, which routes between the bridges
  // (each bridge's /24 is a connected route here): forwarding is off in a new network namespace.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
}

/** kubelet's device-plugin directory, fixed in kubelet (k8s.io/kubelet pkg/apis/deviceplugin/v1beta1 DevicePluginPath). */
const fixedDevicePluginDir = '/var/lib/kubelet/device-plugins';

/**
 * The kubelet keeps its device-plugin socket and checkpoint in a fixed directory (devicemanager
 * manager.go: `socketPath := pluginapi.KubeletSocket`; the registration server wipes the directory
 * when it starts), so three kubelets on one machine would take it from each other. Each runs in a
 * mount namespace of its own with the node's directory bind-mounted there. The kubelet's root dir
 * must stay visible to containerd (secret tmpfs, volume mounts): it is made a shared mount here
 * first, so its copy in the kubelet's namespace is a peer and every mount under it propagates back
 * (kubelet's own MakeRShared then finds it shared and does nothing). The mount holding the fixed
 * directory is made private in the kubelet's namespace, so that bind never propagates back.
 */
function inOwnMountNamespace(node: NodeLayout, command: string[]): string[] {
  mkdirSync(fixedDevicePluginDir, { recursive: true });
  if (!mountsUnder(node.kubeletRoot).includes(node.kubeletRoot))
    execFileSync('mount', ['--bind', node.kubeletRoot, node.kubeletRoot]);
  execFileSync('mount', ['--make-rshared', node.kubeletRoot]);
  const script = [
    'set -e',
    `mount --make-private "$(findmnt -no TARGET -T ${fixedDevicePluginDir})"`,
    `mount --bind "$1" ${fixedDevicePluginDir}`,
    'shift',
    'exec "$@"',
  ].join('\n');
  return [
    'unshare',
    '--mount',
    '--propagation',
    'unchanged',
    '--',
    'sh',
    '-c',
    script,
    'kubelet-mount-ns',
    node.devicePlugins,
    ...command,
  ];
}

export const ctr = (node: NodeLayout, args: string[], timeout = 120_000): string =>
  execFileSync('ctr', ['--address', node.socket, '--namespace', 'k8s.io', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
  });

/**
 * Imports the sandbox image and the project's images into the node's containerd; returns their
 * references. Asynchronous, so the nodes import at the same time (unpacking is most of `up`).
 */
export async function importImages(node: NodeLayout): Promise<string[]> {
  const images = [pauseImage(), ...IMAGE_NAMES.map((n) => imageArchive(n))];
  const base = (reference: string) => reference.slice(0, reference.lastIndexOf(':'));
  for (const image of images)
    await execFileAsync(
      'ctr',
      [
        '--address',
        node.socket,
        '--namespace',
        'k8s.io',
        'images',
        'import',
        '--base-name',
        base(image.reference),
        image.archive,
      ],
      { timeout: 300_000 },
    );
  // The operator renders its reloader sidecar with the name a release publishes the image under
  // (render/context.ts OPERATOR_IMAGE); the image built here from this checkout is that release.
  const operator = imageArchive('nats-warden');
  const published = publishedOperatorImage(operator.tag);
  await execFileAsync(
    'ctr',
    [
      '--address',
      node.socket,
      '--namespace',
      'k8s.io',
      'images',
      'tag',
      '--force',
      operator.reference,
      published,
    ],
    { timeout: 60_000 },
  );
  return [...images.map((i) => i.reference), published];
}

/** The name a release of this version publishes the operator image under (the Dockerfile's image.source). */
export const publishedOperatorImage = (tag: string): string =>
  `ghcr.io/nats-warden/nats-warden:${tag.slice(0, tag.indexOf('-'))}`;

export interface NodeCommands {
  node: NodeLayout;
  containerd: string[];
  kubelet: string[];
}

/** Writes the node's configuration; returns the commands that run it. Call before starting anything. */
export function prepareRealNode(
  name: string,
  ports: { port: number; healthz: number },
  caCert: string,
): NodeCommands {
  if (!process.env.NATS_WARDEN_NETNS)
    throw new Error(
      'a real node runs only inside the cluster network namespace (local-cluster/harness/netns.sh): ' +
        'its CNI bridge must never be created on the host network',
    );
  // `ip netns exec` remounts /sys without the cgroup mounts; netns.sh enters with nsenter instead.
  if (!existsSync('/sys/fs/cgroup/memory/cgroup.procs'))
    throw new Error(
      'a real node needs the cgroup v1 mounts under /sys/fs/cgroup, which this mount namespace does not ' +
        'show (entered with `ip netns exec`?): start it through local-cluster/harness/netns.sh',
    );
  claimSlot(name);
  const node = layoutOf(name);
  writeNodeConfig(node, pauseImage().reference, ports, caCert);
  createCgroupRoot(node);
  addNodeAddress(node);
  return {
    node,
    containerd: ['containerd', '--config', node.containerdConfig, '--log-level', 'warn'],
    kubelet: inOwnMountNamespace(node, [
      toolPath('kubelet'),
      `--config=${node.kubeletConfig}`,
      `--kubeconfig=${paths.kubeconfigFor(kubeletIdentity(name))}`,
      `--root-dir=${node.kubeletRoot}`,
      // Not under --root-dir by default: /var/lib/kubelet/pki (device-plugins: inOwnMountNamespace).
      `--cert-dir=${join(node.kubeletRoot, 'pki')}`,
      `--hostname-override=${name}`,
      `--node-ip=${node.nodeIp}`,
      '--v=1',
    ]),
  };
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * The running containers (through each node's containerd: the CRI plugin labels each with its pod's
 * namespace, and a container that exited has no running task) of the pods in `namespace`.
 */
export function runningContainersOf(namespace: string): string[] {
  const lines = (node: NodeLayout, args: string[]) =>
    ctr(node, args, 20_000)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  return realNodeNames.flatMap((name) => {
    const node = layoutOf(name);
    if (!existsSync(node.socket)) return [];
    const ids = new Set(
      lines(node, ['containers', 'list', '--quiet', `labels."io.kubernetes.pod.namespace"==${namespace}`]),
    );
    return lines(node, ['tasks', 'list'])
      .map((l) => l.split(/\s+/))
      .filter(([id, , status]) => id !== undefined && ids.has(id) && status === 'RUNNING')
      .map(([id]) => `${name}/${id}`);
  });
}

/**
 * Kills every container of the node (containerd must still run), removes the pod network namespaces
 * containerd bind-mounted under /var/run/netns, and deletes the tasks so their shims exit.
 */
export function killContainers(node: NodeLayout): void {
  if (!existsSync(node.socket)) return;
  const list = (args: string[]) =>
    ctr(node, args, 20_000)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  let containers: string[];
  try {
    containers = list(['containers', 'list', '--quiet']);
  } catch {
    return; // containerd is not answering; nothing more can be done through it
  }
  const netnsPaths = new Set<string>();
  for (const id of containers) {
    try {
      const info = JSON.parse(ctr(node, ['containers', 'info', id], 20_000)) as {
        Spec?: { linux?: { namespaces?: { type: string; path?: string }[] } };
      };
      for (const ns of info.Spec?.linux?.namespaces ?? [])
        if (ns.type === 'network' && ns.path?.startsWith('/var/run/netns/cni-')) netnsPaths.add(ns.path);
    } catch {
      // gone meanwhile
    }
    for (const args of [
      ['tasks', 'kill', '--signal', 'SIGKILL', id],
      ['tasks', 'delete', '--force', id],
      ['containers', 'delete', id],
    ])
      try {
        ctr(node, args, 20_000);
      } catch {
        // no task, or already deleted
      }
  }
  // The CNI library caches each attachment's result under /var/lib/cni/results, named after the
  // network and the sandbox; killed without a CNI DEL, the node's entries are removed here.
  const results = '/var/lib/cni/results';
  if (existsSync(results))
    for (const entry of readdirSync(results))
      if (containers.some((id) => entry.includes(`-${id}-`))) rmSync(join(results, entry), { force: true });
  for (const path of netnsPaths) {
    try {
      execFileSync('umount', [path], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
    rmSync(path, { force: true });
  }
}

/**
 * The kubelet links every container log from /var/log/containers (a fixed path); the links into
 * this node's directory are removed with it.
 */
function removeContainerLogLinks(node: NodeLayout): void {
  const dir = '/var/log/containers';
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    try {
      if (readlinkSync(join(dir, entry)).startsWith(`${node.dir}/`))
        rmSync(join(dir, entry), { force: true });
    } catch {
      // not a link
    }
  }
}

/** After containerd and the kubelet are stopped: unmounts what is left under the node's directory, removes it and its cgroups. */
export function removeRealNode(name: string): void {
  const node = layoutOf(name);
  removeContainerLogLinks(node);
  for (const mount of mountsUnder(node.dir))
    try {
      execFileSync('umount', ['--lazy', mount], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  removeCgroupRoot(node);
  if (process.env.NATS_WARDEN_NETNS)
    try {
      execFileSync('ip', ['link', 'del', node.bridge], { stdio: 'ignore' });
    } catch {
      // not there
    }
  rmSync(node.dir, { recursive: true, force: true });
  if (existsSync(dirname(node.dir)) && readdirSync(dirname(node.dir)).length === 0)
    rmSync(dirname(node.dir), { recursive: true });
}
