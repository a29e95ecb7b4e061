// The address the demo and `npm run nats` dial to reach the cluster's client Service. On real nodes
// kube-proxy translates the Service's ClusterIP (also for connections from the network namespace
// itself), so the ClusterIP is dialed, as an application would; the process kubelet has no
// kube-proxy, so there a ready endpoint's address stands in for it.
import { realNodesEnabled } from '@nats-warden/local-cluster';
import { serviceAddresses, type Api } from '../../e2e/operator/cluster-api.ts';

export async function clientServiceAddress(api: Api, namespace: string, service: string): Promise<string> {
  const [ready] = await serviceAddresses(api, namespace, service);
  if (!ready)
    throw new Error(
      `Service ${namespace}/${service} has no ready address; is the demo running (npm run demo)?`,
    );
  if (!realNodesEnabled()) return ready;
  const svc = await api.core.readNamespacedService({ namespace, name: service });
  const clusterIp = svc.spec?.clusterIP;
  if (!clusterIp || clusterIp === 'None') throw new Error(`Service ${namespace}/${service} has no ClusterIP`);
  return clusterIp;
}
