// Config mode: an account lives in the servers' auth include and is applied by a config reload, so
// it is Ready once every server has loaded it — read from each server's own report (/accountz lists
// the accounts the server has loaded), never assumed from a timer or from the Secret being written.
import type { V1Pod } from '@kubernetes/client-node';
import { accountNameOf, type NatsAccount, type NatsCluster } from '../../api/index.ts';
import { fetchMonitor } from '../../nats/monitor.ts';
import { PORTS, podFqdn } from '../../render/index.ts';

export interface LoadedOutcome {
  ready: boolean;
  reason: string;
  message: string;
  servers: number;
  current: number;
}

const ordinalOf = (pod: V1Pod) => Number(/-(\d+)$/.exec(pod.metadata?.name ?? '')?.[1] ?? -1);

/** Asks every server pod whether it has loaded the account. Never throws: unreachable servers count as not loaded. */
export async function loadedByServers(
  cluster: NatsCluster,
  account: NatsAccount,
  pods: V1Pod[],
  trustBundle: string | undefined,
  clusterDomain: string,
): Promise<LoadedOutcome> {
  const name = accountNameOf(account);
  const replicas = cluster.spec.replicas;
  const answers = await Promise.all(
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
        return response.status === 200 ? (response.body.accounts ?? []).includes(name) : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const servers = answers.filter((a) => a !== undefined).length;
  const current = answers.filter((a) => a === true).length;
  const ready = current >= replicas;
  return {
    ready,
    reason: ready ? 'Loaded' : 'Loading',
    message: ready
      ? `all ${current} servers have loaded the account (/accountz)`
      : `${current} of ${replicas} servers have loaded the account (${servers} answered /accountz)`,
    servers,
    current,
  };
}
