// The address the demo and `npm run nats` dial to reach the cluster's client Service: its ClusterIP,
// as an application would. kube-proxy translates it, also for connections from the cluster's network
// namespace itself. It waits for no endpoint, but says plainly when none is ready.
import { serviceAddresses, type Api } from '../../e2e/operator/cluster-api.ts';

export async function clientServiceAddress(api: Api, namespace: string, service: string): Promise<string> {
  const [ready] = await serviceAddresses(api, namespace, service);
  if (!ready)
    throw new Error(
      `Service ${namespace}/${service} has no ready address; is the demo running (npm run demo)?`,
    );
  const svc = await api.core.readNamespacedService({ namespace, name: service });
  const clusterIp = svc.spec?.clusterIP;
  if (!clusterIp || clusterIp === 'None') throw new Error(`Service ${namespace}/${service} has no ClusterIP`);
  return clusterIp;
}
