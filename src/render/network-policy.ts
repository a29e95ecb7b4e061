// Who may reach a cluster's ports. nats-server serves its HTTPS monitoring endpoints (/connz lists
// every connection with its account, user and subscriptions) without asking for a client
// certificate, even when clients must present one (nats-server v2.15.2 server.go, startMonitoring),
// so the monitoring port is admitted only from the operator's pods and from the namespaces the spec
// names. Routes are admitted only from the cluster's own servers; clients from anywhere (TLS and
// authentication guard them). The kubelet's probes come from the node, which NetworkPolicy
// implementations admit.
import type { NatsCluster } from '../api/index.ts';
import { DEFAULT_OPERATOR_NAMESPACE, type RenderContext } from './context.ts';
import { PORTS } from './layout.ts';
import { childMeta, childNames, selectorLabels } from './names.ts';

const NAMESPACE_NAME = 'kubernetes.io/metadata.name';
const tcp = (port: number) => [{ protocol: 'TCP', port }];

export function renderNetworkPolicy(cluster: NatsCluster, context: Pick<RenderContext, 'operatorNamespace'>) {
  const policy = cluster.spec.networkPolicy;
  if (!policy.enabled) return [];
  const servers = { podSelector: { matchLabels: selectorLabels(cluster) } };
  const operator = {
    namespaceSelector: {
      matchLabels: { [NAMESPACE_NAME]: context.operatorNamespace ?? DEFAULT_OPERATOR_NAMESPACE },
    },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats-warden' } },
  };
  const monitors = (policy.monitoringFromNamespaces ?? []).map((ns) => ({
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: ns } },
  }));
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: childMeta(cluster, childNames(cluster.metadata.name).networkPolicy, 'server'),
      spec: {
        ...servers,
        policyTypes: ['Ingress'],
        ingress: [
          { ports: tcp(PORTS.client) },
          { from: [servers], ports: tcp(PORTS.cluster) },
          ...(cluster.spec.monitoring.enabled
            ? [{ from: [operator, ...monitors], ports: tcp(PORTS.monitor) }]
            : []),
        ],
      },
    },
  ];
}
