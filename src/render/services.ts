// Services, PodDisruptionBudget and ServiceAccount of a NatsCluster.
import type { NatsCluster } from '../api/index.ts';
import { PORTS } from './layout.ts';
import { childMeta, childNames, selectorLabels } from './names.ts';

const ports = [
  { name: 'client', port: PORTS.client, targetPort: 'client', protocol: 'TCP', appProtocol: 'tls' },
  { name: 'cluster', port: PORTS.cluster, targetPort: 'cluster', protocol: 'TCP', appProtocol: 'tls' },
  { name: 'monitor', port: PORTS.monitor, targetPort: 'monitor', protocol: 'TCP' },
];

/** Headless: gives each pod its DNS name; publishes not-ready pods so peers can route while starting. */
export function renderHeadlessService(cluster: NatsCluster) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(cluster, childNames(cluster.metadata.name).headlessService, 'server'),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(cluster),
      ports: ports.filter((p) => p.name !== 'monitor' || cluster.spec.monitoring.enabled),
    },
  };
}

/** What applications connect to: ready servers only. */
export function renderClientService(cluster: NatsCluster) {
  const service = cluster.spec.service;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(
      cluster,
      childNames(cluster.metadata.name).clientService,
      'server',
      service.annotations ? { annotations: service.annotations } : {},
    ),
    spec: {
      type: service.type,
      selector: selectorLabels(cluster),
      ports: ports.filter((p) => p.name === 'client'),
    },
  };
}

/** At most one server down by choice at a time, the same budget the health-gated roll keeps. */
export function renderPodDisruptionBudget(cluster: NatsCluster) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(cluster, childNames(cluster.metadata.name).podDisruptionBudget, 'server'),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(cluster) } },
  };
}

/** The servers need no API access; their own account keeps them off the namespace default. */
export function renderServiceAccount(cluster: NatsCluster) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMeta(cluster, childNames(cluster.metadata.name).serviceAccount, 'server'),
    automountServiceAccountToken: false,
  };
}
