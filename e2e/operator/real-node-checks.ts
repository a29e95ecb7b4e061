// What a spec on the real nodes asks of the network and of a namespace: TCP connects from inside an
// operator pod and from the spec's own process (which runs in the cluster's network namespace, under
// no policy), kube-router's rules for a pod (for failure messages), and the objects the operator
// owns in a namespace.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { getJson, k, type Obj } from '@nats-warden/local-cluster';
import type { OperatorPod } from './operator-pods.ts';

/** Objects in `namespace` that a NatsCluster, NatsAccount or NatsUser owns (what the operator made). */
export async function ownedObjects(namespace: string): Promise<string[]> {
  const kinds =
    'statefulsets,services,configmaps,secrets,serviceaccounts,poddisruptionbudgets,certificates,issuers';
  const list = await getJson(['get', kinds, '-n', namespace]);
  return (list.items as Obj[])
    .filter((o) =>
      (o.metadata.ownerReferences ?? []).some((r: Obj) => r.apiVersion.startsWith('natswarden.io/')),
    )
    .map((o) => `${o.kind}/${o.metadata.name}`);
}

/** A TCP connect from inside an operator pod: 'open', or how it failed ('timeout' after 3 s). */
export async function dialFrom(
  pod: OperatorPod,
  namespace: string,
  host: string,
  port: number,
): Promise<string> {
  const script = `const s = require('node:net').connect({ host: '${host}', port: ${port} });
    s.setTimeout(3000, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('open'); process.exit(0); });
    s.on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const exec = ['exec', pod.name, '-n', namespace, '-c', 'operator', '--', 'node', '-e', script];
  return (await k(exec, undefined, 30_000)).trim();
}

/** The filter table's lines that name an address (kube-router's pod chains), for a failure message. */
export const kubeRouterRulesFor = (ip: string) =>
  execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' })
    .split('\n')
    .filter(
      (line) => line.includes(ip) || /KUBE-ROUTER-(FORWARD|INPUT|OUTPUT)|KUBE-POD-FW|KUBE-NWPLCY/.test(line),
    )
    .join('\n');

/** The same TCP connect from the spec's process, which no policy limits. */
export function dialFromHere(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000, () => (socket.destroy(), resolve('timeout')));
    socket.on('connect', () => (socket.destroy(), resolve('open')));
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}
