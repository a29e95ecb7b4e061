// Asks each server pod of a cluster which accounts it has loaded (/accountz): the servers' own report
// of what configuration they run, for Config-mode accounts and users (the account's name, the auth
// include's load marker). Never throws: a server that does not answer is `undefined`.
import type { V1Pod } from '@kubernetes/client-node';
import type { NatsCluster } from '../api/index.ts';
import { fetchMonitor } from '../nats/monitor.ts';
import { PORTS, podFqdn } from '../render/index.ts';

const ordinalOf = (pod: V1Pod) => Number(/-(\d+)$/.exec(pod.metadata?.name ?? '')?.[1] ?? -1);

/** The cluster's server pods that have an IP. */
export const serverPods = (pods: V1Pod[], cluster: string): V1Pod[] =>
  pods.filter(
    (p) =>
      p.metadata?.labels?.['app.kubernetes.io/instance'] === cluster &&
      p.metadata?.labels?.['app.kubernetes.io/name'] === 'nats' &&
      !p.metadata?.deletionTimestamp &&
      p.status?.podIP,
  );

/** Each pod's /accountz account list, in the order of `pods`; `undefined` where a server did not answer. */
export function accountsOfServers(
  cluster: NatsCluster,
  pods: V1Pod[],
  trustBundle: string | undefined,
  clusterDomain: string,
): Promise<(string[] | undefined)[]> {
  return Promise.all(
    pods.map(async (pod) => {
      try {
        const response = await fetchMonitor<{ accounts?: string[] }>(
          {
            host: pod.status?.podIP ?? '',
            port: PORTS.monitor,
            https: cluster.spec.tls.monitor.https,
            servername: podFqdn(cluster, ordinalOf(pod), clusterDomain),
            ...(trustBundle ? { ca: trustBundle } : {}),
          },
          '/accountz',
        );
        return response.status === 200 ? (response.body.accounts ?? []) : undefined;
      } catch {
        return undefined;
      }
    }),
  );
}
