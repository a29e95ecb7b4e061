// Small reads and waits on the cluster for e2e specs and the demo, through client-node.
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/k8s/client.ts';
import { getJson, waitUntil } from '@nats-warden/local-cluster';
import { diagnose } from './diagnostics.ts';

export interface Api {
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  discovery: DiscoveryV1Api;
}

export function apiFor(kubeconfig: string): Api {
  // The operator's own loader: one pool of kept-alive connections, not a TLS handshake per request.
  const kc = loadKubeConfig(kubeconfig);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

export interface ClusterCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export async function natsCluster(
  api: Api,
  namespace: string,
  name: string,
): Promise<{
  status?: {
    conditions?: ClusterCondition[];
    readyReplicas?: number;
    certificates?: { name: string; notAfter?: string; revision?: number }[];
  };
}> {
  return (await api.custom.getNamespacedCustomObject({
    group: 'natswarden.io',
    version: 'v1alpha1',
    namespace,
    plural: 'natsclusters',
    name,
  })) as never;
}

export const conditionOf = (cluster: { status?: { conditions?: ClusterCondition[] } }, type: string) =>
  cluster.status?.conditions?.find((c) => c.type === type);

export async function waitForCondition(
  api: Api,
  namespace: string,
  name: string,
  type: string,
  status: string,
  timeoutMs: number,
  onProgress?: (line: string) => void,
  /** Ends the wait at once, failed, when it returns a reason (a request the API server refused). */
  giveUp?: (conditions: string) => string | undefined,
): Promise<void> {
  let last = '';
  let gaveUp: string | undefined;
  try {
    await waitUntil(
      `NatsCluster ${namespace}/${name} ${type}=${status}`,
      async () => {
        const cluster = await natsCluster(api, namespace, name);
        const line = (cluster.status?.conditions ?? [])
          .map((c) => `${c.type}=${c.status} (${c.reason}: ${c.message})`)
          .join('; ');
        if (onProgress && line !== last) onProgress(line);
        last = line;
        gaveUp = giveUp?.(line);
        if (gaveUp) return true;
        return conditionOf(cluster, type)?.status === status;
      },
      timeoutMs,
      1_000,
    );
    if (gaveUp)
      throw new Error(`gave up waiting for NatsCluster ${namespace}/${name} ${type}=${status}: ${gaveUp}`);
  } catch (error) {
    const report = await diagnose(api.custom, namespace);
    throw new Error(`${(error as Error).message}; last conditions: ${last}\n${report}`, { cause: error });
  }
}

/** The Degraded condition of a NatsAccount or NatsUser (`kind` as kubectl names it: natsaccount). */
export async function memberDegraded(
  namespace: string,
  kind: 'natsaccount' | 'natsuser',
  name: string,
): Promise<ClusterCondition | undefined> {
  const member = await getJson(['get', kind, name, '-n', namespace]);
  return (member.status?.conditions ?? []).find((c: ClusterCondition) => c.type === 'Degraded');
}

/** Waits until the NatsCluster is Degraded for this reason (not a passing one on the way there). */
export async function waitForDegraded(
  api: Api,
  namespace: string,
  name: string,
  reason: string,
  timeoutMs: number,
): Promise<ClusterCondition> {
  await waitForCondition(api, namespace, name, 'Degraded', 'True', timeoutMs);
  return waitUntil(
    `NatsCluster ${namespace}/${name} Degraded for ${reason}`,
    async () => {
      const degraded = conditionOf(await natsCluster(api, namespace, name), 'Degraded');
      return degraded?.status === 'True' && degraded.reason === reason && degraded;
    },
    timeoutMs,
    1_000,
  );
}

export async function secretData(api: Api, namespace: string, name: string): Promise<Record<string, string>> {
  const secret = await api.core.readNamespacedSecret({ namespace, name });
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/** Ready addresses behind a Service, from its EndpointSlices: where kube-proxy would send a client. */
export async function serviceAddresses(api: Api, namespace: string, service: string): Promise<string[]> {
  const slices = await api.discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slices.items.flatMap((s) =>
    (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
  );
}

/**
 * Where a client that must outlive every server pod connects. A replaced pod gets a new address, so
 * it is the client Service's ClusterIP (kube-proxy, in the cluster's network namespace where the
 * specs run, sends each connection to a ready server, as for any client in a cluster).
 */
export async function clientAddresses(api: Api, namespace: string, service: string): Promise<string[]> {
  const svc = await api.core.readNamespacedService({ name: service, namespace });
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') throw new Error(`Service ${namespace}/${service} has no ClusterIP`);
  return [ip];
}
