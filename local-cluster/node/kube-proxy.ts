// kube-proxy v1.37.2 for the local cluster, in iptables mode: this machine
// has no `nft` binary, which the nftables mode drives (sigs.k8s.io/knftables execs it). One process
// serves all three nodes, because they share the cluster's network namespace and so one set of
// netfilter tables: three kube-proxies there would rewrite each other's KUBE-SERVICES chain on every
// sync. It runs as the process of warden-real-1 (its node name only matters for traffic policies
// that say Local). Two clusters may share a namespace (the named one, a spec's second cluster):
// the second starts no kube-proxy of its own and says so. `down` removes kube-proxy's rules and,
// once no kubelet is left in the namespace, the chains the kubelets made there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import { paths } from '../paths.ts';

/** The pods' range: every real node's 10.245.<slot>.0/24 (node/config.ts). */
export const podRange = '10.245.0.0/16';

const dir = () => join(paths.root, 'kube-proxy');

/** The pid of a process named `comm` in this network namespace (a second cluster sharing it), if any. */
export function runningInThisNamespace(comm: 'kube-proxy' | 'kubelet' | 'kube-router'): number | undefined {
  const own = readlinkSync('/proc/self/ns/net');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      if (readlinkSync(`/proc/${entry}/ns/net`) === own) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Writes kube-proxy's configuration; returns its command line. */
export function kubeProxyCommand(nodeName: string, ports: { healthz: number; metrics: number }): string[] {
  if (!process.env.NATS_WARDEN_NETNS)
    throw new Error(
      'kube-proxy runs only inside the cluster network namespace (local-cluster/harness/netns.sh)',
    );
  mkdirSync(dir(), { recursive: true });
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: paths.kubeconfigFor('kube-proxy') },
    mode: 'iptables',
    hostnameOverride: nodeName,
    clusterCIDR: podRange,
    healthzBindAddress: `127.0.0.1:${ports.healthz}`,
    metricsBindAddress: `127.0.0.1:${ports.metrics}`,
    // Zero leaves the conntrack sysctls alone: nf_conntrack_max is global to the machine, not to
    // the namespace.
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
      udpTimeout: '0s',
      udpStreamTimeout: '0s',
    },
  };
  const file = join(dir(), 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  return [toolPath('kube-proxy'), `--config=${file}`, '--v=1'];
}

/**
 * kube-proxy leaves its rules behind when stopped; `--cleanup` removes every chain it made (iptables,
 * and nftables/ipvs where present). Only ever inside the cluster's network namespace.
 */
export function removeKubeProxyRules(): void {
  if (!process.env.NATS_WARDEN_NETNS) return;
  try {
    execFileSync(toolPath('kube-proxy'), ['--cleanup', '--v=0'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // Nothing to remove, or a mode this kernel lacks: cleanup reports that as a failure.
  }
}

/**
 * The kubelets leave chains of their own in the namespace: KUBE-KUBELET-CANARY (filter, nat, mangle;
 * they watch it to notice a flush), KUBE-IPTABLES-HINT (mangle; tells wrappers which iptables
 * backend the kubelet used) and KUBE-FIREWALL (filter, jumped to from INPUT and OUTPUT,
 * dropping non-loopback packets to 127.0.0.0/8). Removed once no kubelet runs in the namespace.
 */
export function removeKubeletChains(): void {
  if (!process.env.NATS_WARDEN_NETNS || runningInThisNamespace('kubelet') !== undefined) return;
  const run = (tool: string, args: string[]) => {
    try {
      execFileSync(tool, args, { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // not there
    }
  };
  for (const tool of ['iptables', 'ip6tables']) {
    for (const from of ['INPUT', 'OUTPUT']) run(tool, ['-t', 'filter', '-D', from, '-j', 'KUBE-FIREWALL']);
    for (const [table, chain] of [
      ['filter', 'KUBE-FIREWALL'],
      ['filter', 'KUBE-KUBELET-CANARY'],
      ['nat', 'KUBE-KUBELET-CANARY'],
      ['mangle', 'KUBE-KUBELET-CANARY'],
      ['mangle', 'KUBE-IPTABLES-HINT'],
    ] as const) {
      run(tool, ['-t', table, '-F', chain]);
      run(tool, ['-t', table, '-X', chain]);
    }
  }
}

/**
 * Makes the Services' ClusterIPs reachable from the namespace itself, where the operator and the
 * specs run as host processes (as a node's own processes do). A locally sent packet is routed before
 * kube-proxy's OUTPUT DNAT rewrites its destination, and the namespace has no default route (a node
 * has one), so without a route to the Service range a connect fails with ENETUNREACH. The range goes
 * to the first node's bridge; after the DNAT the packet is routed again, to its endpoint's bridge.
 * The route goes with the bridge when `down` deletes it.
 */
export function routeServicesFromNamespace(serviceCidr: string, bridge: string): void {
  execFileSync('ip', ['route', 'replace', serviceCidr, 'dev', bridge], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
