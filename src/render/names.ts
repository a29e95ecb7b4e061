// Names, labels and owner references of everything a NatsCluster owns, in one place so that the
// controller, the renderer and the tests agree on them.
import type { NatsCluster } from '../api/index.ts';

export interface Owner {
  apiVersion: string;
  kind: string;
  metadata: { name: string; uid?: string | undefined };
}

export function childNames(clusterName: string) {
  return {
    selfSignedIssuer: `${clusterName}-selfsigned`,
    caCertificate: `${clusterName}-ca`,
    caSecret: `${clusterName}-ca`,
    caIssuer: `${clusterName}-ca`,
    serverCertificate: `${clusterName}-server`,
    serverSecret: `${clusterName}-server-tls`,
    routesCertificate: `${clusterName}-routes`,
    routesSecret: `${clusterName}-routes-tls`,
    trustBundle: `${clusterName}-trust-bundle`,
    config: `${clusterName}-config`,
    authSecret: `${clusterName}-auth`,
    routesAuthSecret: `${clusterName}-routes-auth`,
    jetstreamKeySecret: `${clusterName}-jetstream-key`,
    statefulSet: clusterName,
    headlessService: `${clusterName}-headless`,
    clientService: clusterName,
    podDisruptionBudget: clusterName,
    networkPolicy: clusterName,
    serviceAccount: `${clusterName}-nats`,
  };
}

export const MANAGED_BY = 'nats-warden';

/** Labels every child carries; the selector labels are the stable subset. */
export function selectorLabels(cluster: NatsCluster): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'nats',
    'app.kubernetes.io/instance': cluster.metadata.name,
  };
}

export function commonLabels(cluster: NatsCluster, component: string): Record<string, string> {
  return {
    ...selectorLabels(cluster),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': 'nats-warden',
  };
}

export function ownerReference(owner: Owner) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** metadata for a child of the NatsCluster. */
export function childMeta(
  cluster: NatsCluster,
  name: string,
  component: string,
  extra: { annotations?: Record<string, string> } = {},
) {
  return {
    name,
    namespace: cluster.metadata.namespace ?? 'default',
    labels: commonLabels(cluster, component),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    ownerReferences: [ownerReference(cluster)],
  };
}

export function namespaceOf(cluster: NatsCluster): string {
  return cluster.metadata.namespace ?? 'default';
}

/** The pod FQDN through the headless Service: what routes dial and certificates name. */
export function podFqdn(cluster: NatsCluster, ordinal: number, clusterDomain: string): string {
  const names = childNames(cluster.metadata.name);
  return `${cluster.metadata.name}-${ordinal}.${names.headlessService}.${namespaceOf(cluster)}.svc.${clusterDomain}`;
}
