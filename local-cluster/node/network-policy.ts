// The real node's NetworkPolicy engine: kube-router (versions.json) with only its firewall
// (--run-firewall; no routing, no service proxy), which enforces networking.k8s.io/v1 NetworkPolicy
// with iptables and ipset in the FORWARD path of the node's CNI bridge (bridged traffic reaches
// iptables: br_netfilter, net.bridge.bridge-nf-call-iptables is 1 in a new network namespace).
// Chosen over sigs.k8s.io/kube-network-policies because that one sends packets to user space with
// nftables' `queue` statement, and this kernel is built without CONFIG_NFT_QUEUE (`nft add rule ...
// queue num 100` fails: "No such file or directory"). It runs as a host process of the cluster, in the
// cluster's private network namespace only; its rules and sets are removed again when the node stops.
// One engine per network namespace: kube-router guards the pods whose hostIP is its node's address
// and rewrites the whole filter table's KUBE-ROUTER-* chains on each sync, so two of them in one
// namespace (several real nodes sharing it) would undo each other's rules.
import { execFileSync } from 'node:child_process';
import { toolPath } from '../tools/tools.ts';

/** The chains kube-router's policy controller makes (pkg/controllers/netpol/network_policy_controller.go:29-36). */
const OWN_CHAIN = /^(KUBE-ROUTER-|KUBE-POD-FW-|KUBE-NWPLCY-)/;
/** Its ipsets (same file: kubeSourceIPSetPrefix, kubeDestinationIPSetPrefix; "inet6:" for IPv6). */
const OWN_SET = /^(inet6:)?(KUBE-SRC-|KUBE-DST-)/;

function requireClusterNetns(): void {
  if (!process.env.NATS_WARDEN_NETNS)
    throw new Error(
      'the NetworkPolicy engine runs only inside the cluster network namespace ' +
        '(local-cluster/harness/netns.sh): its iptables rules must never land on the host network',
    );
}

/** The command that enforces NetworkPolicy for the pods of node `name`, with `kubeconfig`'s identity. */
export function networkPolicyEngine(name: string, kubeconfig: string): string[] {
  requireClusterNetns();
  try {
    execFileSync('ipset', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the NetworkPolicy engine (kube-router) needs the ipset command: apt-get install ipset');
  }
  return [
    toolPath('kube-router'),
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${name}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--run-loadbalancer=false',
    // Nothing listens: several clusters may share the network namespace (the named one).
    '--health-port=0',
    '--metrics-port=0',
    '--v=1',
  ];
}

const iptables = (args: string[], input?: string) =>
  execFileSync(args[0] === 'save' ? 'iptables-save' : 'iptables-restore', args.slice(1), {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });

/** True once kube-router has hooked its chains into the filter table (it then enforces every policy it syncs). */
export function networkPolicyEngineHooked(): boolean {
  return /^-A FORWARD .*-j KUBE-ROUTER-FORWARD/m.test(iptables(['save', '-t', 'filter']));
}

/**
 * After kube-router has stopped: removes its chains, the jumps into them and its ipsets from the
 * cluster's network namespace (the anonymous one of a test run goes away by itself; the named one
 * of `npm run cluster` stays, and so would they).
 */
export function removeNetworkPolicyRules(): void {
  requireClusterNetns();
  const saved = iptables(['save', '-t', 'filter']);
  const chainOf = (line: string) => /^(?::|-A )(\S+)/.exec(line)?.[1] ?? '';
  const target = (line: string) => /\s-j (\S+)/.exec(line)?.[1] ?? '';
  const kept = saved
    .split('\n')
    .filter((line) => !OWN_CHAIN.test(chainOf(line)) && !OWN_CHAIN.test(target(line)));
  if (kept.length !== saved.split('\n').length) iptables(['restore', '-T', 'filter'], kept.join('\n'));
  const sets = execFileSync('ipset', ['list', '-n'], { encoding: 'utf8' }).split('\n');
  for (const set of sets.filter((s) => OWN_SET.test(s)))
    try {
      execFileSync('ipset', ['destroy', set], { stdio: 'ignore' });
    } catch {
      // still referenced by a rule of another table; left for the namespace to take
    }
}
